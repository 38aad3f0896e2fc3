/**
 * Files the CLI writes that only their user may read (the backup's printable page holds the backup
 * code). writeFile's `mode` applies only when it creates the file: over an existing world-readable
 * file it keeps that mode, and the code with it. So a new file is made (0o600, and 'wx': never one
 * that is there already, nor a link someone planted) and then put in the target's place, which then
 * is that new file whatever was there before.
 *
 * The file is made first (openPrivateFile) and filled later (write): a command that prints something
 * once, as the backup code, knows before making it that the file can be written, so it never prints
 * a code for a file that does not exist. A file already at the target is refused unless `replace`
 * (--force): it may be an earlier backup, whose code the user wrote down.
 */
import { randomBytes } from 'node:crypto';
import { link, lstat, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CliError } from './context.js';

export interface PrivateFile {
  /** Fills the file and puts it at its target; a CliError in words if that fails. */
  write(data: string | Buffer): Promise<void>;
  /** Removes the made file unfilled (nothing was written). */
  discard(): Promise<void>;
}

/** Makes the file beside `path` (refused: `path` already there, unless `replace`; a folder that is not there). `option` names it in words. */
export async function openPrivateFile(path: string, option: string, replace = false): Promise<PrivateFile> {
  if (!replace) await refuseExisting(path, option);
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(tmp, 'wx', 0o600).catch((error: unknown) => {
    throw cannotWrite(path, error);
  });
  let open_ = true;
  const close = async () => {
    if (!open_) return;
    open_ = false;
    await handle.close();
  };
  return {
    write: async (data) => {
      try {
        await handle.writeFile(data);
        await close();
        // Without --force, link() puts it there only if nothing came there meanwhile (EEXIST otherwise).
        if (replace) await rename(tmp, path);
        else {
          await link(tmp, path);
          await rm(tmp, { force: true });
        }
      } catch (error) {
        await close().catch(() => undefined);
        await rm(tmp, { force: true });
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw exists(path, option);
        throw cannotWrite(path, error);
      }
    },
    discard: async () => {
      await close().catch(() => undefined);
      await rm(tmp, { force: true });
    },
  };
}

/** A usage error when `path` is there already (a file, a link, anything), before anything is made. */
export async function refuseExisting(path: string, option: string): Promise<void> {
  const there = await lstat(path).then(
    () => true,
    () => false,
  );
  if (there) throw exists(path, option);
}

function exists(path: string, option: string): CliError {
  return new CliError({ code: 'invalid-argument', message: `${option}: ${path} is there already; add --force to replace it.` }, 2);
}

/** "Cannot write FILE (ENOENT)." for a failure to make or fill a file: its system code, never the raw message. */
export function cannotWrite(path: string, error: unknown): CliError {
  const reason = (error as NodeJS.ErrnoException | undefined)?.code;
  return new CliError({ code: 'storage-failed', message: `Cannot write ${path}${typeof reason === 'string' ? ` (${reason})` : ''}.` }, 1);
}
