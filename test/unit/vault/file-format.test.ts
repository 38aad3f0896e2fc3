/**
 * The vault file's version 3 layout (vault-file.ts): a JSON header line, then the document's bytes as
 * they are, so a write encodes the document once. What must hold: version 2 (and 1: integrity.test.ts)
 * files and their backups still open; damage (truncation, a flipped byte) is still found before
 * unlocking and the backup used; relabelling the version is caught; a newer version is refused.
 * Tampering without the key is covered for the current version by integrity.test.ts.
 */
import { createHash } from 'node:crypto';
import { copyFile, readFile, readdir, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { KeyringError } from '../../../main/errors.js';
import { Vault, VAULT_FILE } from '../../../main/vault/vault.js';
import { fakeKeychain } from '../../support/fake-keychain.js';
import { bodySha256, readEnvelope, writeEnvelope } from '../../support/vault-envelope.js';
import { LIGHT_SCRYPT, codeOf } from '../../support/vaults.js';
import { FIXTURE_KEYCHAIN_KEY, fixture, vaultFolderPerTest } from './vault-fixtures.js';

const PASSPHRASE = 'correct horse battery';
const JULIET = 'juliet@capulet.lit';
const ROMEO = 'romeo@montague.lit';
const folder = vaultFolderPerTest('keyring-file-format-');

const addAccount = (vault: Vault, jid: string) =>
  vault.update((d) => {
    d.accounts[jid] = { jid, settings: { host: 'xmpp.capulet.lit' }, ownKeys: [], contacts: {} };
  });

/** A version 3 vault saved twice: the backup holds juliet alone, the file juliet and the nurse. */
async function twoSaves(): Promise<void> {
  const vault = await Vault.open({ dir: folder.dir, passphrase: PASSPHRASE, scrypt: LIGHT_SCRYPT });
  await addAccount(vault, JULIET);
  await addAccount(vault, 'nurse@capulet.lit');
}

const isDamagedAndBackupUsed = async (): Promise<string | undefined> => {
  const vault = await Vault.open({ dir: folder.dir, passphrase: PASSPHRASE });
  expect(vault.account(JULIET)).toBeDefined();
  expect(vault.account('nurse@capulet.lit')).toBeUndefined();
  expect((await readdir(folder.dir)).some((f) => f.startsWith(`${VAULT_FILE}.damaged-`))).toBe(true);
  return vault.recovery?.reason;
};

describe('a vault written now (version 3)', () => {
  it('is a header line, then the document as plain JSON bytes, which the checksum covers', async () => {
    const vault = await Vault.open({ dir: folder.dir, passphrase: PASSPHRASE, scrypt: LIGHT_SCRYPT });
    // Text that JSON escapes, and more than one byte per character in UTF-8.
    await vault.update((d) => {
      d.accounts[JULIET] = { jid: JULIET, settings: { host: 'xmpp.capulet.lit', caFile: '/home/juliet/"Zürich" ☃\\ca.pem' }, ownKeys: [], contacts: {} };
    });
    const bytes = await readFile(folder.path);
    const newline = bytes.indexOf(0x0a);
    const header = JSON.parse(bytes.subarray(0, newline).toString('utf8')) as Record<string, unknown>;
    const body = bytes.subarray(newline + 1);
    expect(Object.keys(header).sort()).toEqual(['format', 'mac', 'sha256', 'version']);
    expect(header).toMatchObject({ format: 'keyring-for-xmpp/vault', version: 3, mac: expect.stringMatching(/^[A-Za-z0-9+/]{43}=$/) as unknown });
    expect(header.sha256).toBe(createHash('sha256').update(body).digest('hex'));
    // The body is the document itself, not escaped a second time.
    expect(body.toString('utf8')).toBe(JSON.stringify(vault.document));
    expect(body.toString('utf8')).toContain('"caFile":"/home/juliet/\\"Zürich\\" ☃\\\\ca.pem"');
    expect((await Vault.open({ dir: folder.dir, passphrase: PASSPHRASE })).account(JULIET)?.settings.caFile).toBe('/home/juliet/"Zürich" ☃\\ca.pem');
  });

  it.each([
    ['cut inside the body', (b: Buffer) => b.subarray(0, b.length - 100)],
    ['cut inside the header', (b: Buffer) => b.subarray(0, 60)],
    ['cut right after the header', (b: Buffer) => b.subarray(0, b.indexOf(0x0a) + 1)],
    ['one byte flipped in the body', (b: Buffer) => flip(b, b.length - 50)],
    ['one byte flipped in the header', (b: Buffer) => flip(b, 20)],
    ['the checksum changed', (b: Buffer) => Buffer.from(b.toString('utf8').replace(/"sha256":"./, '"sha256":"_'))],
  ])('when %s, is found damaged before unlocking, set aside, and the backup used', async (_how, damage) => {
    await twoSaves();
    await writeFile(folder.path, damage(await readFile(folder.path)));
    expect(await isDamagedAndBackupUsed()).toBeTruthy();
  });

  it('relabelled as version 2 in its own layout is damaged, and the backup used', async () => {
    await twoSaves();
    const envelope = await readEnvelope(folder.path);
    const bytes = await readFile(folder.path);
    await writeFile(folder.path, Buffer.concat([Buffer.from(JSON.stringify({ ...envelope, body: undefined, version: 2 }) + '\n'), bytes.subarray(bytes.indexOf(0x0a) + 1)]));
    expect(await isDamagedAndBackupUsed()).toBe('not a vault file');
  });

  it('rewritten as a version 2 envelope with its seal is refused: the seal covers the version', async () => {
    await twoSaves();
    const envelope = await readEnvelope(folder.path);
    await writeEnvelope(folder.path, { ...envelope, version: 2 });
    expect(await codeOf(Vault.open({ dir: folder.dir, passphrase: PASSPHRASE }))).toBe('vault-tampered');
  });

  it.each([
    ['in the header line', (e: Awaited<ReturnType<typeof readEnvelope>>) => writeEnvelope(folder.path, { ...e, version: 4 })],
    ['as an envelope', (e: Awaited<ReturnType<typeof readEnvelope>>) => writeFile(folder.path, JSON.stringify({ ...e, version: 4 }))],
  ])('with a newer version %s is refused and left as it is', async (_where, relabel) => {
    await twoSaves();
    await relabel(await readEnvelope(folder.path));
    const before = await readFile(folder.path);
    const error = await Vault.open({ dir: folder.dir, passphrase: PASSPHRASE }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeyringError);
    expect((error as KeyringError).code).toBe('vault-corrupt');
    expect((error as KeyringError).message).toMatch(/newer version \(format 4\)/);
    expect(await readFile(folder.path)).toEqual(before);
    expect(await readdir(folder.dir)).toEqual(expect.not.arrayContaining([expect.stringMatching(/damaged|tampered/)]));
  });
});

describe('a vault written before (version 2)', () => {
  it.each([
    ['passphrase', 'v2-passphrase.json', () => ({ passphrase: PASSPHRASE })],
    ['keychain', 'v2-keychain.json', () => ({ keychain: fakeKeychain(true, FIXTURE_KEYCHAIN_KEY) })],
  ])('(%s) opens; the next save writes version 3 and keeps the version 2 file as the backup, which still opens', async (_kind, name, unlock) => {
    await copyFile(fixture(name), folder.path);
    const vault = await Vault.open({ dir: folder.dir, ...unlock() });
    expect(vault.account(JULIET)?.settings.host).toBe('xmpp.capulet.lit');
    expect(vault.account(JULIET)?.contacts[ROMEO]?.[0]?.trust).toBe('unverified');
    const sealed = vault.account(JULIET)?.ownKeys[0]?.privateKey;
    expect(sealed && vault.open(sealed, `private-key:${'a'.repeat(64)}`).toString()).toBe('juliet private key bytes');
    expect(vault.recovery).toBeUndefined();

    await vault.update((d) => {
      const juliet = d.accounts[JULIET];
      if (juliet) juliet.settings.port = 5223;
    });
    expect((await readEnvelope(folder.path)).version).toBe(3);
    expect(await readFile(`${folder.path}.bak`)).toEqual(await readFile(fixture(name)));
    // The version 3 file goes bad: the version 2 backup is used.
    await writeFile(folder.path, 'garbage');
    const fromBackup = await Vault.open({ dir: folder.dir, ...unlock() });
    expect(fromBackup.recovery?.reason).toBeTruthy();
    expect(fromBackup.account(JULIET)?.settings.port).toBe(5222);
  });

  it('edited without the key is still refused', async () => {
    await copyFile(fixture('v2-passphrase.json'), folder.path);
    const envelope = await readEnvelope(folder.path);
    expect(envelope.version).toBe(2);
    envelope.body = envelope.body.replace('xmpp.capulet.lit', 'evil.example');
    envelope.sha256 = bodySha256(envelope.body);
    await writeEnvelope(folder.path, envelope);
    expect(await codeOf(Vault.open({ dir: folder.dir, passphrase: PASSPHRASE }))).toBe('vault-tampered');
  });

  it('still opens when a person reformatted it (JSON over several lines)', async () => {
    const envelope = JSON.parse(await readFile(fixture('v2-passphrase.json'), 'utf8')) as object;
    await writeFile(folder.path, JSON.stringify(envelope, null, 2));
    expect((await Vault.open({ dir: folder.dir, passphrase: PASSPHRASE })).account(JULIET)?.settings.host).toBe('xmpp.capulet.lit');
  });
});

function flip(bytes: Buffer, at: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[at] = (copy[at] ?? 0) ^ 0x01;
  return copy;
}
