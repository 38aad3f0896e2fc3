/**
 * A backup carries every trust decision about contacts (review-trust finding 2): a restore onto a new
 * device brings back the per-contact and account policies, comparisons that matched nothing, contacts'
 * key revocations and other apps' key trust; it never loosens what the device already holds; it still
 * restores an older (version 1) backup and says what that one lacks; and a damaged or crafted field is
 * refused in words, with nothing changed. Over real vaults and the real backup service, offline.
 */
import type { KeyObject } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openMismatches } from '../../contract/comparison.js';
import { KeyringError } from '../../main/errors.js';
import { createSelfSignedCertificate } from '../../main/keys/certificate.js';
import { certificateFingerprint } from '../../main/keys/fingerprint.js';
import { generateRsaKeyPair } from '../../main/keys/generate.js';
import { createRevocation, prepareRevocations, verifyRevocation } from '../../main/keys/revocation.js';
import { decideTrust, effectivePolicy } from '../../main/keys/trust-policy.js';
import { BackupService } from '../../main/services/backup.js';
import { createBackup } from '../../main/vault/backup-blob.js';
import { BACKUP_CONTENT_KIND } from '../../main/vault/backup-content.js';
import { storedRevocations } from '../../main/vault/contact-key-lifecycle.js';
import { decideSuccessorTrust } from '../../main/vault/key-continuity.js';
import { historyOf } from '../../main/vault/other-keys-trust.js';
import { BackupsStore } from '../../main/vault/stores/backups-store.js';
import { ContactKeysStore } from '../../main/vault/stores/contact-keys-store.js';
import { OtherKeysStore } from '../../main/vault/stores/other-keys-store.js';
import { OwnKeysStore } from '../../main/vault/stores/own-keys-store.js';
import type { VaultHolder } from '../../main/vault/vault-holder.js';
import { fakeSession } from '../support/fake-session.js';
import { unlockedVaults } from '../support/vaults.js';
import { makeKey } from './lifecycle/support.js';

const ACCOUNT = 'juliet@capulet.lit';
const ROMEO = 'romeo@montague.lit';
const ROMEO_KEY = 'a'.repeat(64);
const VAULT_PASSPHRASE = 'correct horse battery';
/** The lightest parameters a backup header accepts: these tests are about decisions, not the KDF. */
const LIGHT_KDF = { name: 'scrypt' as const, N: 2 ** 10, r: 8, p: 1 };

let ownKey: KeyObject;
const dirs: string[] = [];

beforeAll(async () => {
  ({ privateKey: ownKey } = await generateRsaKeyPair(2048));
}, 60_000);
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

interface Device {
  vaults: VaultHolder;
  contacts: ContactKeysStore;
  other: OtherKeysStore;
  service: BackupService;
}

/** One device of juliet's, offline, with its own vault and one own key (a backup always has keys). */
async function device(): Promise<Device> {
  const dir = await mkdtemp(join(tmpdir(), 'keyring-backup-trust-'));
  dirs.push(dir);
  const vaults = await unlockedVaults(dir, VAULT_PASSPHRASE);
  const keys = new OwnKeysStore(vaults);
  const contacts = new ContactKeysStore(vaults);
  const other = new OtherKeysStore(vaults);
  const session = fakeSession({ account: ACCOUNT, status: 'offline' });
  const service = new BackupService({ ownKeys: keys, contactKeys: contacts, otherKeys: other, backups: new BackupsStore(vaults), session, vaultLock: vaults, revocations: { readNode: () => Promise.resolve([]) }, kdf: LIGHT_KDF });
  return { vaults, contacts, other, service };
}

async function withOwnKey(on: Device): Promise<void> {
  const der = await createSelfSignedCertificate({ bareJid: ACCOUNT, privateKey: ownKey, validityDays: 365 });
  await new OwnKeysStore(on.vaults).add(ACCOUNT, { fingerprint: certificateFingerprint(der), certificateDer: der, privateKey: ownKey });
}

async function romeoSeen(on: Device): Promise<void> {
  await on.contacts.update(ACCOUNT, ROMEO, () => ({
    keys: [{ fingerprint: ROMEO_KEY, firstSeen: '2026-01-01T00:00:00.000Z', lastSeen: '2026-01-02T00:00:00.000Z', trust: 'unverified' }],
    result: undefined,
  }));
}

/** A file backup of `from` restored onto `to`. */
async function backupAndRestore(from: Device, to: Device, replace = false) {
  const made = await from.service.create({ file: true, toAccount: false, passphrase: VAULT_PASSPHRASE });
  return to.service.restore({ kind: 'file', data: Buffer.from(made.file?.dataBase64 ?? '', 'base64') }, made.code, replace);
}

/** What the app makes of romeo's key on `on`, under the policy that applies to him there. */
function romeoDecision(on: Device): string {
  const { policy } = effectivePolicy(on.contacts.accountPolicy(ACCOUNT), on.contacts.contactTrust(ACCOUNT, ROMEO).policy);
  const key = on.contacts.keys(ACCOUNT, ROMEO).find((k) => k.fingerprint === ROMEO_KEY);
  return key ? decideTrust(policy, key, on.contacts.contactTrust(ACCOUNT, ROMEO)) : 'absent';
}

const stored = (on: Device) => JSON.stringify(on.vaults.vault.account(ACCOUNT) ?? null);

describe('a restore onto a new device brings back', () => {
  it('a contact’s "manual" policy: their key seen but never compared is still not trusted', async () => {
    const laptop = await device();
    await withOwnKey(laptop);
    await romeoSeen(laptop);
    await laptop.contacts.updateContactTrust(ACCOUNT, ROMEO, (t) => ({ ...t, policy: 'manual' }));
    expect(romeoDecision(laptop)).toBe('untrusted');
    const fresh = await device();
    await backupAndRestore(laptop, fresh);
    expect(fresh.contacts.contactTrust(ACCOUNT, ROMEO).policy).toBe('manual');
    expect(romeoDecision(fresh)).toBe('untrusted');
  });

  it('the account’s default policy', async () => {
    const laptop = await device();
    await withOwnKey(laptop);
    await romeoSeen(laptop);
    await laptop.contacts.setAccountPolicy(ACCOUNT, 'manual');
    const fresh = await device();
    await backupAndRestore(laptop, fresh);
    expect(fresh.contacts.accountPolicy(ACCOUNT)).toBe('manual');
    expect(romeoDecision(fresh)).toBe('untrusted');
  });

  it('a comparison that matched nothing, still unanswered (shown red)', async () => {
    const laptop = await device();
    await withOwnKey(laptop);
    await romeoSeen(laptop);
    const mismatch = { offered: 'd'.repeat(64), at: '2026-01-03T00:00:00.000Z', via: 'typed' as const };
    await laptop.contacts.updateContactTrust(ACCOUNT, ROMEO, (t) => ({ ...t, mismatches: [mismatch] }));
    const fresh = await device();
    await backupAndRestore(laptop, fresh);
    const trust = fresh.contacts.contactTrust(ACCOUNT, ROMEO);
    expect(openMismatches(trust.mismatches ?? [], fresh.contacts.keys(ACCOUNT, ROMEO), trust.lastMatchAt)).toEqual([mismatch]);
  });

  it('a contact key’s revocation as compromised: a new certificate for that stolen key, published without the revocation, does not continue it as Verified', async () => {
    const stolen = await makeKey(ROMEO);
    const thiefsRenewal = await makeKey(ROMEO, { privateKey: stolen.privateKey });
    const check = verifyRevocation(await createRevocation({ bareJid: ROMEO, certificateDer: stolen.der, privateKey: stolen.privateKey, reason: 'compromised' }), { publisherJid: ROMEO });
    if (!check.valid) throw new Error(check.reason);
    const laptop = await device();
    await withOwnKey(laptop);
    await laptop.contacts.update(ACCOUNT, ROMEO, () => ({
      keys: [
        {
          fingerprint: stolen.fingerprint,
          certificate: stolen.der.toString('base64'),
          firstSeen: '2025-01-01T00:00:00.000Z',
          lastSeen: '2025-06-01T00:00:00.000Z',
          trust: 'retracted',
          retractedAt: '2025-06-01T00:00:00.000Z',
          verifiedAt: '2025-02-01T00:00:00.000Z',
          revocation: { reason: check.reason, date: check.date, publicKeyDigest: check.publicKeyDigest },
        },
      ],
      result: undefined,
    }));
    const fresh = await device();
    await backupAndRestore(laptop, fresh);
    expect(fresh.contacts.keys(ACCOUNT, ROMEO).find((k) => k.fingerprint === stolen.fingerprint)?.revocation).toEqual({ reason: 'compromised', date: check.date, publicKeyDigest: check.publicKeyDigest });
    // The stolen certificate comes back with the next fetch, its revocation left out of the node; the
    // new certificate is then judged with the revocations the records keep (contact-key-lifecycle.ts).
    const known = fresh.contacts.keys(ACCOUNT, ROMEO).map((k) => ({ ...k, certificate: stolen.der.toString('base64') }));
    const newKey = { fingerprint: thiefsRenewal.fingerprint, certificateDer: thiefsRenewal.der, status: 'valid' as const };
    expect(decideSuccessorTrust({ publisherJid: ROMEO, known, newKey, revocations: storedRevocations(known) })).toMatchObject({ kind: 'no-continuity', cause: 'predecessor-compromised' });
  }, 60_000);

  it('an OMEMO device and an OpenPGP key the person verified: still verified', async () => {
    const laptop = await device();
    await withOwnKey(laptop);
    const omemo = { protocol: 'omemo2' as const, deviceId: 4242, fingerprint: 'e'.repeat(64), firstSeen: '2026-01-01T00:00:00.000Z', lastSeen: '2026-01-02T00:00:00.000Z', verifiedAt: '2026-01-02T00:00:00.000Z', label: 'Phone' };
    const pgp = { protocol: 'openpgp' as const, fingerprint: 'F'.repeat(40), firstSeen: '2026-01-01T00:00:00.000Z', lastSeen: '2026-01-02T00:00:00.000Z', verifiedAt: '2026-01-02T00:00:00.000Z' };
    await laptop.other.update(ACCOUNT, ROMEO, () => ({ record: { firstRead: '2026-01-01T00:00:00.000Z', keys: [omemo, pgp] }, result: undefined }));
    const fresh = await device();
    await backupAndRestore(laptop, fresh);
    const keys = fresh.other.of(ACCOUNT, ROMEO)?.keys ?? [];
    expect(keys.map((k) => [k.protocol, k.fingerprint, historyOf(k).trust])).toEqual([
      ['omemo2', omemo.fingerprint, 'verified'],
      ['openpgp', pgp.fingerprint, 'verified'],
    ]);
  });
});

describe('a restore never loosens what the device holds', () => {
  it('a stricter policy, a revocation and an alarm here stay, even with replace; the backup’s unanswered alarm joins them', async () => {
    const laptop = await device();
    await withOwnKey(laptop);
    await romeoSeen(laptop);
    await laptop.contacts.setAccountPolicy(ACCOUNT, 'tofu');
    const theirs = { offered: 'd'.repeat(64), at: '2026-01-03T00:00:00.000Z', via: 'typed' as const };
    await laptop.contacts.updateContactTrust(ACCOUNT, ROMEO, () => ({ policy: 'tofu', mismatches: [theirs] }));

    const here = await device();
    await withOwnKey(here);
    const revocation = { reason: 'compromised' as const, date: '2026-01-04T00:00:00.000Z', publicKeyDigest: 'c'.repeat(64) };
    await here.contacts.update(ACCOUNT, ROMEO, () => ({
      keys: [{ fingerprint: ROMEO_KEY, firstSeen: '2026-01-01T00:00:00.000Z', lastSeen: '2026-01-04T00:00:00.000Z', trust: 'retracted', retractedAt: '2026-01-04T00:00:00.000Z', revocation }],
      result: undefined,
    }));
    await here.contacts.setAccountPolicy(ACCOUNT, 'btbv');
    const mine = { offered: 'f'.repeat(64), at: '2026-01-05T00:00:00.000Z', via: 'qr' as const };
    await here.contacts.updateContactTrust(ACCOUNT, ROMEO, () => ({ policy: 'manual', mismatches: [mine], lastMatchAt: '2026-01-01T00:00:00.000Z' }));

    await backupAndRestore(laptop, here, true);
    expect(here.contacts.accountPolicy(ACCOUNT)).toBe('btbv');
    const trust = here.contacts.contactTrust(ACCOUNT, ROMEO);
    expect(trust.policy).toBe('manual');
    expect(openMismatches(trust.mismatches ?? [], [], trust.lastMatchAt)).toEqual([mine, theirs]);
    expect(here.contacts.keys(ACCOUNT, ROMEO)[0]?.revocation).toEqual(revocation);
  });
});

describe('older and damaged backups', () => {
  /** A version 1 backup of juliet's, as the app before this change wrote it. */
  async function v1Backup(content: Record<string, unknown> = {}) {
    const der = await createSelfSignedCertificate({ bareJid: ACCOUNT, privateKey: ownKey, validityDays: 365 });
    return createBackup({
      account: ACCOUNT,
      kdf: LIGHT_KDF,
      content: {
        kind: BACKUP_CONTENT_KIND,
        version: 1,
        account: ACCOUNT,
        createdAt: '2026-01-05T00:00:00.000Z',
        ownKeys: [
          {
            fingerprint: certificateFingerprint(der),
            certificate: der.toString('base64'),
            privateKey: ownKey.export({ type: 'pkcs8', format: 'der' }).toString('base64'),
            createdAt: '2026-01-05T00:00:00.000Z',
            revocations: await prepareRevocations({ bareJid: ACCOUNT, certificateDer: der, privateKey: ownKey }),
          },
        ],
        contacts: { [ROMEO]: [{ fingerprint: ROMEO_KEY, trust: 'verified', verifiedAt: '2026-01-02T00:00:00.000Z', firstSeen: '2026-01-01T00:00:00.000Z' }] },
        ...content,
      },
    });
  }

  it('a version 1 backup still restores, and the answer names the decisions it does not carry', async () => {
    const fresh = await device();
    const { blob, code } = await v1Backup();
    const outcome = await fresh.service.restore({ kind: 'file', data: blob }, code);
    expect(outcome.keys.map((k) => k.outcome)).toEqual(['restored']);
    expect(outcome.trust).toEqual([{ jid: ROMEO, fingerprint: ROMEO_KEY, outcome: 'restored' }]);
    expect(fresh.contacts.keys(ACCOUNT, ROMEO)[0]).toMatchObject({ trust: 'verified', verifiedAt: '2026-01-02T00:00:00.000Z' });
    expect(outcome.notCarried).toEqual([
      'trust policies (yours and per contact)',
      'comparisons that matched nothing',
      'contacts’ key revocations',
      'changed keys you accepted',
      'trust in other apps’ keys (OMEMO, OpenPGP)',
    ]);
  });

  it('a version 2 backup with a damaged or crafted trust field is refused in words, and nothing changes', async () => {
    const laptop = await device();
    await withOwnKey(laptop);
    await romeoSeen(laptop);
    const made = await laptop.service.create({ file: true, toAccount: false, passphrase: VAULT_PASSPHRASE });
    const fresh = await device();
    const { openBackup } = await import('../../main/vault/backup-blob.js');
    const opened = await openBackup(Buffer.from(made.file?.dataBase64 ?? '', 'base64'), made.code, ACCOUNT);
    if (!opened.ok) throw new Error(opened.error.message);
    const good = opened.content as Record<string, unknown>;
    const crafted: [Record<string, unknown>, string][] = [
      [{ ...good, contactTrust: { [ROMEO]: { policy: 'trust-everyone' } } }, 'its trust decisions about contacts'],
      [{ ...good, contactTrust: { [ROMEO]: { mismatches: Array.from({ length: 65 }, () => ({ offered: 'd'.repeat(64), at: '2026-01-03T00:00:00.000Z', via: 'typed' })) } } }, 'its trust decisions about contacts'],
      [{ ...good, contactTrust: { 'not an address': {} } }, 'its trust decisions about contacts'],
      [{ ...good, trustPolicy: 'none' }, 'its trust policy'],
      [{ ...good, otherKeys: { [ROMEO]: { firstRead: 'yesterday', keys: [] } } }, 'its records of other apps’ keys'],
      [{ ...good, contacts: { [ROMEO]: [{ fingerprint: ROMEO_KEY, trust: 'unverified', firstSeen: '2026-01-01T00:00:00.000Z', lastSeen: '2026-01-01T00:00:00.000Z', revocation: { reason: 'lost', date: '2026-01-01T00:00:00.000Z', publicKeyDigest: 'c'.repeat(64) } }] } }, 'its records of contacts’ keys'],
      [{ ...good, otherKeys: undefined }, 'its records of other apps’ keys'],
    ];
    const before = stored(fresh);
    for (const [content, part] of crafted) {
      const { blob, code } = await createBackup({ account: ACCOUNT, content, kdf: LIGHT_KDF });
      const refusal = await fresh.service.restore({ kind: 'file', data: blob }, code).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refusal).toBeInstanceOf(KeyringError);
      expect(refusal).toMatchObject({ code: 'backup-damaged', message: `The backup’s content is not what this app writes (${part}). Nothing was restored.` });
      expect(stored(fresh)).toBe(before);
    }
  });
});
