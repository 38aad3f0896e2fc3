/**
 * A real full disk (and a read-only one) under the app's core: a tmpfs of its own, filled up so that
 * the next vault write fails with ENOSPC (test/support/small-disk.ts). Each change a person can make
 * offline fails with one sentence in words, and it is true: nothing changed, in memory or on disk; no
 * temporary file is left to eat what space there is; after space is freed and the app restarted, all
 * from before is there and nothing that failed is. Opening a vault there, new or old, says the same
 * in words, not "something went wrong" or a system code.
 */
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { IpcError } from '../../../contract/index.js';
import { createKeyringCore } from '../../../main/core.js';
import { createSelfSignedCertificate } from '../../../main/keys/certificate.js';
import { certificateFingerprint } from '../../../main/keys/fingerprint.js';
import { generateRsaKeyPair } from '../../../main/keys/generate.js';
import { silentLogger } from '../../../main/logger.js';
import { diskTroubleAdvice, diskTroubleWords } from '../../../main/vault/disk-trouble.js';
import { Vault, VAULT_FILE } from '../../../main/vault/vault.js';
import { APP_PASSPHRASE, openCore, type OpenCore } from '../../support/app.js';
import { smallDiskSuite } from '../../support/small-disk-suite.js';
import type { SmallDisk } from '../../support/small-disk.js';
import { LIGHT_SCRYPT } from '../../support/vaults.js';

const JULIET = 'juliet@capulet.lit';
const ROMEO = 'romeo@montague.lit';
const FULL = 'Could not save the vault (the disk is full); nothing was changed.';
/** A system code (ENOSPC, EROFS…) or the app's words for a bug: neither may reach a person. */
const NOT_WORDS = /\bE[A-Z]{2,}\b|went wrong/;

const small = smallDiskSuite();
const disk = small.disk;

const running: OpenCore[] = [];
afterEach(async () => {
  await disk?.free();
  if (disk) disk.readOnly(false);
  await Promise.all(running.splice(0).map((app) => app.core.dispose().catch(() => undefined)));
});

async function start(dataDir: string): Promise<OpenCore> {
  const app = await openCore({ dataDir });
  running.push(app);
  app.core.workOffline(JULIET);
  return app;
}

/** The error of a request that must fail. */
function failure(result: { ok: true } | { ok: false; error: IpcError }): IpcError {
  if (result.ok) throw new Error('expected the request to fail, and it succeeded');
  return result.error;
}

function must<T>(result: { ok: true; value: T } | { ok: false; error: IpcError }): T {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

describe.skipIf(disk === undefined)(small.title('on a full disk'), () => {
  let romeoCertificate: Buffer;
  beforeAll(async () => {
    const romeoKey = await generateRsaKeyPair(2048);
    romeoCertificate = await createSelfSignedCertificate({ bareJid: ROMEO, privateKey: romeoKey.privateKey });
  });

  it('every change fails in words, changes nothing in memory or on disk, and all from before is there after a restart', async () => {
    const dataDir = join((disk as SmallDisk).dir, 'every-change');
    const romeoFingerprint = certificateFingerprint(romeoCertificate);
    // Romeo's key, as a fetch would have stored it: unverified.
    const seed = await Vault.open({ dir: dataDir, passphrase: APP_PASSPHRASE, scrypt: LIGHT_SCRYPT });
    const seen = new Date().toISOString();
    await seed.update((d) => {
      d.accounts[JULIET] = {
        jid: JULIET,
        settings: {},
        ownKeys: [],
        contacts: { [ROMEO]: [{ fingerprint: romeoFingerprint, certificate: romeoCertificate.toString('base64'), firstSeen: seen, lastSeen: seen, trust: 'unverified' }] },
      };
    });
    await seed.close();

    let app = await start(dataDir);
    const kept = must(await app.core.api.keys.generate({ bits: 2048, validityDays: 30 })).fingerprint;
    const deleted = must(await app.core.api.keys.generate({ bits: 2048, validityDays: 30 })).fingerprint;
    const backup = must(await app.core.api.backup.create({ file: true, toAccount: false, passphrase: APP_PASSPHRASE }));
    must(await app.core.api.keys.delete({ fingerprint: deleted }));
    const before = {
      keys: must(await app.core.api.keys.list()),
      romeo: must(await app.core.api.contacts.knownKeys({ jid: ROMEO })),
      policy: must(await app.core.api.contacts.accountPolicy()),
      queue: must(await app.core.api.queue.list()),
      backups: must(await app.core.api.backup.status()),
    };
    const fileBefore = await readFile(join(dataDir, VAULT_FILE));
    const backupCopyBefore = await readFile(join(dataDir, `${VAULT_FILE}.bak`));

    await disk?.fill();
    const space = await disk?.available();
    const api = app.core.api;
    const attempts: Record<string, { ok: true } | { ok: false; error: IpcError }> = {
      'make a key': await api.keys.generate({ bits: 2048, validityDays: 30 }),
      'rename a key': await api.keys.rename({ fingerprint: kept, label: 'laptop' }),
      "verify a contact's key": await api.contacts.verify({ jid: ROMEO, claim: romeoFingerprint }),
      "change a contact's trust policy": await api.contacts.setPolicy({ jid: ROMEO, policy: 'manual' }),
      "change the account's trust policy": await api.contacts.setAccountPolicy({ policy: 'manual' }),
      'publish a key (queued offline)': await api.keys.publish({ fingerprint: kept, access: { model: 'presence' } }),
      'publish the profile (queued offline)': await api.profile.publish({ profile: { fullName: 'Juliet', emails: [], phones: [], urls: [] }, access: { model: 'presence' } }),
      'add a contact (queued offline)': await api.roster.add({ jid: 'nurse@capulet.lit', groups: [] }),
      'record a backup file as saved': await api.backup.fileSaved({ backupId: backup.file?.backupId ?? '' }),
      'restore a backup': await api.backup.restore({ from: { kind: 'file', dataBase64: backup.file?.dataBase64 ?? '' }, code: backup.code, replace: true }),
    };
    for (const [what, result] of Object.entries(attempts)) {
      expect({ what, error: failure(result) }).toEqual({ what, error: { code: 'storage-failed', message: FULL } });
    }

    // Nothing changed in memory: the screens, asked again, show what they showed before.
    expect(must(await api.keys.list())).toEqual(before.keys);
    expect(must(await api.contacts.knownKeys({ jid: ROMEO }))).toEqual(before.romeo);
    expect(must(await api.contacts.accountPolicy())).toBe(before.policy);
    expect(must(await api.queue.list())).toEqual(before.queue);
    expect(must(await api.backup.status())).toEqual(before.backups);
    // Nor on disk, and no temporary file is left holding what space there was.
    expect(await readFile(join(dataDir, VAULT_FILE))).toEqual(fileBefore);
    expect(await readFile(join(dataDir, `${VAULT_FILE}.bak`))).toEqual(backupCopyBefore);
    expect((await readdir(dataDir)).sort()).toEqual([VAULT_FILE, `${VAULT_FILE}.bak`, `${VAULT_FILE}.lock`]);
    expect(await disk?.available()).toBe(space);

    // Space freed, the app restarted on the same folder: everything from before, nothing that failed.
    await disk?.free();
    await app.core.dispose();
    app = await start(dataDir);
    expect(must(await app.core.api.keys.list())).toEqual(before.keys);
    expect(must(await app.core.api.keys.list()).map((k) => k.fingerprint)).not.toContain(deleted);
    expect(must(await app.core.api.contacts.knownKeys({ jid: ROMEO }))).toEqual(before.romeo);
    expect(must(await app.core.api.contacts.accountPolicy())).toBe(before.policy);
    expect(must(await app.core.api.queue.list())).toEqual([]);
    expect(must(await app.core.api.backup.status())).toEqual(before.backups);
  });

  it('a new vault on a full disk: the unlock screen says the disk is full and what to do', async () => {
    await disk?.fill();
    const dataDir = join((disk as SmallDisk).dir, 'new-vault');
    const error = await openCore({ dataDir }).then(
      () => 'opened',
      (e: unknown) => (e instanceof Error ? e.message : String(e)),
    );
    expect(error).toBe(`Could not open the vault in ${dataDir} (the disk is full). Free some space on that disk, then try again.`);
  });

  it('an existing vault on a full disk opens in words too, and opens once there is space', async () => {
    const dataDir = join((disk as SmallDisk).dir, 'existing');
    const made = await start(dataDir);
    const fingerprint = must(await made.core.api.keys.generate({ bits: 2048 })).fingerprint;
    await made.core.dispose();
    running.splice(running.indexOf(made), 1);
    await disk?.fill();
    // A core whose first unlock meets the full disk (openCore would throw at once).
    const core = createKeyringCore({ host: 'browser', version: 'test', dataDir, scrypt: LIGHT_SCRYPT, log: silentLogger });
    const unlocked = failure(await core.api.vault.unlock({ passphrase: APP_PASSPHRASE }));
    expect(unlocked).toEqual({
      code: 'storage-failed',
      message: `Could not open the vault in ${dataDir} (the disk is full). Free some space on that disk, then try again.`,
    });
    await disk?.free();
    must(await core.api.vault.unlock({ passphrase: APP_PASSPHRASE }));
    core.workOffline(JULIET);
    expect(must(await core.api.keys.list()).map((k) => k.fingerprint)).toEqual([fingerprint]);
    await core.dispose();
  });

  it('a read-only disk, at start and mid-session: words, never the system code', async () => {
    const dataDir = join((disk as SmallDisk).dir, 'read-only');
    const app = await start(dataDir);
    const fingerprint = must(await app.core.api.keys.generate({ bits: 2048 })).fingerprint;
    disk?.readOnly(true);
    const renamed = failure(await app.core.api.keys.rename({ fingerprint, label: 'laptop' }));
    expect(renamed).toEqual({ code: 'storage-failed', message: 'Could not save the vault (the disk is read-only); nothing was changed.' });
    expect(must(await app.core.api.keys.list())[0]?.label).toBeUndefined();
    await app.core.dispose();
    running.splice(running.indexOf(app), 1);

    const opened = await openCore({ dataDir }).then(
      () => 'opened',
      (e: unknown) => (e instanceof Error ? e.message : String(e)),
    );
    expect(opened).toBe(`Could not open the vault in ${dataDir} (the disk is read-only). Make sure you can write to that folder, then try again.`);
    expect(opened).not.toMatch(NOT_WORDS);
  });

  it('a vault file that cannot be read (a folder in its place): words, never the system code', async () => {
    const dataDir = join((disk as SmallDisk).dir, 'unreadable');
    await mkdir(join(dataDir, VAULT_FILE), { recursive: true });
    const opened = await openCore({ dataDir }).then(
      () => 'opened',
      (e: unknown) => (e instanceof Error ? e.message : String(e)),
    );
    expect(opened).toBe(`Could not read the vault file ${join(dataDir, VAULT_FILE)} (something else is in its place).`);
  });
});

describe('what the disk said, in words', () => {
  // As root (CI), a chmod stops nothing: permission errors are shown as the system raises them.
  it.each([
    ['EACCES', 'permission denied'],
    ['EPERM', 'permission denied'],
    ['EDQUOT', 'the disk is full'],
    ['EIO', 'the disk reported an error'],
    ['EWHATEVER', 'the disk refused it'],
  ])('%s: %s', (code, words) => {
    const error = Object.assign(new Error(`${code}: open 'vault.json'`), { code });
    expect(diskTroubleWords(error)).toBe(words);
    expect(diskTroubleAdvice(error)).not.toMatch(NOT_WORDS);
  });

  it('a permission refused while opening the vault: what to do', () => {
    expect(diskTroubleAdvice(Object.assign(new Error('EACCES'), { code: 'EACCES' }))).toBe('Make sure you can write to that folder, then try again.');
  });
});
