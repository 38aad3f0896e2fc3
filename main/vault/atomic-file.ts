/**
 * Durable, atomic file replacement: the file at `path` is always either the old or the new content,
 * whatever happens (crash, kill, power loss, full disk). The previous good content is kept beside it as
 * `path.bak`, so a file damaged outside our control (a bad disk, an editor) can still be recovered.
 */
import { randomBytes } from 'node:crypto';
import { copyFile, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

export const backupPathOf = (path: string): string => `${path}.bak`;

export async function writeFileAtomic(path: string, data: string | Buffer): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    // 'wx': never follow or reuse an existing file; 0o600: the vault is the user's alone.
    const handle = await open(tmp, 'wx', 0o600);
    try {
      await handle.writeFile(data);
      // The data must be on disk before the rename makes it the file; otherwise a crash could leave
      // a renamed but empty file (ext4 delayed allocation).
      await handle.sync();
    } finally {
      await handle.close();
    }
    await keepBackup(path);
    await rename(tmp, path);
    await syncDirectory(dirname(path));
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

/** Copies the current file to `.bak` the same atomic way; a missing current file is no error. */
async function keepBackup(path: string): Promise<void> {
  const backup = backupPathOf(path);
  const tmp = `${backup}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await copyFile(path, tmp);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const handle = await open(tmp, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, backup);
}

/** Makes the rename itself durable (POSIX: the directory entry lives in the directory). */
async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Some platforms (Windows) cannot open or fsync a directory; the rename is still atomic there.
  } finally {
    await handle?.close();
  }
}
