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
    options?: { cause?: unknown; nextStep?: string },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KeyringError';
    this.nextStep = options?.nextStep;
  }

  /** What the person can do about it, when the code alone does not say (IpcError.nextStep). */
  readonly nextStep: string | undefined;

  toIpcError(): IpcError {
    return {
      code: this.code,
      message: this.message,
      ...(this.field === undefined ? {} : { field: this.field }),
      ...(this.nextStep === undefined ? {} : { nextStep: this.nextStep }),
    };
  }
}

export function toIpcError(error: unknown): IpcError {
  if (error instanceof KeyringError) return error.toIpcError();
  return { code: 'internal', message: 'Something went wrong inside the app. Details are in the log.' };
}
