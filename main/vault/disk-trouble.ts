/**
 * What the disk said when it refused a read or a write of the vault, in words a person can act on.
 * The system's code (ENOSPC, EROFS…) never reaches the screen or the CLI's one line: it goes to the log
 * with the error itself (the KeyringError's `cause`).
 */
import { KeyringError } from '../errors.js';

/** The reason as a few words, to go in brackets after what failed. */
export function diskTroubleWords(error: unknown): string {
  switch (errnoCode(error)) {
    case 'ENOSPC':
    case 'EDQUOT':
      return 'the disk is full';
    case 'EROFS':
      return 'the disk is read-only';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOENT':
      return 'its folder is gone';
    case 'EISDIR':
    case 'ENOTDIR':
      return 'something else is in its place';
    case 'EIO':
      return 'the disk reported an error';
    case 'EMFILE':
    case 'ENFILE':
      return 'too many files are open';
    default:
      return 'the disk refused it';
  }
}

/** What to do about it, as a sentence following one that names the folder. */
export function diskTroubleAdvice(error: unknown): string {
  switch (errnoCode(error)) {
    case 'ENOSPC':
    case 'EDQUOT':
      return 'Free some space on that disk, then try again.';
    case 'EROFS':
    case 'EACCES':
    case 'EPERM':
      return 'Make sure you can write to that folder, then try again.';
    default:
      return 'Try again; if it keeps failing, check the disk.';
  }
}

/** Whether `error` is one the file system raised (it carries a code such as ENOSPC), rather than a bug. */
export function isDiskError(error: unknown): boolean {
  return errnoCode(error) !== undefined;
}

function errnoCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? code : undefined;
}

/**
 * Records, in the vault, what the server has already done. When that write fails, the vault's own
 * "nothing was changed" would be false (the server did change): the error then says what was done, why
 * it is not recorded, and what happens next (`done` and `next` are the caller's sentences). Anything
 * else thrown goes on as it is.
 */
export async function recordAfterServer<T>(record: () => Promise<T>, words: { done: string; next: string }): Promise<T> {
  try {
    return await record();
  } catch (error) {
    if (!(error instanceof KeyringError) || error.code !== 'storage-failed') throw error;
    throw new KeyringError('storage-failed', `${words.done}, but the app could not record it (${diskTroubleWords(error.cause)}). ${words.next}`, undefined, {
      cause: error.cause ?? error,
    });
  }
}
