/**
 * The vault saves changes in groups (vault.ts): a burst costs one write of the whole file, not one per
 * change, yet every change resolves only once it is on disk, a failed write fails each change of its
 * group and loses nothing committed before, and a faulty change fails alone.
 *
 * How many writes happened is read from the backup: every write first copies the current file to
 * `vault.json.bak`, so after the last write the backup holds the state before it.
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Vault, VAULT_FILE } from '../../../main/vault/vault.js';
import { readVaultFile } from '../../../main/vault/vault-file.js';
import { parseVaultDocument, type VaultDocument } from '../../../main/vault/schema.js';
import { LIGHT_SCRYPT, codeOf } from '../../support/vaults.js';

const PASSPHRASE = 'correct horse battery';
const ACCOUNT = 'romeo@montague.lit';
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keyring-group-commit-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function vaultWithAccount(): Promise<Vault> {
  const vault = await Vault.open({ dir, passphrase: PASSPHRASE, scrypt: LIGHT_SCRYPT });
  await vault.update((d) => {
    d.accounts[ACCOUNT] = { jid: ACCOUNT, settings: {}, ownKeys: [], contacts: {} };
  });
  return vault;
}

/** A change that remembers contact `n` (with no keys) and returns n. */
const addContact = (n: number) => (d: VaultDocument) => {
  const account = d.accounts[ACCOUNT];
  if (!account) throw new Error('no account');
  account.contacts[`contact-${n}@capulet.lit`] = [];
  return n;
};

const contactsIn = (document: VaultDocument | undefined): string[] => Object.keys(document?.accounts[ACCOUNT]?.contacts ?? {}).sort();
const onDisk = async (file = VAULT_FILE) => (await readVaultFile(join(dir, file), parseVaultDocument)).document;

describe('a burst of vault updates', () => {
  it('is saved by one write, and each update resolves only once its change is on disk', async () => {
    const vault = await vaultWithAccount();
    const path = join(dir, VAULT_FILE);
    const burst = Array.from({ length: 50 }, (_, n) =>
      vault.update(addContact(n)).then((result) => ({ result, onDiskWhenResolved: readFileSync(path, 'utf8').includes(`contact-${n}@`) })),
    );
    const settled = await Promise.all(burst);

    expect(settled.map((s) => s.result)).toEqual(Array.from({ length: 50 }, (_, n) => n));
    expect(settled.every((s) => s.onDiskWhenResolved)).toBe(true);
    expect(contactsIn(await onDisk())).toHaveLength(50);
    // One write: the backup is the file as it was before the burst, the account without contacts.
    expect(contactsIn(await onDisk(`${VAULT_FILE}.bak`))).toEqual([]);
  });

  it('shares the next single write when it arrives while a write is in flight', async () => {
    const vault = await vaultWithAccount();
    // After a write the vault pauses a little before the next; idle again, the next write starts at once.
    await new Promise((r) => setTimeout(r, 1000));
    const first = vault.update(addContact(0));
    // Let the first write start (its file operations are under way), then send the rest.
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    const rest = Array.from({ length: 20 }, (_, n) => vault.update(addContact(n + 1)));
    await Promise.all([first, ...rest]);

    expect(contactsIn(await onDisk())).toHaveLength(21);
    // Two writes in all: the backup holds the state after the first one.
    expect(contactsIn(await onDisk(`${VAULT_FILE}.bak`))).toEqual(['contact-0@capulet.lit']);
  });

  it('applies the changes in the order asked, each seeing the ones before it', async () => {
    const vault = await vaultWithAccount();
    const seen = await Promise.all(
      Array.from({ length: 10 }, (_, n) =>
        vault.update((d) => {
          addContact(n)(d);
          return Object.keys(d.accounts[ACCOUNT]?.contacts ?? {}).length;
        }),
      ),
    );
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('when its write fails, fails every change of the group with storage-failed and loses nothing', async () => {
    const vault = await vaultWithAccount();
    await vault.update(addContact(0));
    // The disk goes away under the vault (as in vault.test.ts), for the whole group.
    await rm(dir, { recursive: true, force: true });
    const codes = await Promise.all(Array.from({ length: 10 }, (_, n) => codeOf(vault.update(addContact(n + 1)))));
    expect(codes).toEqual(Array.from({ length: 10 }, () => 'storage-failed'));
    // Memory still holds exactly what was committed before.
    expect(contactsIn(vault.document as VaultDocument)).toEqual(['contact-0@capulet.lit']);

    // The disk comes back: the next write saves the committed state plus the new change, nothing else.
    await mkdir(dir, { recursive: true });
    await vault.update(addContact(99));
    expect(contactsIn(await onDisk())).toEqual(['contact-0@capulet.lit', 'contact-99@capulet.lit']);
    const reopened = await Vault.open({ dir, passphrase: PASSPHRASE });
    expect(contactsIn(reopened.document as VaultDocument)).toEqual(['contact-0@capulet.lit', 'contact-99@capulet.lit']);
  });

  it('fails only the change that throws or breaks the document; the others of its group are saved', async () => {
    const vault = await vaultWithAccount();
    const before = await readFile(join(dir, VAULT_FILE), 'utf8');
    const results = await Promise.allSettled([
      vault.update(addContact(1)),
      vault.update((d) => {
        addContact(2)(d); // half done, then fails: none of it may be saved
        throw new Error('this change fails');
      }),
      vault.update(addContact(3)),
      vault.update((d) => {
        (d.accounts as Record<string, unknown>)['bad'] = { jid: 1 };
      }),
      vault.update(addContact(4)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toEqual(new Error('this change fails'));
    const saved = contactsIn(await onDisk());
    expect(saved).toEqual(['contact-1@capulet.lit', 'contact-3@capulet.lit', 'contact-4@capulet.lit']);
    expect(contactsIn(vault.document as VaultDocument)).toEqual(saved);
    expect(await readFile(join(dir, VAULT_FILE), 'utf8')).not.toBe(before);
  });
});
