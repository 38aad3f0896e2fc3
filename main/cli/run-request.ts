/**
 * The CLI's only way into the app: the same dispatcher (and so the same argument validation and error
 * codes) the desktop window and the browser host use. A failed Result becomes a CliError.
 */
import type { KeyringCore } from '../core.js';
import type { IpcError, RequestChannel, RequestParams, RequestResult } from '../../contract/index.js';

export class CliError extends Error {
  constructor(
    readonly error: IpcError,
    /** 2 for usage errors (bad arguments), 1 for operations that failed. */
    readonly exitCode: 1 | 2,
  ) {
    super(error.message);
  }
}

export async function request<C extends RequestChannel>(
  core: KeyringCore,
  channel: C,
  params: RequestParams<C>,
): Promise<RequestResult<C>> {
  const result = await core.dispatch(channel, params);
  if (result.ok) return result.value as RequestResult<C>;
  throw new CliError(result.error, result.error.code === 'invalid-argument' ? 2 : 1);
}
