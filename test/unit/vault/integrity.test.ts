/**
 * The vault document is authenticated under the vault key (vault-file.ts, vault.ts): whoever can write
 * the file but has neither the passphrase nor the keychain cannot change what the app trusts (a trust
 * state, the server host a saved password goes to, the CA it trusts, the queued publishes). The unkeyed
 * SHA-256 is public knowledge, so every attack here recomputes it, as an attacker would.
 */
import { copyFile, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKeyringCore } from '../../../main/core.js';
import { KeyringError } from '../../../main/errors.js';
import { silentLogger } from '../../../main/logger.js';
import { SecretBox } from '../../../main/vault/secret-box.js';
import type { VaultStatus } from '../../../contract/index.js';
import { signedBytes, VAULT_VERSION } from '../../../main/vault/vault-file.js';
import type { VaultDocument } from '../../../main/vault/schema.js';
import { Vault, VAULT_FILE, VaultTamperedError, type OsKeychain } from '../../../main/vault/vault.js';
import { fakeKeychain } from '../../support/fake-keychain.js';
import { bodySha256, readEnvelope as readEnvelopeOf, writeEnvelope, type EnvelopeOnDisk } from '../../support/vault-envelope.js';
import { LIGHT_SCRYPT } from '../../support/vaults.js';
import { FIXTURE_KEYCHAIN_KEY, fixture } from './vault-fixtures.js';

const PASSPHRASE = 'correct horse battery';
const JULIET = 'juliet@capulet.lit';
const ROMEO = 'romeo@montague.lit';
const FP = 'a'.repeat(64);
const ROMEO_FP = 'b'.repeat(64);

let dir: string;
let path: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keyring-integrity-'));
  path = join(dir, VAULT_FILE);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function failure(promise: Promise<unknown>): Promise<KeyringError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof KeyringError) return error;
    throw error;
  }
  throw new Error('expected the vault to refuse to open');
}

const readEnvelope = (file = path): Promise<EnvelopeOnDisk> => readEnvelopeOf(file);

/** Edits the document inside the file as an attacker without the key can: body, then the public checksum. */
async function editOnDisk(edit: (document: VaultDocument) => void, envelope?: (e: EnvelopeOnDisk) => void, file = path): Promise<void> {
  const e = await readEnvelope(file);
  const document = JSON.parse(e.body) as VaultDocument;
  edit(document);
  e.body = JSON.stringify(document);
  e.sha256 = bodySha256(e.body);
  envelope?.(e);
  await writeEnvelope(file, e);
}

const juliet = (document: VaultDocument) => {
  const account = document.accounts[JULIET];
  if (!account) throw new Error('no account in the vault');
  return account;
};

/** A vault with juliet's account (server settings, a key, romeo's key unverified, a queued publish), saved twice. */
async function julietsVault(options: { keychain?: OsKeychain } = {}): Promise<Vault> {
  const vault = await Vault.open({ dir, ...(options.keychain ? { keychain: options.keychain } : { passphrase: PASSPHRASE, scrypt: LIGHT_SCRYPT }) });
  await vault.update((d) => {
    d.accounts[JULIET] = {
      jid: JULIET,
      settings: { host: 'xmpp.capulet.lit', port: 5222, caFile: '/home/juliet/capulet-ca.pem' },
      ownKeys: [{ fingerprint: FP, certificate: 'TUlJQw==', createdAt: '2024-01-01T00:00:00.000Z', privateKey: vault.seal(Buffer.from('pk'), `private-key:${FP}`), publications: [] }],
      contacts: { [ROMEO]: [{ fingerprint: ROMEO_FP, firstSeen: '2024-01-01T00:00:00.000Z', lastSeen: '2024-01-01T00:00:00.000Z', trust: 'unverified' }] },
      queue: [{ id: 'q1', kind: 'publish', fingerprint: FP, access: { model: 'whitelist', allow: [ROMEO] }, requestedAt: '2024-01-02T00:00:00.000Z' }],
    };
  });
  // A second save, so that the backup copy holds juliet's account too.
  await vault.update((d) => {
    juliet(d).settings.port = 5223;
  });
  return vault;
}

const ATTACKS: [string, (d: VaultDocument) => void][] = [
  ["marks romeo's key verified", (d) => {
    const key = juliet(d).contacts[ROMEO]?.[0];
    if (key) key.trust = 'verified';
  }],
  ['points the account at another server (which would receive the saved password)', (d) => {
    juliet(d).settings.host = 'evil.example';
  }],
  ['swaps in another CA to trust', (d) => {
    juliet(d).settings.caFile = '/tmp/attacker-ca.pem';
  }],
  ['queues a publish to everyone', (d) => {
    juliet(d).queue = [{ id: 'q2', kind: 'publish', fingerprint: FP, access: { model: 'open' }, requestedAt: '2024-01-03T00:00:00.000Z' }];
  }],
  ['replaces a contact key with its own', (d) => {
    juliet(d).contacts[ROMEO] = [{ fingerprint: 'c'.repeat(64), firstSeen: '2024-01-01T00:00:00.000Z', lastSeen: '2024-01-01T00:00:00.000Z', trust: 'verified' }];
  }],
];

describe('a vault file edited without the vault key', () => {
  it.each(ATTACKS)('that %s refuses to open, says why, and leaves the file as it is', async (_what, attack) => {
    await julietsVault();
    await editOnDisk(attack);
    const edited = await readFile(path, 'utf8');

    const error = await failure(Vault.open({ dir, passphrase: PASSPHRASE }));
    expect(error.code).toBe('vault-tampered');
    expect(error.message).toMatch(/^The vault file was changed outside the app/);
    expect(error.message).toMatch(/backup copy .* checks out/);
    expect(error instanceof VaultTamperedError && error.backupAvailable).toBe(true);
    expect(await readFile(path, 'utf8')).toBe(edited);
    expect(await readdir(dir)).toEqual(expect.not.arrayContaining([expect.stringMatching(/tampered|damaged/)]));
  });

  it('is refused the same way for a keychain-protected vault', async () => {
    const keychain = fakeKeychain();
    await julietsVault({ keychain });
    await editOnDisk((d) => (juliet(d).settings.host = 'evil.example'));
    expect((await failure(Vault.open({ dir, keychain }))).code).toBe('vault-tampered');
  });

  it('is refused when the seal is simply removed', async () => {
    await julietsVault();
    await editOnDisk((d) => (juliet(d).settings.host = 'evil.example'), (e) => delete e.mac);
    expect((await failure(Vault.open({ dir, passphrase: PASSPHRASE }))).code).toBe('vault-tampered');
  });

  it("is refused when re-locked with the attacker's own passphrase and sealed with that key", async () => {
    await julietsVault();
    // The attacker makes a vault of their own and moves its lock (and a valid seal with its key) over.
    const other = await Vault.open({ dir: join(dir, 'attacker'), passphrase: 'attacker passphrase', scrypt: LIGHT_SCRYPT });
    const lock = other.document.protection;
    if (lock.kind !== 'passphrase') throw new Error('expected a passphrase lock');
    const attacker = await SecretBox.fromPassphrase('attacker passphrase', lock.kdf);
    await editOnDisk(
      (d) => {
        d.protection = lock;
        juliet(d).settings.host = 'evil.example';
      },
      (e) => (e.mac = attacker.authenticate(signedBytes(e.version, Buffer.from(e.body, 'utf8')), 'vault-document')),
    );
    expect((await Vault.open({ dir, passphrase: 'attacker passphrase' })).account(JULIET)?.settings.host).toBe('evil.example');
    // Juliet's passphrase no longer opens the file's lock, but still opens the backup's: that is tampering.
    const error = await failure(Vault.open({ dir, passphrase: PASSPHRASE }));
    expect(error.code).toBe('vault-tampered');
    expect(error instanceof VaultTamperedError && error.backupAvailable).toBe(true);
  });

  it('with the wrong passphrase is still just a wrong passphrase', async () => {
    await julietsVault();
    expect((await failure(Vault.open({ dir, passphrase: 'wrong horse battery' }))).code).toBe('wrong-passphrase');
    await editOnDisk((d) => (juliet(d).settings.host = 'evil.example'));
    expect((await failure(Vault.open({ dir, passphrase: 'wrong horse battery' }))).code).toBe('wrong-passphrase');
  });
});

describe('opening the backup copy instead', () => {
  it('opens the last authentic state and sets the changed file aside without deleting it', async () => {
    await julietsVault();
    await editOnDisk((d) => (juliet(d).settings.host = 'evil.example'));
    const edited = await readFile(path, 'utf8');

    const vault = await Vault.open({ dir, passphrase: PASSPHRASE, useBackup: true });
    // The backup is the state before the last save: port 5222, and never the attacker's host.
    expect(vault.account(JULIET)?.settings).toEqual({ host: 'xmpp.capulet.lit', port: 5222, caFile: '/home/juliet/capulet-ca.pem' });
    expect(vault.recovery?.reason).toMatch(/changed outside the app/);
    expect(vault.recovery?.setAsideAs).toMatch(/vault\.json\.tampered-/);
    expect(await readFile(vault.recovery?.setAsideAs ?? '', 'utf8')).toBe(edited);
    // The main file is whole again, and so is its backup.
    const again = await Vault.open({ dir, passphrase: PASSPHRASE });
    expect(again.recovery).toBeUndefined();
    expect(again.account(JULIET)?.settings.host).toBe('xmpp.capulet.lit');
  });

  it('does nothing special when the file checks out (no rollback on request)', async () => {
    await julietsVault();
    const vault = await Vault.open({ dir, passphrase: PASSPHRASE, useBackup: true });
    expect(vault.account(JULIET)?.settings.port).toBe(5223);
    expect(vault.recovery).toBeUndefined();
    expect(await readdir(dir)).toEqual(expect.not.arrayContaining([expect.stringMatching(/tampered/)]));
  });

  it('is not offered when the backup was edited too', async () => {
    await julietsVault();
    await editOnDisk((d) => (juliet(d).settings.host = 'evil.example'));
    await editOnDisk((d) => (juliet(d).settings.host = 'evil.example'), undefined, `${path}.bak`);
    const error = await failure(Vault.open({ dir, passphrase: PASSPHRASE }));
    expect(error.code).toBe('vault-tampered');
    expect(error.message).toMatch(/No backup copy checks out either/);
    expect(error instanceof VaultTamperedError && error.backupAvailable).toBe(false);
    expect((await failure(Vault.open({ dir, passphrase: PASSPHRASE, useBackup: true }))).code).toBe('vault-tampered');
  });

  it('works through the IPC contract: the status says why and offers the backup, vault:unlock useBackup opens it', async () => {
    await julietsVault();
    await editOnDisk((d) => (juliet(d).settings.host = 'evil.example'));
    const core = createKeyringCore({ host: 'browser', version: 'test', log: silentLogger, dataDir: dir, scrypt: LIGHT_SCRYPT });
    try {
      const refused = await core.dispatch('vault:unlock', { passphrase: PASSPHRASE });
      expect(refused).toMatchObject({ ok: false, error: { code: 'vault-tampered' } });
      const status = await core.dispatch('vault:status', undefined);
      expect(status).toMatchObject({
        ok: true,
        value: { open: false, tampered: { reason: expect.stringMatching(/changed outside the app/) as unknown, backupAvailable: true } },
      });

      const opened = await core.dispatch('vault:unlock', { passphrase: PASSPHRASE, useBackup: true });
      expect(opened).toMatchObject({ ok: true, value: { open: true, recovered: expect.stringMatching(/changed outside the app/) as unknown } });
      const after = await core.dispatch('vault:status', undefined);
      expect(after).toMatchObject({ ok: true, value: { open: true } });
      expect(after.ok && (after.value as VaultStatus).tampered).toBeUndefined();
    } finally {
      await core.dispose();
    }
  });
});

describe('a vault written before the seal existed (version 1)', () => {
  it.each([
    ['passphrase', 'v1-passphrase.json', () => ({ passphrase: PASSPHRASE })],
    ['keychain', 'v1-keychain.json', () => ({ keychain: fakeKeychain(true, FIXTURE_KEYCHAIN_KEY) })],
  ])('(%s) still opens, and is upgraded: file and backup both sealed', async (_kind, name, unlock) => {
    await copyFile(fixture(name), path);
    expect((await readEnvelope()).version).toBe(1);
    const vault = await Vault.open({ dir, ...unlock() });
    const account = vault.account(JULIET);
    expect(account?.settings.host).toBe('xmpp.capulet.lit');
    expect(account?.contacts[ROMEO]?.[0]?.trust).toBe('unverified');
    const sealed = account?.ownKeys[0]?.privateKey;
    expect(sealed && vault.open(sealed, `private-key:${FP}`).toString()).toBe('juliet private key bytes');

    for (const file of [path, `${path}.bak`]) {
      const envelope = await readEnvelope(file);
      expect(envelope.version, file).toBe(VAULT_VERSION);
      expect(envelope.mac, file).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    }
    // And from now on an edit is caught.
    await editOnDisk((d) => (juliet(d).settings.host = 'evil.example'));
    expect((await failure(Vault.open({ dir, ...unlock() }))).code).toBe('vault-tampered');
  });
});

describe('a sealed vault rewritten in the old format (downgrade to version 1, no seal)', () => {
  const downgrade = (e: EnvelopeOnDisk) => {
    e.version = 1;
    delete e.mac;
  };

  it.each([
    ['passphrase', () => ({ passphrase: PASSPHRASE }), undefined],
    ['keychain', undefined, fakeKeychain()],
  ])('(%s) is refused', async (_kind, passphrase, keychain) => {
    await julietsVault(keychain ? { keychain } : {});
    const unlock = passphrase ? passphrase() : { keychain };
    await editOnDisk((d) => (juliet(d).settings.host = 'evil.example'), downgrade);
    const error = await failure(Vault.open({ dir, ...unlock }));
    expect(error.code).toBe('vault-tampered');
    expect(error.message).toMatch(/older format without a seal/);
  });

  it('is refused for a vault upgraded from version 1 too, even unchanged', async () => {
    await copyFile(fixture('v1-passphrase.json'), path);
    await Vault.open({ dir, passphrase: PASSPHRASE });
    await editOnDisk(() => undefined, downgrade);
    expect((await failure(Vault.open({ dir, passphrase: PASSPHRASE }))).code).toBe('vault-tampered');
  });
});
