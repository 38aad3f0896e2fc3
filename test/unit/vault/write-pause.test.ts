/**
 * The pause between two group writes (vault.ts WRITE_PAUSE_FACTOR) is measured on the time a write held
 * the event loop, not on the disk's: a slow fsync must not hold back the next write by four times its
 * own duration. It did: 300 contacts' keys, all answered by 0.22 s, were on disk only at 1.05 s.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import type * as AtomicFile from '../../../main/vault/atomic-file.js';
import { Vault } from '../../../main/vault/vault.js';
import { LIGHT_SCRYPT } from '../../support/vaults.js';

const disk = vi.hoisted(() => ({ delayMs: 0 }));

// A slow disk: every write takes `disk.delayMs` longer, without holding the event loop.
vi.mock('../../../main/vault/atomic-file.js', async (importOriginal) => {
  const original = await importOriginal<typeof AtomicFile>();
  return {
    ...original,
    writeFileAtomic: async (...args: Parameters<typeof original.writeFileAtomic>) => {
      await new Promise((r) => setTimeout(r, disk.delayMs));
      return original.writeFileAtomic(...args);
    },
  };
});

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keyring-write-pause-'));
  disk.delayMs = 0;
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('a slow disk does not hold back the next write by four times its own time', async () => {
  const vault = await Vault.open({ dir, passphrase: 'correct horse battery', scrypt: LIGHT_SCRYPT });
  await new Promise((r) => setTimeout(r, 200)); // idle again after opening
  disk.delayMs = 400;
  const first = vault.update((d) => {
    d.accounts['a@montague.lit'] = { jid: 'a@montague.lit', settings: {}, ownKeys: [], contacts: {} };
  });
  await new Promise((r) => setTimeout(r, 50)); // the first write is on the disk now
  const second = vault.update((d) => {
    d.accounts['b@montague.lit'] = { jid: 'b@montague.lit', settings: {}, ownKeys: [], contacts: {} };
  });
  await first;
  const firstDone = performance.now();
  await second;
  const gap = performance.now() - firstDone;
  // The second write itself takes the disk's 400 ms; the old pause added 4 × (400 ms and more) before it.
  expect(gap).toBeGreaterThanOrEqual(390);
  expect(gap).toBeLessThan(1200);
  expect(Object.keys(vault.document.accounts).sort()).toEqual(['a@montague.lit', 'b@montague.lit']);
});
