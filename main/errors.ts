import type { ErrorCode, IpcError } from '../contract/index.js';

/**
 * An error with a stable code, meant to reach the user. Services throw it; the IPC dispatcher turns it
 * into an `IpcError` value. Anything else thrown is reported as 'internal' without leaking details.
 */
export class KeyringError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'KeyringError';
  }

  toIpcError(): IpcError {
    return this.field === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, field: this.field };
  }
}

export function toIpcError(error: unknown): IpcError {
  if (error instanceof KeyringError) return error.toIpcError();
  return { code: 'internal', message: 'Something went wrong inside the app. Details are in the log.' };
}
