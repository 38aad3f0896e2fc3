/**
 * Durable, atomic file replacement: the file at `path` is always either the old or the new content,
 * whatever happens (crash, kill, power loss, full disk). The previous good content is kept beside it as
 * `path.bak`, so a file damaged outside our control (a bad disk, an editor) can still be recovered.
 */
import { randomBytes } from 'node:crypto';
import { copyFile, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

export const backupPathOf = (path: string): string => `${path}.bak`;

/** Linux's IOV_MAX (and macOS's): one writev takes at most this many buffers. */
export const WRITEV_MAX_BUFFERS = 1024;

/**
 * `data` may be pieces (the vault's body: json-chunks.ts), written in order as one file without being
 * joined first.
 */
export async function writeFileAtomic(path: string, data: string | Buffer | readonly Buffer[]): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    // 'wx': never follow or reuse an existing file; 0o600: the vault is the user's alone.
    const handle = await open(tmp, 'wx', 0o600);
    try {
      if (typeof data === 'string' || Buffer.isBuffer(data)) await handle.writeFile(data);
      else await writeChunks(handle, data);
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

/**
 * Writes `chunks` one after the other from the start of the file, WRITEV_MAX_BUFFERS at a time. A writev
 * may write fewer bytes than it was given (a signal, a full pipe, a file system's own limit): what is left
 * of a partly written buffer and the ones after it go into the next call.
 */
export async function writeChunks(handle: Pick<FileHandle, 'writev'>, chunks: readonly Buffer[]): Promise<void> {
  let position = 0;
  let index = 0;
  /** The unwritten end of chunks[index], once part of it is written. */
  let head: Buffer | undefined;
  while (index < chunks.length) {
    const batch: Buffer[] = [head ?? (chunks[index] as Buffer)];
    for (let next = index + 1; next < chunks.length && batch.length < WRITEV_MAX_BUFFERS; next++) batch.push(chunks[next] as Buffer);
    const { bytesWritten } = await handle.writev(batch, position);
    position += bytesWritten;
    let left = bytesWritten;
    let done = 0;
    while (done < batch.length && left >= (batch[done] as Buffer).length) {
      left -= (batch[done] as Buffer).length;
      done += 1;
    }
    if (done === 0 && left === 0) throw new Error('writev wrote nothing');
    index += done;
    head = done < batch.length ? (batch[done] as Buffer).subarray(left) : undefined;
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
