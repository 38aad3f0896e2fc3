/**
 * The vault written in pieces (json-chunks.ts, reusing the bytes of unchanged parts) is, byte for byte,
 * the version 3 file the single-Buffer writer made for the same document, write after write; and the
 * documents the vault holds are deep-frozen, so a change made in place (which would be written with
 * stale bytes) throws instead.
 */
import { createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deepFreeze } from '../../../main/vault/deep-freeze.js';
import type { VaultDocument } from '../../../main/vault/schema.js';
import { ContactKeysStore } from '../../../main/vault/stores/contact-keys-store.js';
import type { VaultHolder } from '../../../main/vault/vault-holder.js';
import { writeVaultFile, type Authenticator } from '../../../main/vault/vault-file.js';
import { Vault, VAULT_FILE } from '../../../main/vault/vault.js';
import { LIGHT_SCRYPT, vaultWithContacts } from '../../support/vaults.js';
import { prng } from '../../support/prng.js';
import { singleBufferVaultFile } from '../../support/single-buffer-vault-file.js';
import { vaultFolderPerTest } from './vault-fixtures.js';

const folder = vaultFolderPerTest('keyring-chunked-write-');
const ACCOUNT = 'romeo@montague.lit';

const mac: Authenticator = (signed) => {
  const hmac = createHmac('sha256', 'test key');
  for (const piece of signed) hmac.update(piece);
  return hmac.digest('base64');
};

/** The writer before pieces (vault-file.ts as it was): one Buffer of the whole document. */
const singleBufferFile = (document: unknown): Buffer => singleBufferVaultFile(document, mac);

/** Strings JSON escapes, or that UTF-8 encodes in 2–4 bytes, or not at all (a lone surrogate). */
const ODD = ['Ромео 💌', '\ud800 lone \udc00', '\u0000\u0008\u001f\u007f\n"\\', '</script><!--', '\u2028\u2029', ''];

async function realisticVault(): Promise<Vault> {
  const random = prng(7);
  const contacts = Array.from({ length: 300 }, (_, n) => ({
    jid: n % 50 === 0 ? `${ODD[n % ODD.length] ?? ''}-${n}@capulet.lit` : `contact-${n}@capulet.lit`,
    fingerprint: random.bytes(32).toString('hex'),
    certificate: random.bytes(900).toString('base64'),
  }));
  const { vault } = await vaultWithContacts(folder.dir, ACCOUNT, contacts);
  await vault.update((d) => {
    const account = d.accounts[ACCOUNT];
    if (!account) throw new Error('no account');
    account.settings = { host: ODD.join('|'), port: -0, lastScreen: '</script>' };
    account.queue = [];
    account.contactTrust = { [ODD[0] ?? '']: {} };
    d.accounts['juliet@capulet.lit'] = { jid: 'juliet@capulet.lit', settings: {}, ownKeys: [], contacts: {} };
  });
  return vault;
}

const fileNow = async (): Promise<Buffer> => readFile(join(folder.dir, VAULT_FILE));
const bodyOf = (file: Buffer): Buffer => file.subarray(file.indexOf(0x0a) + 1);

describe('the vault written in pieces', () => {
  it('is byte for byte what the single-Buffer writer made, for a realistic vault and after each kind of change', async () => {
    const vault = await realisticVault();
    const path = join(folder.dir, 'compare.json');
    const same = async (what: string): Promise<void> => {
      await writeVaultFile(path, vault.document, mac);
      expect((await readFile(path)).equals(singleBufferFile(vault.document)), what).toBe(true);
      // The vault's own file: its body is the same bytes (its MAC is under the vault key).
      expect(bodyOf(await fileNow()).equals(Buffer.from(JSON.stringify(vault.document), 'utf8')), `${what}: vault.json`).toBe(true);
    };
    await same('as made');
    const store = new ContactKeysStore({ vault } as unknown as VaultHolder);
    // One contact (a part, as a key fetch), several in one write, then a change to the whole document.
    await store.update(ACCOUNT, 'contact-3@capulet.lit', (stored) => ({ keys: stored.map((k) => ({ ...k, lastSeen: ODD[1] ?? '' })), result: undefined }));
    await same('one contact changed');
    await Promise.all(
      [5, 6, 7].map((n) =>
        store.update(ACCOUNT, `contact-${n}@capulet.lit`, (stored) => ({ keys: stored.map((k) => ({ ...k, trust: 'verified' as const })), result: undefined })),
      ),
    );
    await store.update(ACCOUNT, 'new-💌@capulet.lit', () => ({ keys: [], result: undefined }));
    await same('several contacts changed, one added');
    await vault.update((d) => {
      delete d.accounts['juliet@capulet.lit'];
      const account = d.accounts[ACCOUNT];
      if (account) delete account.contacts['contact-4@capulet.lit'];
    });
    await same('a whole-document change');
    // The file reopens: checksum and MAC hold over the pieces.
    const reopened = await Vault.open({ dir: folder.dir, passphrase: 'correct horse battery', scrypt: LIGHT_SCRYPT });
    expect(JSON.stringify(reopened.document)).toBe(JSON.stringify(vault.document));
  });

  it('is byte for byte the single-Buffer file for edge values, frozen or not', async () => {
    const edge = {
      strings: ODD,
      keys: Object.fromEntries(ODD.map((s, n) => [s, n])),
      numbers: [-0, 0, 1e21, 1e-7, -1.5, 2 ** 53, NaN, Infinity],
      empty: { object: {}, array: [], nested: [[], [{}], { a: [] }] },
      skipped: { u: undefined, kept: [undefined] },
      deep: { a: { b: { c: { d: { e: { f: ODD } } } } } },
    };
    const path = join(folder.dir, 'edge.json');
    for (const document of [edge, deepFreeze(structuredClone(edge)), deepFreeze(structuredClone(edge))]) {
      await writeVaultFile(path, document, mac);
      expect((await readFile(path)).equals(singleBufferFile(document))).toBe(true);
    }
    // A document not frozen may change in place between writes (only the vault's own are frozen).
    edge.deep.a.b.c.d.e.f = ['changed'];
    edge.empty.nested.push([]);
    await writeVaultFile(path, edge, mac);
    expect((await readFile(path)).equals(singleBufferFile(edge))).toBe(true);
  });
});

describe('the documents the vault holds', () => {
  it('cannot be changed in place: that throws, and the vault and its file keep their state', async () => {
    const vault = await realisticVault();
    const before = JSON.stringify(vault.document);
    const document = vault.document as VaultDocument;
    const account = document.accounts[ACCOUNT];
    expect(() => {
      (account?.contacts['contact-1@capulet.lit']?.[0] as { trust: string }).trust = 'verified';
    }).toThrow(TypeError);
    expect(() => {
      document.accounts['mallory@evil.lit'] = { jid: 'mallory@evil.lit', settings: {}, ownKeys: [], contacts: {} };
    }).toThrow(TypeError);
    expect(() => (account?.ownKeys as unknown[]).push({})).toThrow(TypeError);
    expect(JSON.stringify(vault.document)).toBe(before);
  });

  it('keep their untouched parts from one state to the next (what makes reusing their bytes safe)', async () => {
    const vault = await realisticVault();
    const store = new ContactKeysStore({ vault } as unknown as VaultHolder);
    const before = vault.document;
    await store.update(ACCOUNT, 'contact-3@capulet.lit', () => ({ keys: [], result: undefined }));
    const after = vault.document;
    expect(after).not.toBe(before);
    expect(after.accounts[ACCOUNT]?.contacts['contact-4@capulet.lit']).toBe(before.accounts[ACCOUNT]?.contacts['contact-4@capulet.lit']);
    expect(after.accounts[ACCOUNT]?.settings).toBe(before.accounts[ACCOUNT]?.settings);
    expect(after.accounts['juliet@capulet.lit']).toBe(before.accounts['juliet@capulet.lit']);
    expect(Object.isFrozen(after.accounts[ACCOUNT]?.contacts['contact-3@capulet.lit'])).toBe(true);
  });
});
