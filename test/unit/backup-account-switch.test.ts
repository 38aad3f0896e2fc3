/**
 * A backup asked for juliet while another window signs in to mercutio: the passphrase's scrypt (a few
 * hundred ms) runs first, and before, the account was read only after it. Mercutio's private keys were
 * then backed up, put on mercutio's node (his older backups retracted) and recorded as made, with the
 * code shown to nobody (juliet's window drops the answer). Now the backup is juliet's, and nothing goes
 * to any node once she is signed out.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { KeyObject } from 'node:crypto';
import { createSelfSignedCertificate } from '../../main/keys/certificate.js';
import { certificateFingerprint } from '../../main/keys/fingerprint.js';
import { generateRsaKeyPair } from '../../main/keys/generate.js';
import { BackupService } from '../../main/services/backup.js';
import { BackupsStore } from '../../main/vault/stores/backups-store.js';
import { ContactKeysStore } from '../../main/vault/stores/contact-keys-store.js';
import { OtherKeysStore } from '../../main/vault/stores/other-keys-store.js';
import { OwnKeysStore } from '../../main/vault/stores/own-keys-store.js';
import { switchingSession } from '../support/switching-session.js';
import { unlockedVaults } from '../support/vaults.js';

const JULIET = 'juliet@capulet.lit';
const MERCUTIO = 'mercutio@verona.lit';
const PASSPHRASE = 'correct horse battery';
const LIGHT_KDF = { name: 'scrypt' as const, N: 2 ** 10, r: 8, p: 1 };

let julietKey: KeyObject;
let mercutioKey: KeyObject;
const dirs: string[] = [];
beforeAll(async () => {
  [{ privateKey: julietKey }, { privateKey: mercutioKey }] = await Promise.all([generateRsaKeyPair(2048), generateRsaKeyPair(2048)]);
}, 60_000);
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** One app holding a key of juliet's and one of mercutio's; juliet signed in; mercutio signs in during the passphrase check. */
async function appSwitchingDuringPassphrase() {
  const dir = await mkdtemp(join(tmpdir(), 'keyring-backup-switch-'));
  dirs.push(dir);
  const vaults = await unlockedVaults(dir, PASSPHRASE);
  const keys = new OwnKeysStore(vaults);
  const fingerprints: Record<string, string> = {};
  for (const [account, privateKey] of [
    [JULIET, julietKey],
    [MERCUTIO, mercutioKey],
  ] as const) {
    const der = await createSelfSignedCertificate({ bareJid: account, privateKey, validityDays: 365 });
    fingerprints[account] = certificateFingerprint(der);
    await keys.add(account, { fingerprint: certificateFingerprint(der), certificateDer: der, privateKey });
  }
  const session = switchingSession({ initial: { status: 'online', account: JULIET }, answer: () => Promise.resolve(undefined) });
  const vaultLock = {
    get protection() {
      return vaults.protection;
    },
    isPassphrase: async (passphrase: string) => {
      const right = await vaults.isPassphrase(passphrase);
      session.signIn(MERCUTIO); // another window's Connect, while scrypt runs
      return right;
    },
  };
  const service = new BackupService({
    ownKeys: keys,
    contactKeys: new ContactKeysStore(vaults),
    otherKeys: new OtherKeysStore(vaults),
    backups: new BackupsStore(vaults),
    session: session.port,
    vaultLock,
    revocations: { readNode: () => Promise.resolve([]) },
    kdf: LIGHT_KDF,
  });
  return { service, session, fingerprints };
}

describe('a backup asked for one account while another signs in', () => {
  it('to the account: nothing is sent to any node, in words', async () => {
    const { service, session } = await appSwitchingDuringPassphrase();
    const making = service.create({ file: false, toAccount: true, passphrase: PASSPHRASE });
    await expect(making).rejects.toThrow(`${JULIET} was signed out (another account was signed in) before the backup was put on it: nothing was sent to any account.`);
    expect(session.sent).toEqual([]);
    expect(service.status().backups).toEqual([]); // mercutio's: nothing recorded as made
  });

  it('to a file: the backup is of the account it was asked for, never the one signed in meanwhile', async () => {
    const { service, fingerprints } = await appSwitchingDuringPassphrase();
    const made = await service.create({ file: true, toAccount: false, passphrase: PASSPHRASE });
    expect(made.fingerprints).toEqual([fingerprints[JULIET]]);
    expect(made.file?.name).toContain('juliet');
  });
});
