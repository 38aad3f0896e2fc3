/**
 * atomic-file.ts writing pieces (the vault's body: json-chunks.ts): in order, at most IOV_MAX buffers
 * per writev, and whole even when a writev writes only part of what it was given. And the backup it
 * keeps: the previous file itself (a hard link, nothing copied), or a copy where a link cannot be made.
 */
import type * as FsPromises from 'node:fs/promises';
import { link, mkdir, open, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WRITEV_MAX_BUFFERS, backupPathOf, writeChunks, writeFileAtomic } from '../../../main/vault/atomic-file.js';
import { prng } from '../../support/prng.js';
import { vaultFolderPerTest } from './vault-fixtures.js';

/** How atomic-file.ts's link and copyFile went: the real ones run unless `linkFails` names an error code. */
const fsSeen = vi.hoisted(() => ({ links: 0, copies: 0, linkFails: undefined as string | undefined }));

// The real file system throughout; only link can be made to fail (as on a file system without hard
// links), and link and copyFile are counted.
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof FsPromises>();
  return {
    ...real,
    link: (...args: Parameters<typeof real.link>) => {
      fsSeen.links += 1;
      if (fsSeen.linkFails) return Promise.reject(Object.assign(new Error(`${fsSeen.linkFails}: link failed`), { code: fsSeen.linkFails }));
      return real.link(...args);
    },
    copyFile: (...args: Parameters<typeof real.copyFile>) => {
      fsSeen.copies += 1;
      return real.copyFile(...args);
    },
  };
});

afterEach(() => {
  Object.assign(fsSeen, { links: 0, copies: 0, linkFails: undefined });
});

const folder = vaultFolderPerTest('keyring-atomic-file-');

/** 3,000 pieces of 0 to 40 bytes (empty ones too), each different. */
function pieces(seed: number): Buffer[] {
  const random = prng(seed);
  return Array.from({ length: 3000 }, () => random.bytes(random.int(41)));
}

/** A file handle's writev into memory that writes at most `limit(call)` bytes per call, as a real one may. */
function shortWriter(limit: (call: number) => number) {
  const file = Buffer.alloc(200_000);
  let size = 0;
  const batches: number[] = [];
  return {
    batches,
    written: () => file.subarray(0, size),
    handle: {
      writev: <T extends readonly NodeJS.ArrayBufferView[]>(buffers: T, position?: number) => {
        batches.push(buffers.length);
        const whole = Buffer.concat(buffers.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength)));
        const bytesWritten = Math.min(whole.length, limit(batches.length));
        whole.copy(file, position ?? size, 0, bytesWritten);
        size = Math.max(size, (position ?? size) + bytesWritten);
        return Promise.resolve({ bytesWritten, buffers });
      },
    },
  };
}

describe('writing a file in pieces', () => {
  it('gives writev at most IOV_MAX buffers at a time, in order', async () => {
    const chunks = pieces(1);
    const writer = shortWriter(() => Number.MAX_SAFE_INTEGER);
    await writeChunks(writer.handle, chunks);
    expect(writer.written().equals(Buffer.concat(chunks))).toBe(true);
    expect(writer.batches).toEqual([WRITEV_MAX_BUFFERS, WRITEV_MAX_BUFFERS, 3000 - 2 * WRITEV_MAX_BUFFERS]);
  });

  it('goes on from where a short write stopped, mid-buffer or on a boundary', async () => {
    for (const limit of [(call: number) => 1 + ((call * 7919) % 5000), () => 1, () => 37]) {
      const chunks = pieces(2).slice(0, limit(1) === 1 ? 300 : 3000);
      const writer = shortWriter(limit);
      await writeChunks(writer.handle, chunks);
      expect(writer.written().equals(Buffer.concat(chunks))).toBe(true);
      expect(Math.max(...writer.batches)).toBeLessThanOrEqual(WRITEV_MAX_BUFFERS);
    }
  });

  it('fails rather than loop when writev writes nothing', async () => {
    const writer = shortWriter(() => 0);
    await expect(writeChunks(writer.handle, [Buffer.from('x')])).rejects.toThrow('writev wrote nothing');
  });

  it('replaces the file with the pieces joined and keeps the old content as the backup', async () => {
    await writeFile(folder.path, 'old content');
    const chunks = pieces(3);
    await writeFileAtomic(folder.path, chunks);
    expect((await readFile(folder.path)).equals(Buffer.concat(chunks))).toBe(true);
    expect(await readFile(backupPathOf(folder.path), 'utf8')).toBe('old content');
  });
});

describe('the backup of the previous content', () => {
  const backup = () => backupPathOf(folder.path);
  const tmpFiles = async () => (await readdir(folder.dir)).filter((name) => name.endsWith('.tmp'));
  const mode = async (file: string) => (await stat(file)).mode & 0o777;

  it('is the previous file itself, no copy: same inode, and nothing copied', async () => {
    await writeFileAtomic(folder.path, 'first');
    const first = (await stat(folder.path)).ino;
    await writeFileAtomic(folder.path, [Buffer.from('sec'), Buffer.from('ond')]);
    expect(await readFile(folder.path, 'utf8')).toBe('second');
    expect(await readFile(backup(), 'utf8')).toBe('first');
    expect((await stat(backup())).ino).toBe(first);
    expect(fsSeen.copies).toBe(0);
    expect(await tmpFiles()).toEqual([]);
  });

  it('is a file of its own after the write: writing or damaging the vault file later leaves it as it was', async () => {
    await writeFileAtomic(folder.path, 'first');
    await writeFileAtomic(folder.path, 'second');
    const [main, bak] = await Promise.all([stat(folder.path), stat(backup())]);
    expect(bak.ino).not.toBe(main.ino);
    expect(bak.nlink).toBe(1);
    // Changed in place, as an editor or a bad disk might.
    const handle = await open(folder.path, 'r+');
    await handle.write('SE', 0);
    await handle.close();
    expect(await readFile(backup(), 'utf8')).toBe('first');
    await writeFileAtomic(folder.path, 'third');
    expect(await readFile(backup(), 'utf8')).toBe('SEcond');
    expect(await readFile(folder.path, 'utf8')).toBe('third');
  });

  it('keeps the vault file mode 0o600', async () => {
    await writeFileAtomic(folder.path, 'first');
    await writeFileAtomic(folder.path, 'second');
    expect(await mode(backup())).toBe(0o600);
    expect(await mode(folder.path)).toBe(0o600);
  });

  it('is not made, and the old one stays, when there is no current file', async () => {
    await writeFile(backup(), 'older backup');
    await writeFileAtomic(folder.path, 'first');
    expect(await readFile(backup(), 'utf8')).toBe('older backup');
    expect(await readFile(folder.path, 'utf8')).toBe('first');
    expect(await tmpFiles()).toEqual([]);
  });

  it('comes out right after a crash left the backup and the vault file as one file', async () => {
    // A crash after `.bak` was renamed into place but before the new file was: both names, one file.
    await writeFileAtomic(folder.path, 'first');
    await link(folder.path, backup());
    await writeFileAtomic(folder.path, 'second');
    expect(await readFile(backup(), 'utf8')).toBe('first');
    expect(await readFile(folder.path, 'utf8')).toBe('second');
    expect((await stat(backup())).nlink).toBe(1);
    // POSIX's rename between two names of one file does nothing: the link made for `.bak` is removed.
    expect(await tmpFiles()).toEqual([]);
  });

  it.each(['EPERM', 'EXDEV', 'ENOTSUP', 'EMLINK', 'EIO'])('is copied when a link cannot be made (%s)', async (code) => {
    await writeFileAtomic(folder.path, 'first');
    Object.assign(fsSeen, { links: 0, copies: 0, linkFails: code });
    await writeFileAtomic(folder.path, 'second');
    await writeFileAtomic(folder.path, 'third');
    expect(fsSeen.links).toBe(2);
    expect(fsSeen.copies).toBe(2);
    expect(await readFile(backup(), 'utf8')).toBe('second');
    expect(await readFile(folder.path, 'utf8')).toBe('third');
    expect((await stat(backup())).ino).not.toBe((await stat(folder.path)).ino);
    expect(await mode(backup())).toBe(0o600);
    expect(await tmpFiles()).toEqual([]);
  });

  it('leaves no temporary file when the backup cannot be kept, and changes nothing', async () => {
    await writeFileAtomic(folder.path, 'first');
    await mkdir(backup()); // `.bak` cannot be replaced
    await expect(writeFileAtomic(folder.path, 'second')).rejects.toThrow();
    expect(await readFile(folder.path, 'utf8')).toBe('first');
    expect(await tmpFiles()).toEqual([]);
  });
});
