import { requestSpec, type Handlers, type IpcError, type Result } from '../../contract/index.js';
import { toIpcError } from '../errors.js';
import { validationWords } from './validation-words.js';

export type Dispatch = (channel: unknown, params: unknown) => Promise<Result<unknown>>;

export interface DispatcherOptions {
  /** Where unexpected (non-KeyringError) failures are reported; never sent to the renderer. */
  logError: (channel: string, error: unknown) => void;
}

/**
 * The single entry point for every request from every transport: checks the channel name, validates the
 * parameters against the contract's schema, runs the handler, and turns every outcome into a `Result`
 * value. Nothing thrown here crosses a process boundary.
 */
export function createDispatcher(handlers: Handlers, options: DispatcherOptions): Dispatch {
  return async (channel, params) => {
    const spec = requestSpec(channel);
    if (spec === undefined || typeof channel !== 'string') {
      return failure({ code: 'unknown-channel', message: `Unknown request: ${describe(channel)}` });
    }
    // A schema's own words win; other checks get words a person can act on (validation-words.ts).
    const parsed = spec.params.safeParse(params, { error: validationWords });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.map(String).join('.') || undefined;
      // The field goes beside the message, for the screen to place it; never into the sentence shown.
      const message = issue?.message ?? 'This request was not accepted; nothing was done.';
      return failure(field === undefined ? { code: 'invalid-argument', message } : { code: 'invalid-argument', message, field });
    }
    try {
      // The handler sits in the table under the same domain and name as the schema the contract gave
      // for this channel, so the parsed value has exactly its parameter type; TypeScript cannot
      // correlate the two through the union of channels.
      const [domain, name] = channel.split(':') as [keyof Handlers, string];
      const handler = (handlers[domain] as Record<string, (p: unknown) => Promise<unknown>>)[name] as (p: unknown) => Promise<unknown>;
      return { ok: true, value: await handler(parsed.data) };
    } catch (error) {
      const ipcError = toIpcError(error);
      if (ipcError.code === 'internal') options.logError(channel, error);
      return failure(ipcError);
    }
  };
}

function failure(error: IpcError): Result<never> {
  return { ok: false, error };
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 64)) : typeof value;
}
