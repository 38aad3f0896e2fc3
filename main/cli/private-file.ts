/**
 * Files the CLI writes that only their user may read (the backup's printable page holds the backup
 * code). writeFile's `mode` applies only when it creates the file: over an existing world-readable
 * file it keeps that mode, and the code with it. So a new file is made (0o600, and 'wx': never one
 * that is there already, nor a link someone planted) and renamed over the target, which then is that
 * new file whatever was there before.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CliError } from './context.js';

export async function writePrivateFile(path: string, data: string | Buffer): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(tmp, 'wx', 0o600);
    try {
      await handle.writeFile(data);
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    const reason = (error as NodeJS.ErrnoException).code;
    throw new CliError({ code: 'storage-failed', message: `Cannot write ${path}${typeof reason === 'string' ? ` (${reason})` : ''}.` }, 1);
  }
}
