/**
 * atomic-file.ts writing pieces (the vault's body: json-chunks.ts): in order, at most IOV_MAX buffers
 * per writev, and whole even when a writev writes only part of what it was given.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { WRITEV_MAX_BUFFERS, backupPathOf, writeChunks, writeFileAtomic } from '../../../main/vault/atomic-file.js';
import { prng } from '../../support/prng.js';
import { vaultFolderPerTest } from './vault-fixtures.js';

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
