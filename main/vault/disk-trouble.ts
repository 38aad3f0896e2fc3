/**
 * What the disk said when it refused a read or a write of the vault, in words a person can act on.
 * The system's code (ENOSPC, EROFS…) never reaches the screen or the CLI's one line: it goes to the log
 * with the error itself (the KeyringError's `cause`).
 */

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
