/**
 * Two windows (or two browser-host tabs) on one core show the same keys: every change of the own keys
 * goes out as `keys:changed`, the list as it now stands, whichever path made it (a request, the queue,
 * a restore), and a restore's trust records as `contacts:trust`. Through the core, offline.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventName, EventPayloads, OwnKeyView } from '../../contract/index.js';
import { createKeyringCore, type KeyringCore } from '../../main/core.js';
import { silentLogger } from '../../main/logger.js';
import { ContactKeysStore } from '../../main/vault/stores/contact-keys-store.js';
import { LIGHT_SCRYPT } from '../support/vaults.js';

const ACCOUNT = 'juliet@capulet.lit';
const ROMEO = 'romeo@montague.lit';
const PASSPHRASE = 'juliet’s own vault passphrase';

const dirs: string[] = [];
const cores: KeyringCore[] = [];

async function core(): Promise<{ core: KeyringCore; heard: { event: EventName; payload: unknown }[] }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'keyring-own-key-events-'));
  dirs.push(dataDir);
  const made = createKeyringCore({ host: 'browser', version: 'test', log: silentLogger, dataDir, scrypt: LIGHT_SCRYPT, backupKdf: { name: 'scrypt', N: 2 ** 10, r: 8, p: 1 }, otherKeysAtSignIn: false });
  cores.push(made);
  const heard: { event: EventName; payload: unknown }[] = [];
  made.events.subscribe((event, payload) => heard.push({ event, payload }));
  expect((await made.api.vault.unlock({ passphrase: PASSPHRASE })).ok).toBe(true);
  made.workOffline(ACCOUNT);
  return { core: made, heard };
}

const lastKeysChanged = (heard: { event: EventName; payload: unknown }[]) => heard.filter((h) => h.event === 'keys:changed').at(-1)?.payload as EventPayloads['keys:changed'] | undefined;
const fingerprints = (keys: readonly OwnKeyView[] | undefined) => keys?.map((k) => k.fingerprint);

beforeEach(() => {
  dirs.length = 0;
  cores.length = 0;
});
afterEach(async () => {
  for (const c of cores) await c.dispose();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('keys:changed: every window gets the own keys as they now stand', () => {
  it('a key made, named and deleted', async () => {
    const { core: app, heard } = await core();
    const made = await app.api.keys.generate({ bits: 2048, validityDays: 30 });
    if (!made.ok) throw new Error(made.error.message);
    expect(fingerprints(lastKeysChanged(heard))).toEqual([made.value.fingerprint]);

    expect((await app.api.keys.rename({ fingerprint: made.value.fingerprint, label: 'laptop' })).ok).toBe(true);
    expect(lastKeysChanged(heard)?.[0]?.label).toBe('laptop');

    expect((await app.api.keys.delete({ fingerprint: made.value.fingerprint })).ok).toBe(true);
    expect(lastKeysChanged(heard)).toEqual([]);
  }, 30_000);

  it('a restore: the keys it brought back, and the trust, as contacts:trust', async () => {
    const { core: first } = await core();
    const made = await first.api.keys.generate({ bits: 2048, validityDays: 30 });
    if (!made.ok) throw new Error(made.error.message);
    const verifiedKey = 'ab'.repeat(32);
    const at = new Date().toISOString();
    await new ContactKeysStore(first.vaults).update(ACCOUNT, ROMEO, () => ({ keys: [{ fingerprint: verifiedKey, firstSeen: at, lastSeen: at, trust: 'verified', verifiedAt: at }], result: undefined }));
    const backup = await first.api.backup.create({ file: true, toAccount: false, passphrase: PASSPHRASE });
    if (!backup.ok || !backup.value.file) throw new Error('no backup file');

    const { core: second, heard } = await core();
    const restored = await second.api.backup.restore({ from: { kind: 'file', dataBase64: backup.value.file.dataBase64 }, code: backup.value.code });
    if (!restored.ok) throw new Error(restored.error.message);
    expect(fingerprints(lastKeysChanged(heard))).toEqual([made.value.fingerprint]);
    const trust = heard.filter((h) => h.event === 'contacts:trust').map((h) => h.payload as EventPayloads['contacts:trust']);
    expect(trust).toHaveLength(1);
    expect(trust[0]).toMatchObject({ kind: 'contact', view: { jid: ROMEO, keys: [{ fingerprint: verifiedKey, trust: 'verified' }] } });
  }, 30_000);
});
