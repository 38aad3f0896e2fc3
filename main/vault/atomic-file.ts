/**
 * Durable, atomic file replacement: the file at `path` is always either the old or the new content,
 * whatever happens (crash, kill, power loss, full disk). The previous good content is kept beside it as
 * `path.bak`, so a file damaged outside our control (a bad disk, an editor) can still be recovered.
 */
import { randomBytes } from 'node:crypto';
import { copyFile, link, open, readdir, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

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
 * Removes what writers of `path` that died mid-write left beside it: `path.<pid>.<rand>.tmp` (a whole
 * copy of the file, new content half-written) and `path.bak.<pid>.<rand>.tmp` (a second name for the
 * old one), both as secret as the file itself and kept forever otherwise. Only a dead process's: a
 * live one (this one, or another app on the same vault) may be writing it now. A pid reused since by
 * an unrelated process keeps its leftover until that process ends; harmless. Never throws: tidying
 * must not stand between the user and the vault.
 */
export async function removeDeadWritersLeftovers(path: string): Promise<string[]> {
  const removed: string[] = [];
  try {
    const name = basename(path);
    // `.lock.`: the vault lock's own (vault-lock.ts), a lock being written or a stale one being broken.
    const leftover = new RegExp(`^${escapeRegExp(name)}(?:\\.bak|\\.lock)?\\.(\\d{1,10})\\.[0-9a-f]{12}\\.tmp$`);
    for (const entry of await readdir(dirname(path))) {
      const pid = Number(leftover.exec(entry)?.[1] ?? Number.NaN);
      if (!Number.isSafeInteger(pid) || pid <= 0 || isAlive(pid)) continue;
      await rm(join(dirname(path), entry), { force: true }).then(
        () => removed.push(entry),
        () => undefined,
      );
    }
  } catch {
    // A folder that cannot be listed: nothing to tidy that we could reach.
  }
  return removed;
}

/** Whether process `pid` exists: signal 0 checks without sending; EPERM is a live process of another user. */
export function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
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

/**
 * Makes the current file the new `.bak` (atomically replacing the old one); a missing current file is no
 * error (no backup, `.bak` left as it is). Called just before `tmp` is renamed over `path`.
 *
 * The backup is a second name (hard link) for the current file, not a copy: its content is already on
 * disk (it was synced before it was renamed into place, and no file here is ever changed in place: each
 * write is a new file renamed over), so copying and syncing it again, 2.7–7 MB a write with thousands
 * of contacts, bought nothing. Why every crash point is safe, step by step (`bakTmp` is a fresh name):
 * 1. link(path, bakTmp): `path` and `.bak` untouched; a crash leaves a stray `*.tmp` name, nothing else.
 * 2. rename(bakTmp, .bak): atomic, so `.bak` is the older backup or the current file, never neither.
 *    Until step 3, `.bak` and `path` are one file with the current (good, synced) content; a crash here
 *    leaves them so until the next write, when step 3 gives `path` a new file (see `bakTmp` below).
 * 3. rename(tmp, path) in the caller: `path` is the old or the new file; from here on `.bak` is the
 *    previous file under its only name, so damage done to `path` later (an editor) cannot reach it.
 * The caller then syncs the directory once, making the link and both renames durable together. If the
 * system reorders them in a crash, `.bak` can at worst be the backup before this one: a good file still.
 * Where a link cannot be made (a file system without hard links, a limit on links) the file is copied
 * and the copy synced, as before. Either way `.bak` has the vault file's mode (0o600, from the open
 * above): a link is the same file, and copyFile gives the copy its source's mode.
 */
async function keepBackup(path: string): Promise<void> {
  const backup = backupPathOf(path);
  const bakTmp = `${backup}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    try {
      await link(path, bakTmp);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      // EPERM, EXDEV, ENOTSUP/EOPNOTSUPP, EMLINK or any other reason: copy instead.
      if (!(await copyAndSync(path, bakTmp))) return;
    }
    await rename(bakTmp, backup);
  } finally {
    // Left behind when a step failed, or when the rename did nothing: POSIX renames nothing when both
    // names are already one file, as `path` and `.bak` are after a crash between steps 2 and 3.
    await rm(bakTmp, { force: true });
  }
}

/** Copies `from` to `to` and syncs the copy; false if `from` is missing. */
async function copyAndSync(from: string, to: string): Promise<boolean> {
  try {
    await copyFile(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  const handle = await open(to, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  return true;
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
