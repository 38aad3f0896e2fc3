import type { z } from 'zod';
import {
  requestSchemas,
  type IpcError,
  type RequestChannel,
  type RequestResults,
  type Result,
} from '../../preload/contract.js';
import { isRequestChannel } from '../../preload/channels.js';
import { toIpcError } from '../errors.js';

/** One handler per request channel, receiving parameters that already passed their schema. */
export type RequestHandlers = {
  [C in RequestChannel]: (params: z.output<(typeof requestSchemas)[C]>) => Promise<RequestResults[C]>;
};

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
export function createDispatcher(handlers: RequestHandlers, options: DispatcherOptions): Dispatch {
  return async (channel, params) => {
    if (!isRequestChannel(channel)) {
      return failure({ code: 'unknown-channel', message: `Unknown request: ${describe(channel)}` });
    }
    const parsed = requestSchemas[channel].safeParse(params);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.map(String).join('.') || undefined;
      const message = issue ? issue.message : 'Invalid request';
      return failure(
        field === undefined
          ? { code: 'invalid-argument', message }
          : { code: 'invalid-argument', message: `${field}: ${message}`, field },
      );
    }
    try {
      // The handler table is keyed by the same channel the schema came from, so the parsed value has
      // exactly the handler's parameter type; TypeScript cannot correlate the two through the union.
      const handler = handlers[channel] as (p: unknown) => Promise<unknown>;
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
