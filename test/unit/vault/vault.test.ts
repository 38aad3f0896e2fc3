import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Vault, VAULT_FILE } from '../../../main/vault/vault.js';
import { fakeKeychain } from '../../support/fake-keychain.js';
import { readEnvelope, writeEnvelope } from '../../support/vault-envelope.js';
import { LIGHT_SCRYPT, codeOf } from '../../support/vaults.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keyring-vault-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const addAccount = (vault: Vault, jid: string) =>
  vault.update((d) => {
    d.accounts[jid] = { jid, settings: {}, ownKeys: [], contacts: {} };
  });

describe('a passphrase-protected vault', () => {
  it('is created with a passphrase, reopens with it, and refuses a wrong or missing one', async () => {
    const vault = await Vault.open({ dir, passphrase: 'correct horse battery', scrypt: LIGHT_SCRYPT });
    expect(vault.protection).toBe('passphrase');
    await addAccount(vault, 'juliet@capulet.lit');

    const again = await Vault.open({ dir, passphrase: 'correct horse battery' });
    expect(again.account('juliet@capulet.lit')?.jid).toBe('juliet@capulet.lit');
    expect(await codeOf(Vault.open({ dir, passphrase: 'wrong horse battery' }))).toBe('wrong-passphrase');
    expect(await codeOf(Vault.open({ dir }))).toBe('vault-locked');
  });

  it('tells its own passphrase from another, as typed again, without reopening or writing the file', async () => {
    const vault = await Vault.open({ dir, passphrase: 'correct horse battery', scrypt: LIGHT_SCRYPT });
    await addAccount(vault, 'juliet@capulet.lit');
    const names = await readdir(dir);
    const bytes = await readFile(join(dir, VAULT_FILE));
    expect(await vault.isPassphrase('correct horse battery')).toBe(true);
    expect(await vault.isPassphrase('wrong horse battery')).toBe(false);
    expect(await vault.isPassphrase('correct horse battery ')).toBe(false);
    expect(await vault.isPassphrase('')).toBe(false);
    expect(await readdir(dir)).toEqual(names);
    expect(await readFile(join(dir, VAULT_FILE))).toEqual(bytes);
    // Unicode forms: 'é' composed and decomposed are one passphrase (NFC, as unlocking reads it).
    const accented = await Vault.open({ dir: join(dir, 'accented'), passphrase: 'caf\u00e9 horse battery', scrypt: LIGHT_SCRYPT });
    expect(await accented.isPassphrase('cafe\u0301 horse battery')).toBe(true);
  });

  it('will not be created without a passphrase when no keychain exists, nor with a short one', async () => {
    expect(await codeOf(Vault.open({ dir }))).toBe('vault-locked');
    expect(await codeOf(Vault.open({ dir, keychain: fakeKeychain(false) }))).toBe('vault-locked');
    expect(await codeOf(Vault.open({ dir, passphrase: 'short', scrypt: LIGHT_SCRYPT }))).toBe('invalid-argument');
  });

  it('keeps secrets only in sealed form on disk', async () => {
    const vault = await Vault.open({ dir, passphrase: 'correct horse battery', scrypt: LIGHT_SCRYPT });
    const secret = Buffer.from('PRIVATE-KEY-MATERIAL-0123456789');
    const sealed = vault.seal(secret, 'private-key:x');
    await vault.update((d) => {
      d.accounts['j@x.y'] = {
        jid: 'j@x.y',
        settings: {},
        ownKeys: [
          { fingerprint: 'a'.repeat(64), certificate: '', createdAt: 'now', privateKey: sealed, publications: [] },
        ],
        contacts: {},
      };
    });
    const onDisk = await readFile(join(dir, VAULT_FILE), 'utf8');
    expect(onDisk).not.toContain('PRIVATE-KEY-MATERIAL');
    expect(onDisk).not.toContain(secret.toString('base64'));
    const reopened = await Vault.open({ dir, passphrase: 'correct horse battery' });
    const stored = reopened.account('j@x.y')?.ownKeys[0]?.privateKey;
    expect(stored && reopened.open(stored, 'private-key:x').equals(secret)).toBe(true);
  });
});

describe('a keychain-protected vault', () => {
  it('needs no passphrase while the keychain is there, and says so when it is gone', async () => {
    const keychain = fakeKeychain();
    const vault = await Vault.open({ dir, keychain });
    expect(vault.protection).toBe('keychain');
    await addAccount(vault, 'romeo@montague.lit');
    expect((await Vault.open({ dir, keychain })).account('romeo@montague.lit')).toBeDefined();
    expect(await codeOf(Vault.open({ dir, keychain: fakeKeychain(false) }))).toBe('keychain-unavailable');
    // Another user's keychain cannot open it either.
    expect(await codeOf(Vault.open({ dir, keychain: fakeKeychain() }))).toBe('keychain-unavailable');
  });

  it('has no passphrase: none is taken for it', async () => {
    const vault = await Vault.open({ dir, keychain: fakeKeychain() });
    expect(await vault.isPassphrase('anything at all')).toBe(false);
  });

  it('remembers the account password only through the keychain', async () => {
    const keychain = fakeKeychain();
    const vault = await Vault.open({ dir, keychain });
    const sealed = vault.sealPassword('s3cret-pw');
    expect(sealed.data).not.toContain('s3cret');
    expect(vault.openPassword(sealed)).toBe('s3cret-pw');

    const passphraseDir = await mkdtemp(join(tmpdir(), 'keyring-vault-'));
    const noKeychain = await Vault.open({ dir: passphraseDir, passphrase: 'correct horse battery', scrypt: LIGHT_SCRYPT });
    expect(() => noKeychain.sealPassword('pw')).toThrow(/cannot be remembered/);
    await rm(passphraseDir, { recursive: true, force: true });
  });
});

describe('a damaged vault file', () => {
  async function vaultWithTwoVersions(): Promise<void> {
    const vault = await Vault.open({ dir, passphrase: 'correct horse battery', scrypt: LIGHT_SCRYPT });
    await addAccount(vault, 'juliet@capulet.lit');
    await addAccount(vault, 'nurse@capulet.lit');
  }

  it.each([
    ['truncated', (text: string) => text.slice(0, Math.floor(text.length / 2))],
    ['emptied', () => ''],
    ['one byte changed inside the body', (text: string) => text.replace('nurse@capulet.lit', 'nurse@capulet.liT')],
    ['replaced by something else', () => '{"hello":"world"}'],
  ])('when %s, is reported, set aside, and the previous good copy is used', async (_how, damage) => {
    await vaultWithTwoVersions();
    const path = join(dir, VAULT_FILE);
    await writeFile(path, damage(await readFile(path, 'utf8')));

    const vault = await Vault.open({ dir, passphrase: 'correct horse battery' });
    expect(vault.recovery?.reason).toBeTruthy();
    expect(vault.recovery?.setAsideAs).toMatch(/vault\.json\.damaged-/);
    // The backup is the state before the last write: juliet without the nurse.
    expect(vault.account('juliet@capulet.lit')).toBeDefined();
    expect(vault.account('nurse@capulet.lit')).toBeUndefined();
    // Nothing was deleted: the damaged file is still there for inspection.
    expect((await readdir(dir)).some((f) => f.startsWith('vault.json.damaged-'))).toBe(true);
    // And the main file is whole again.
    expect((await Vault.open({ dir, passphrase: 'correct horse battery' })).recovery).toBeUndefined();
  });

  it('fails clearly when the backup is damaged too, deleting nothing', async () => {
    await vaultWithTwoVersions();
    await writeFile(join(dir, VAULT_FILE), 'garbage');
    await writeFile(join(dir, `${VAULT_FILE}.bak`), 'garbage');
    expect(await codeOf(Vault.open({ dir, passphrase: 'correct horse battery' }))).toBe('vault-corrupt');
    expect((await readdir(dir)).some((f) => f.startsWith('vault.json.damaged-'))).toBe(true);
  });

  it('refuses a vault written by a newer version instead of overwriting it', async () => {
    await vaultWithTwoVersions();
    const path = join(dir, VAULT_FILE);
    const envelope = await readEnvelope(path);
    envelope.version = 99;
    await writeEnvelope(path, envelope);
    expect(await codeOf(Vault.open({ dir, passphrase: 'correct horse battery' }))).toBe('vault-corrupt');
    expect(await readEnvelope(path)).toMatchObject({ version: 99 });
  });
});

describe('a failed save', () => {
  it('reports storage-failed and leaves the state in memory unchanged', async () => {
    const vault = await Vault.open({ dir, passphrase: 'correct horse battery', scrypt: LIGHT_SCRYPT });
    await addAccount(vault, 'juliet@capulet.lit');
    // Take the folder away under the vault (as an unplugged disk would).
    await rm(dir, { recursive: true, force: true });
    expect(await codeOf(addAccount(vault, 'romeo@montague.lit'))).toBe('storage-failed');
    expect(vault.account('romeo@montague.lit')).toBeUndefined();
    expect(vault.account('juliet@capulet.lit')).toBeDefined();
  });

  it('rejects a change that would break the document, and saves nothing', async () => {
    const vault = await Vault.open({ dir, passphrase: 'correct horse battery', scrypt: LIGHT_SCRYPT });
    const before = await readFile(join(dir, VAULT_FILE), 'utf8');
    await expect(
      vault.update((d) => {
        (d.accounts as Record<string, unknown>)['bad'] = { jid: 1 };
      }),
    ).rejects.toThrow();
    expect(await readFile(join(dir, VAULT_FILE), 'utf8')).toBe(before);
  });
});
