/**
 * The backup service's decisions, over real vaults and a stand-in session (the account's node is
 * tested on real servers in test/integration/backup.test.ts): that making one asks a passphrase vault's
 * passphrase again (a keychain vault has none), which keys the reminder names, what a restore brings
 * back, what it leaves alone without `replace` (another private key here, trust decided otherwise
 * here, keys made here after the backup), and that every refusal changes nothing.
 */
import type { KeyObject } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSelfSignedCertificate } from '../../main/keys/certificate.js';
import { certificateFingerprint } from '../../main/keys/fingerprint.js';
import { generateRsaKeyPair } from '../../main/keys/generate.js';
import { prepareRevocations } from '../../main/keys/revocation.js';
import { BackupService } from '../../main/services/backup.js';
import { createBackup, openBackup } from '../../main/vault/backup-blob.js';
import { markUnverified } from '../../main/vault/contact-keys.js';
import type { ContactKeyRecord } from '../../main/vault/schema.js';
import { generateBackupCode } from '../../main/vault/backup-code.js';
import { BACKUP_CONTENT_KIND, BACKUP_CONTENT_VERSION, readBackupContent, type BackupContent } from '../../main/vault/backup-content.js';
import { BackupsStore } from '../../main/vault/stores/backups-store.js';
import { ContactKeysStore } from '../../main/vault/stores/contact-keys-store.js';
import { OtherKeysStore } from '../../main/vault/stores/other-keys-store.js';
import { OwnKeysStore } from '../../main/vault/stores/own-keys-store.js';
import { VaultHolder } from '../../main/vault/vault-holder.js';
import { KeyringError } from '../../main/errors.js';
import { fakeKeychain } from '../support/fake-keychain.js';
import { fakeSession, type FakeSession } from '../support/fake-session.js';
import { codeOf, unlockedVaults } from '../support/vaults.js';

const ACCOUNT = 'juliet@capulet.lit';
const ROMEO = 'romeo@montague.lit';
const ROMEO_KEY = 'a'.repeat(64);
const DAY = 86_400_000;
const VAULT_PASSPHRASE = 'correct horse battery';
/** The lightest parameters a backup header accepts: these tests are about decisions, not the KDF. */
const LIGHT_KDF = { name: 'scrypt' as const, N: 2 ** 10, r: 8, p: 1 };

let keyA: KeyObject;
let keyB: KeyObject;
const dirs: string[] = [];

beforeAll(async () => {
  [{ privateKey: keyA }, { privateKey: keyB }] = await Promise.all([generateRsaKeyPair(2048), generateRsaKeyPair(2048)]);
}, 60_000);

interface Device {
  vaults: VaultHolder;
  keys: OwnKeysStore;
  contacts: ContactKeysStore;
  service: BackupService;
}

/**
 * One device of juliet's, offline unless given a session: its own vault, locked by VAULT_PASSPHRASE, or
 * by the OS keychain (the desktop app's usual lock).
 */
async function device(account = ACCOUNT, options: { keychain?: boolean; session?: FakeSession } = {}): Promise<Device> {
  const dir = await mkdtemp(join(tmpdir(), 'keyring-backup-'));
  dirs.push(dir);
  let vaults: VaultHolder;
  if (options.keychain) {
    vaults = new VaultHolder({ dir, keychain: fakeKeychain() });
    await vaults.unlock();
  } else {
    vaults = await unlockedVaults(dir, VAULT_PASSPHRASE);
  }
  const keys = new OwnKeysStore(vaults);
  const contacts = new ContactKeysStore(vaults);
  const session = options.session ?? fakeSession({ account, status: 'offline' });
  return {
    vaults,
    keys,
    contacts,
    service: new BackupService({ ownKeys: keys, contactKeys: contacts, otherKeys: new OtherKeysStore(vaults), backups: new BackupsStore(vaults), session, vaultLock: vaults, revocations: { readNode: () => Promise.resolve([]) }, kdf: LIGHT_KDF }),
  };
}

/** Adds a key to the device: `privateKey` under a certificate valid from `daysAgo` for `validityDays`. */
async function addKey(on: Device, privateKey: KeyObject, options: { daysAgo?: number; validityDays?: number; label?: string } = {}): Promise<{ fingerprint: string; der: Buffer }> {
  const der = await createSelfSignedCertificate({
    bareJid: ACCOUNT,
    privateKey,
    validityDays: options.validityDays ?? 365,
    notBefore: new Date(Date.now() - (options.daysAgo ?? 0) * DAY),
  });
  const fingerprint = certificateFingerprint(der);
  await on.keys.add(ACCOUNT, { fingerprint, certificateDer: der, privateKey, ...(options.label ? { label: options.label } : {}) });
  return { fingerprint, der };
}

async function trustRomeo(on: Device, trust: 'verified' | 'unverified', verifiedAt?: string): Promise<void> {
  await on.contacts.update(ACCOUNT, ROMEO, () => ({
    keys: [{ fingerprint: ROMEO_KEY, firstSeen: '2026-01-01T00:00:00.000Z', lastSeen: '2026-01-02T00:00:00.000Z', trust, ...(verifiedAt ? { verifiedAt } : {}) }],
    result: undefined,
  }));
}

/** A file backup of `from`: its bytes and code. */
async function fileBackup(from: Device): Promise<{ data: Buffer; code: string }> {
  const made = await from.service.create({ file: true, toAccount: false, passphrase: VAULT_PASSPHRASE });
  if (made.file) await from.service.fileSaved(made.file.backupId);
  return { data: Buffer.from(made.file?.dataBase64 ?? '', 'base64'), code: made.code };
}

const stored = (on: Device) => JSON.stringify(on.vaults.vault.account(ACCOUNT) ?? null);

/** What a backup holds, decrypted. */
async function contentOf(backup: { data: Buffer; code: string }): Promise<BackupContent> {
  const opened = await openBackup(backup.data, backup.code);
  if (!opened.ok) throw new Error(opened.error.message);
  return opened.content as BackupContent;
}

beforeEach(() => {
  dirs.length = 0;
});
afterEach(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** The error `promise` fails with (a KeyringError), or undefined. */
async function failure(promise: Promise<unknown>): Promise<KeyringError | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    if (error instanceof KeyringError) return error;
    throw error;
  }
}

describe('making a backup asks for the vault passphrase again', () => {
  /** Juliet online: every request her session would send is counted, and answered with nothing. */
  function countingSession(): FakeSession & { asked: string[] } {
    const asked: string[] = [];
    const session = fakeSession({
      account: ACCOUNT,
      status: 'online',
      answer: (request) => {
        asked.push(request.toString());
        return Promise.reject(new Error('no server here'));
      },
    });
    return Object.assign(session, {
      asked,
      requireXep0222Support: () => {
        asked.push('disco#info');
        return Promise.resolve();
      },
    });
  }

  it('a wrong passphrase is refused in one sentence, and nothing is made, recorded or sent', async () => {
    const session = countingSession();
    const laptop = await device(ACCOUNT, { session });
    const { fingerprint } = await addKey(laptop, keyA);
    const before = stored(laptop);

    const refused = await failure(laptop.service.create({ file: true, toAccount: true, passphrase: 'wrong horse battery' }));
    expect(refused?.toIpcError()).toEqual({ code: 'wrong-passphrase', message: 'That is not your vault passphrase. Nothing was backed up.', field: 'passphrase' });
    expect(session.asked).toEqual([]);
    expect(stored(laptop)).toBe(before);
    expect(laptop.service.status()).toEqual({ notBackedUp: [fingerprint], backups: [] });
  });

  it('no passphrase at all is refused the same way, naming the field; nothing is made', async () => {
    const session = countingSession();
    const laptop = await device(ACCOUNT, { session });
    await addKey(laptop, keyA);
    const before = stored(laptop);
    for (const passphrase of [undefined, '']) {
      const refused = await failure(laptop.service.create({ file: true, toAccount: false, ...(passphrase === undefined ? {} : { passphrase }) }));
      expect(refused?.toIpcError()).toEqual({ code: 'invalid-argument', message: 'Enter your vault passphrase to make a backup.', field: 'passphrase' });
    }
    expect(session.asked).toEqual([]);
    expect(stored(laptop)).toBe(before);
  });

  it('the right passphrase makes the backup; the vault is not opened again or rewritten to check it', async () => {
    const laptop = await device();
    const { fingerprint } = await addKey(laptop, keyA);
    const vault = laptop.vaults.vault;
    const before = stored(laptop);
    const made = await laptop.service.create({ file: true, toAccount: false, passphrase: VAULT_PASSPHRASE });
    expect(made.fingerprints).toEqual([fingerprint]);
    expect(laptop.vaults.vault).toBe(vault);
    await laptop.service.fileSaved(made.file?.backupId ?? '');
    expect(laptop.service.status().notBackedUp).toEqual([]);
    // Only the record of the backup was added.
    expect(JSON.parse(stored(laptop))).toMatchObject({ ...JSON.parse(before), backups: [{ where: 'file', how: 'made', fingerprints: [fingerprint] }] });
  });

  it('a keychain vault has no passphrase: none is asked for, and one sent along is not checked against anything', async () => {
    const laptop = await device(ACCOUNT, { keychain: true });
    expect(laptop.vaults.protection).toBe('keychain');
    const { fingerprint } = await addKey(laptop, keyA);
    expect((await laptop.service.create({ file: true, toAccount: false })).fingerprints).toEqual([fingerprint]);
    expect((await laptop.service.create({ file: true, toAccount: false, passphrase: 'anything at all' })).fingerprints).toEqual([fingerprint]);
  });
});

describe('the reminder', () => {
  it('names each usable key in no backup, until a backup holds it; an expired key is not named', async () => {
    const laptop = await device();
    const { fingerprint: first } = await addKey(laptop, keyA);
    await addKey(laptop, keyB, { daysAgo: 40, validityDays: 30 }); // expired
    expect(laptop.service.status().notBackedUp).toEqual([first]);

    await fileBackup(laptop);
    expect(laptop.service.status()).toMatchObject({ notBackedUp: [], backups: [{ where: 'file', how: 'made', fingerprints: expect.arrayContaining([first]) as unknown }] });

    const { fingerprint: later } = await addKey(laptop, keyB, { label: 'after the backup' });
    expect(laptop.service.status().notBackedUp).toEqual([later]);
  });
});

describe('a backup file', () => {
  it('counts as a backup once saved, not when made: a file never written leaves its keys in the reminder (truth review)', async () => {
    const laptop = await device();
    const { fingerprint } = await addKey(laptop, keyA);
    const made = await laptop.service.create({ file: true, toAccount: false, passphrase: VAULT_PASSPHRASE });
    expect(made.file?.backupId).toMatch(/^[0-9a-f]{16}$/);
    expect(laptop.service.status()).toEqual({ notBackedUp: [fingerprint], backups: [] });

    const saved = await laptop.service.fileSaved(made.file?.backupId ?? '');
    expect(saved).toMatchObject({ notBackedUp: [], backups: [{ where: 'file', how: 'made', fingerprints: [fingerprint] }] });
    // Saved again ("Save the file again"): no error, no second record.
    expect((await laptop.service.fileSaved(made.file?.backupId ?? '')).backups).toHaveLength(1);
    // An id this device never handed out records nothing.
    expect((await failure(laptop.service.fileSaved('0123456789abcdef')))?.code).toBe('not-found');
    expect(laptop.service.status().backups).toHaveLength(1);
  });
});

describe('restoring a file', () => {
  it('brings keys and trust back to a fresh vault, and records that they are in a backup', async () => {
    const laptop = await device();
    const { fingerprint } = await addKey(laptop, keyA);
    await trustRomeo(laptop, 'verified', '2026-01-03T00:00:00.000Z');
    const backup = await fileBackup(laptop);

    const fresh = await device();
    const outcome = await fresh.service.restore({ kind: 'file', data: backup.data }, backup.code);
    expect(outcome).toMatchObject({ account: ACCOUNT, from: 'file', keys: [{ fingerprint, outcome: 'restored' }], trust: [{ jid: ROMEO, fingerprint: ROMEO_KEY, outcome: 'restored' }] });
    expect(fresh.keys.privateKey(ACCOUNT, fingerprint)?.export({ type: 'pkcs8', format: 'der' })).toEqual(keyA.export({ type: 'pkcs8', format: 'der' }));
    expect(fresh.contacts.keys(ACCOUNT, ROMEO)).toMatchObject([{ fingerprint: ROMEO_KEY, trust: 'verified', verifiedAt: '2026-01-03T00:00:00.000Z' }]);
    expect(fresh.service.status()).toMatchObject({ notBackedUp: [], backups: [{ how: 'restored', where: 'file', fingerprints: [fingerprint] }] });
  });

  it('brings each key’s name back with it; a version 2 backup (no names) still restores', async () => {
    const laptop = await device();
    const { fingerprint } = await addKey(laptop, keyA);
    await laptop.keys.setLabel(ACCOUNT, fingerprint, 'Laptop');
    const backup = await fileBackup(laptop);

    const fresh = await device();
    await fresh.service.restore({ kind: 'file', data: backup.data }, backup.code);
    expect(fresh.keys.find(ACCOUNT, fingerprint)?.label).toBe('Laptop');

    // What version 2 wrote: the same content without names, under its own version number.
    const content = await contentOf(backup);
    expect(content).toMatchObject({ version: 3, ownKeys: [{ fingerprint, label: 'Laptop' }] });
    const v2 = readBackupContent({ ...content, version: 2, ownKeys: content.ownKeys.map(({ label: _l, ...key }) => key) });
    expect(v2.ok).toBe(true);
    // A name that is not one line of text is not what this app writes.
    expect(readBackupContent({ ...content, ownKeys: content.ownKeys.map((k) => ({ ...k, label: 'two\nlines' })) })).toMatchObject({ ok: false, error: { code: 'backup-damaged' } });
  });

  it('leaves a key that differs here (same fingerprint, another private key) unless asked to replace it, keeping its name', async () => {
    const laptop = await device();
    const { fingerprint, der } = await addKey(laptop, keyA);
    const backup = await fileBackup(laptop);

    // The phone holds the same certificate with another private key (a broken import, say).
    const phone = await device();
    await phone.keys.add(ACCOUNT, { fingerprint, certificateDer: der, privateKey: keyB, label: 'Phone' });
    const before = phone.keys.list(ACCOUNT).map((k) => ({ ...k }));
    const kept = await phone.service.restore({ kind: 'file', data: backup.data }, backup.code);
    expect(kept.keys).toEqual([{ fingerprint, outcome: 'conflict' }]);
    expect(phone.keys.privateKey(ACCOUNT, fingerprint)?.export({ type: 'pkcs8', format: 'der' })).toEqual(keyB.export({ type: 'pkcs8', format: 'der' }));
    expect(phone.keys.list(ACCOUNT)).toEqual(before);

    const replaced = await phone.service.restore({ kind: 'file', data: backup.data }, backup.code, true);
    expect(replaced.keys).toEqual([{ fingerprint, outcome: 'replaced' }]);
    expect(phone.keys.privateKey(ACCOUNT, fingerprint)?.export({ type: 'pkcs8', format: 'der' })).toEqual(keyA.export({ type: 'pkcs8', format: 'der' }));
    expect(phone.keys.find(ACCOUNT, fingerprint)?.label).toBe('Phone');
  });

  it('takes the same key with revocations prepared since (or elsewhere) as the same, not as a conflict', async () => {
    const laptop = await device();
    const { fingerprint, der } = await addKey(laptop, keyA);
    const backup = await fileBackup(laptop);
    // Signing in later prepares the key's revocations (own-keys.ts prepareMissingRevocations).
    await laptop.keys.setPreparedRevocations(ACCOUNT, fingerprint, await prepareRevocations({ bareJid: ACCOUNT, certificateDer: der, privateKey: keyA }));
    const before = laptop.keys.list(ACCOUNT).map((k) => ({ ...k }));
    const outcome = await laptop.service.restore({ kind: 'file', data: backup.data }, backup.code);
    expect(outcome.keys).toEqual([{ fingerprint, outcome: 'same' }]);
    expect(laptop.keys.find(ACCOUNT, fingerprint)?.revocations).toHaveLength(4);
    expect(laptop.keys.list(ACCOUNT)).toEqual(before);
  });

  it('leaves trust decided otherwise here unless asked, and never removes a key made here after the backup', async () => {
    const laptop = await device();
    await addKey(laptop, keyA);
    await trustRomeo(laptop, 'unverified');
    const backup = await fileBackup(laptop);

    // Later, on this device: romeo's key verified, and a new key made.
    await trustRomeo(laptop, 'verified', new Date().toISOString());
    const { fingerprint: newer } = await addKey(laptop, keyB);
    const outcome = await laptop.service.restore({ kind: 'file', data: backup.data }, backup.code);
    expect(outcome.keys.map((k) => k.outcome)).toEqual(['same']);
    expect(outcome.trust).toEqual([{ jid: ROMEO, fingerprint: ROMEO_KEY, outcome: 'conflict' }]);
    expect(laptop.contacts.keys(ACCOUNT, ROMEO)[0]?.trust).toBe('verified');
    expect(laptop.keys.find(ACCOUNT, newer)).toBeDefined();

    const replaced = await laptop.service.restore({ kind: 'file', data: backup.data }, backup.code, true);
    expect(replaced.trust.map((t) => t.outcome)).toEqual(['replaced']);
    expect(laptop.contacts.keys(ACCOUNT, ROMEO)[0]).toMatchObject({ trust: 'unverified', lastSeen: '2026-01-02T00:00:00.000Z' });
    expect(laptop.contacts.keys(ACCOUNT, ROMEO)[0]?.verifiedAt).toBeUndefined();
    expect(laptop.keys.find(ACCOUNT, newer)).toBeDefined();
  });

  it('a verification restored over a key that changed here keeps the change aside, as verifying does; any other trust restored drops it', async () => {
    const OLD_KEY = 'b'.repeat(64);
    const romeoKey = (trust: ContactKeyRecord['trust'], more: Partial<ContactKeyRecord>) => (on: Device) =>
      on.contacts.update(ACCOUNT, ROMEO, () => ({
        keys: [{ fingerprint: ROMEO_KEY, firstSeen: '2026-01-01T00:00:00.000Z', lastSeen: '2026-01-02T00:00:00.000Z', trust, ...more }],
        result: undefined,
      }));
    const laptop = await device();
    await addKey(laptop, keyA);
    await trustRomeo(laptop, 'verified', '2026-01-03T00:00:00.000Z');
    const verifiedBackup = await fileBackup(laptop);
    await trustRomeo(laptop, 'unverified');
    const unverifiedBackup = await fileBackup(laptop);

    // Here the key became a change never accepted; the backup says verified: verified, with no change
    // shown, and taking the verification back warns again.
    await romeoKey('changed', { replaces: [OLD_KEY] })(laptop);
    await laptop.service.restore({ kind: 'file', data: verifiedBackup.data }, verifiedBackup.code, true);
    const restored = laptop.contacts.keys(ACCOUNT, ROMEO);
    expect(restored[0]).toMatchObject({ trust: 'verified', verifiedAt: '2026-01-03T00:00:00.000Z' });
    expect(restored[0]?.replaces).toBeUndefined();
    expect(markUnverified(restored, ROMEO_KEY)[0]).toMatchObject({ trust: 'changed', replaces: [OLD_KEY] });

    // The backup says not verified: what the verification here had cleared goes with it.
    await laptop.service.restore({ kind: 'file', data: unverifiedBackup.data }, unverifiedBackup.code, true);
    expect(laptop.contacts.keys(ACCOUNT, ROMEO)[0]).toEqual({ fingerprint: ROMEO_KEY, firstSeen: '2026-01-01T00:00:00.000Z', lastSeen: '2026-01-02T00:00:00.000Z', trust: 'unverified' });
  });

  it('a wrong code, a typo, a damaged file and another account’s backup each say so and change nothing', async () => {
    const laptop = await device();
    await addKey(laptop, keyA);
    const backup = await fileBackup(laptop);
    const fresh = await device();
    const before = stored(fresh);
    const restore = (data: Buffer, code: string) => fresh.service.restore({ kind: 'file', data }, code);

    expect(await codeOf(restore(backup.data, generateBackupCode()))).toBe('wrong-backup-code');
    expect(await codeOf(restore(backup.data, backup.code.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'))))).toBe('backup-code-mistyped');
    const damaged = Buffer.from(backup.data);
    damaged[damaged.length - 100] = (damaged[damaged.length - 100] ?? 0) ^ 1;
    expect(await codeOf(restore(damaged, backup.code))).toBe('backup-damaged');
    expect(await codeOf(restore(Buffer.from('not a backup'), backup.code))).toBe('not-a-backup');

    const romeosDevice = await device(ROMEO);
    expect(await codeOf(romeosDevice.service.restore({ kind: 'file', data: backup.data }, backup.code))).toBe('backup-other-account');
    expect(stored(fresh)).toBe(before);
    expect(romeosDevice.vaults.vault.account(ROMEO)).toBeUndefined();
  });

  it('a backup whose private key does not fit its certificate is refused as damaged, and nothing is restored', async () => {
    const der = await createSelfSignedCertificate({ bareJid: ACCOUNT, privateKey: keyA });
    const content = {
      kind: BACKUP_CONTENT_KIND,
      version: BACKUP_CONTENT_VERSION,
      account: ACCOUNT,
      createdAt: new Date().toISOString(),
      ownKeys: [
        {
          fingerprint: certificateFingerprint(der),
          certificate: der.toString('base64'),
          privateKey: keyB.export({ type: 'pkcs8', format: 'der' }).toString('base64'),
          createdAt: new Date().toISOString(),
          revocations: [],
        },
      ],
      contacts: {},
    };
    const { blob, code } = await createBackup({ account: ACCOUNT, content, kdf: LIGHT_KDF });
    const fresh = await device();
    expect(await codeOf(fresh.service.restore({ kind: 'file', data: blob }, code))).toBe('backup-damaged');
    expect(fresh.vaults.vault.account(ACCOUNT)).toBeUndefined();
  });
});
