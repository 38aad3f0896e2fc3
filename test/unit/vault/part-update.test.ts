/**
 * Saving one contact's keys copies and checks only that contact's records (vault.ts updatePart, used by
 * ContactKeysStore): with 2,000 contacts, copying and checking the whole document cost ~45 ms of the
 * event loop at every write. What must still hold: the state in memory changes only once the write is
 * on disk, a change that breaks its part fails alone, nothing of the old state is modified, and such
 * changes share a write with changes to the whole document.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Vault } from '../../../main/vault/vault.js';
import type { ContactKeyRecord, VaultDocument } from '../../../main/vault/schema.js';
import { AccountSettingsStore } from '../../../main/vault/stores/account-settings-store.js';
import { ContactKeysStore } from '../../../main/vault/stores/contact-keys-store.js';
import { ContactProfilesStore } from '../../../main/vault/stores/contact-profiles-store.js';
import { OtherKeysStore } from '../../../main/vault/stores/other-keys-store.js';
import { OwnProfileStore } from '../../../main/vault/stores/own-profile-store.js';
import { PublishedNodesStore } from '../../../main/vault/stores/published-nodes-store.js';
import { RosterStore } from '../../../main/vault/stores/roster-store.js';
import type { VaultHolder } from '../../../main/vault/vault-holder.js';
import { LIGHT_SCRYPT } from '../../support/vaults.js';

const ACCOUNT = 'romeo@montague.lit';
const CONTACTS = Array.from({ length: 50 }, (_, n) => `contact-${n}@capulet.lit`);
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keyring-part-update-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const record = (n: number): ContactKeyRecord => ({
  fingerprint: n.toString(16).padStart(64, '0'),
  certificate: 'AAAA',
  firstSeen: '2026-12-01T00:00:00.000Z',
  lastSeen: '2026-12-01T00:00:00.000Z',
  trust: 'unverified',
});

async function open(): Promise<{ vault: Vault; store: ContactKeysStore }> {
  const vault = await Vault.open({ dir, passphrase: 'correct horse battery', scrypt: LIGHT_SCRYPT });
  const store = new ContactKeysStore({ vault } as unknown as VaultHolder);
  return { vault, store };
}

const contactsOf = (vault: Vault) => vault.document.accounts[ACCOUNT]?.contacts ?? {};

describe('saving one contact’s keys', () => {
  it('copies only that contact: the others are shared with the state before, which stays as it was', async () => {
    const { vault, store } = await open();
    // The first save makes the account (its parent is missing, so the whole document is used).
    await Promise.all(CONTACTS.map((jid, n) => store.update(ACCOUNT, jid, () => ({ keys: [record(n)], result: undefined }))));
    const before = vault.document;
    const beforeText = JSON.stringify(before);

    await store.update(ACCOUNT, CONTACTS[0] as string, (stored) => ({ keys: [...stored, record(1000)], result: undefined }));

    const after = contactsOf(vault);
    expect(after[CONTACTS[0] as string]?.map((k) => k.fingerprint)).toEqual([record(0).fingerprint, record(1000).fingerprint]);
    // Untouched contacts are the very same objects (not copied); the old state was not modified.
    for (const jid of CONTACTS.slice(1)) expect(after[jid]).toBe(before.accounts[ACCOUNT]?.contacts[jid]);
    expect(JSON.stringify(before)).toBe(beforeText);
    expect(vault.document).not.toBe(before);

    // And it is what is on disk.
    const reopened = await Vault.open({ dir, passphrase: 'correct horse battery' });
    expect(reopened.document).toEqual(vault.document);
  });

  it('refuses records that break the schema, alone: the rest of the group is saved, the old state untouched', async () => {
    const { vault, store } = await open();
    await store.update(ACCOUNT, 'a@capulet.lit', () => ({ keys: [record(1)], result: undefined }));
    const before = vault.document;
    const results = await Promise.allSettled([
      store.update(ACCOUNT, 'b@capulet.lit', () => ({ keys: [record(2)], result: 'b' })),
      store.update(ACCOUNT, 'a@capulet.lit', () => ({ keys: [{ ...record(3), fingerprint: 'not hex' }], result: 'bad' })),
      store.update(ACCOUNT, 'c@capulet.lit', () => ({ keys: [record(4)], result: 'c' })),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(Object.keys(contactsOf(vault)).sort()).toEqual(['a@capulet.lit', 'b@capulet.lit', 'c@capulet.lit']);
    expect(contactsOf(vault)['a@capulet.lit']).toEqual([record(1)]);
    expect(before.accounts[ACCOUNT]?.contacts['b@capulet.lit']).toBeUndefined();
  });

  it('gives the change a copy: changing what it got in place leaves memory unchanged until saved', async () => {
    const { vault, store } = await open();
    await store.update(ACCOUNT, 'a@capulet.lit', () => ({ keys: [record(1)], result: undefined }));
    const stored = contactsOf(vault)['a@capulet.lit'];
    await store.update(ACCOUNT, 'a@capulet.lit', (current) => {
      (current[0] as ContactKeyRecord).trust = 'verified';
      return { keys: [...current], result: undefined };
    });
    expect(stored?.[0]?.trust).toBe('unverified');
    expect(contactsOf(vault)['a@capulet.lit']?.[0]?.trust).toBe('verified');
  });

  it('shares a write with a change to the whole document, each applied in the order asked', async () => {
    const { vault, store } = await open();
    await store.update(ACCOUNT, 'a@capulet.lit', () => ({ keys: [record(1)], result: undefined }));
    await Promise.all([
      store.update(ACCOUNT, 'a@capulet.lit', (stored) => ({ keys: [...stored, record(2)], result: undefined })),
      vault.update((draft: VaultDocument) => {
        (draft.accounts[ACCOUNT] as VaultDocument['accounts'][string]).settings.host = 'xmpp.montague.lit';
      }),
      store.update(ACCOUNT, 'b@capulet.lit', () => ({ keys: [record(3)], result: undefined })),
    ]);
    const contacts = contactsOf(vault);
    expect(Object.keys(contacts).sort()).toEqual(['a@capulet.lit', 'b@capulet.lit']);
    expect(contacts['a@capulet.lit']).toEqual([record(1), record(2)]);
    expect(vault.document.accounts[ACCOUNT]?.settings.host).toBe('xmpp.montague.lit');
    const reopened = await Vault.open({ dir, passphrase: 'correct horse battery' });
    expect(reopened.document).toEqual(vault.document);
  });
});

/**
 * The other writes that come by the thousand or with the roster at sign-in copy only their part too: a
 * copy of the whole document (every contact's certificates) per group commit held the browser host's
 * memory at 290-350 MB with 5,000 contacts (test/bench/sections/memory-paint.ts).
 */
describe('saving other apps’ keys and the roster copy', () => {
  async function withContacts(): Promise<{ vault: Vault; holder: VaultHolder }> {
    const { vault, store } = await open();
    await Promise.all(CONTACTS.map((jid, n) => store.update(ACCOUNT, jid, () => ({ keys: [record(n)], result: undefined }))));
    return { vault, holder: { vault, isOpen: true } as unknown as VaultHolder };
  }

  const sharesContacts = (vault: Vault, before: Readonly<VaultDocument>) => {
    for (const jid of CONTACTS) expect(contactsOf(vault)[jid]).toBe(before.accounts[ACCOUNT]?.contacts[jid]);
  };

  it('one account’s other-app keys: the contacts’ key records are shared, not copied', async () => {
    const { vault, holder } = await withContacts();
    const otherKeys = new OtherKeysStore(holder);
    const empty = (at: string) => ({ firstRead: at, keys: [] });
    // The first makes the account's otherKeys (its parent is missing: the whole document is used).
    await otherKeys.update(ACCOUNT, CONTACTS[0] as string, () => ({ record: empty('2026-12-01T00:00:00.000Z'), result: undefined }));
    const before = vault.document;
    const beforeText = JSON.stringify(before);

    await Promise.all(CONTACTS.slice(1).map((jid) => otherKeys.update(ACCOUNT, jid, () => ({ record: empty('2026-12-02T00:00:00.000Z'), result: undefined }))));

    sharesContacts(vault, before);
    expect(otherKeys.of(ACCOUNT, CONTACTS[0] as string)).toBe(before.accounts[ACCOUNT]?.otherKeys?.[CONTACTS[0] as string]);
    expect(otherKeys.of(ACCOUNT, CONTACTS[1] as string)).toEqual(empty('2026-12-02T00:00:00.000Z'));
    expect(JSON.stringify(before)).toBe(beforeText);
    // A record that breaks the schema fails alone, and is not kept.
    const bad = otherKeys.update(ACCOUNT, CONTACTS[2] as string, () => ({ record: { firstRead: '', keys: [] }, result: undefined }));
    await expect(bad).rejects.toThrow();
    expect(otherKeys.of(ACCOUNT, CONTACTS[2] as string)).toEqual(empty('2026-12-02T00:00:00.000Z'));
    const reopened = await Vault.open({ dir, passphrase: 'correct horse battery' });
    expect(reopened.document).toEqual(vault.document);
  });

  it('the roster copy: the contacts’ key records are shared, not copied', async () => {
    const { vault, holder } = await withContacts();
    const before = vault.document;
    const roster = { savedAt: '2026-12-02T00:00:00.000Z', version: '7', items: CONTACTS.map((jid) => ({ jid, groups: ['Friends'], subscription: 'both' as const })) };

    await new RosterStore(holder).save(ACCOUNT, roster);

    sharesContacts(vault, before);
    expect(new RosterStore(holder).load(ACCOUNT)).toEqual(roster);
    const reopened = await Vault.open({ dir, passphrase: 'correct horse battery' });
    expect(reopened.document).toEqual(vault.document);
  });
});

describe('settings and contacts’ profiles are saved as parts too', () => {
  // A whole-document change rebuilds every object (structuredClone, then the schema's parse), so the
  // vault file's bytes of every contact would be made anew (json-chunks.ts keeps them by object).
  it('a settings change (one per screen change) leaves every contact’s records the same objects', async () => {
    const { vault, store } = await open();
    await Promise.all(CONTACTS.map((jid, n) => store.update(ACCOUNT, jid, () => ({ keys: [record(n)], result: undefined }))));
    const contacts = contactsOf(vault);
    const settings = new AccountSettingsStore({ isOpen: true, vault } as unknown as VaultHolder);

    await settings.update(ACCOUNT, { lastScreen: 'contacts', host: 'xmpp.example' });
    await settings.update(ACCOUNT, { lastScreen: 'keys' }, ['host']);

    expect(vault.document.accounts[ACCOUNT]?.settings).toEqual({ lastScreen: 'keys' });
    expect(contactsOf(vault)).toBe(contacts);
    // And on disk, as a fresh open reads it.
    expect((await open()).vault.document.accounts[ACCOUNT]?.settings).toEqual({ lastScreen: 'keys' });
  });

  it('keeping a contact’s profile leaves every contact’s records the same objects', async () => {
    const { vault, store } = await open();
    await Promise.all(CONTACTS.map((jid, n) => store.update(ACCOUNT, jid, () => ({ keys: [record(n)], result: undefined }))));
    const contacts = contactsOf(vault);
    const profiles = new ContactProfilesStore({ isOpen: true, vault } as unknown as VaultHolder, 1_000_000);

    await profiles.put(ACCOUNT, CONTACTS[1] as string, { nickname: 'Juliet', storedAt: '2026-12-01T00:00:00.000Z' });

    expect(profiles.get(ACCOUNT, CONTACTS[1] as string)?.profile.nickname).toBe('Juliet');
    expect(contactsOf(vault)).toBe(contacts);
  });
});

/**
 * The own profile (kept each time the profile screen reads the server), a contact's trust record (each
 * verification or comparison) and what was published to a node (each publish, and Accept) are parts
 * too: with 5,000 contacts a whole-document change held the browser host's event loop ~200 ms, and the
 * profile screen's copy made on every page load fell just when the Contacts screen asked for its rows.
 */
describe('the own profile, a contact’s trust record and a published node are saved as parts', () => {
  async function withContacts(): Promise<{ vault: Vault; holder: VaultHolder; contacts: Readonly<VaultDocument['accounts'][string]['contacts']> }> {
    const { vault, store } = await open();
    await Promise.all(CONTACTS.map((jid, n) => store.update(ACCOUNT, jid, () => ({ keys: [record(n)], result: undefined }))));
    return { vault, holder: { isOpen: true, vault } as unknown as VaultHolder, contacts: contactsOf(vault) };
  }

  it('keeping the own profile leaves every contact’s records the same objects', async () => {
    const { vault, holder, contacts } = await withContacts();
    const profiles = new OwnProfileStore(holder);

    await profiles.update(ACCOUNT, () => ({ nickname: 'Romeo', storedAt: '2026-12-01T00:00:00.000Z' }));
    await profiles.update(ACCOUNT, (stored) => ({ ...stored, nickname: 'Romeo M.', storedAt: '2026-12-02T00:00:00.000Z' }));

    expect(profiles.get(ACCOUNT)).toEqual({ nickname: 'Romeo M.', storedAt: '2026-12-02T00:00:00.000Z' });
    expect(contactsOf(vault)).toBe(contacts);
    await expect(profiles.update(ACCOUNT, () => ({ nickname: 'no date', storedAt: '' }))).rejects.toThrow();
    expect(profiles.get(ACCOUNT)?.nickname).toBe('Romeo M.');
    expect((await open()).vault.document.accounts[ACCOUNT]?.ownProfile).toEqual({ nickname: 'Romeo M.', storedAt: '2026-12-02T00:00:00.000Z' });
  });

  it('changing one contact’s trust record leaves every contact’s key records and the other trust records the same objects', async () => {
    const { vault, holder, contacts } = await withContacts();
    const store = new ContactKeysStore(holder);
    // The first makes the account's contactTrust (its parent is missing: the whole document is used).
    await store.updateContactTrust(ACCOUNT, CONTACTS[0] as string, () => ({ policy: 'manual' }));
    const trustBefore = vault.document.accounts[ACCOUNT]?.contactTrust;
    const contactsBefore = contactsOf(vault);

    await store.updateContactTrust(ACCOUNT, CONTACTS[1] as string, (stored) => ({ ...stored, firstVerifiedAt: '2026-12-02T00:00:00.000Z' }));

    expect(store.contactTrust(ACCOUNT, CONTACTS[1] as string)).toEqual({ firstVerifiedAt: '2026-12-02T00:00:00.000Z' });
    expect(contactsOf(vault)).toBe(contactsBefore);
    expect(vault.document.accounts[ACCOUNT]?.contactTrust?.[CONTACTS[0] as string]).toBe(trustBefore?.[CONTACTS[0] as string]);
    expect(Object.keys(contacts)).toEqual(Object.keys(contactsBefore));
    expect((await open()).vault.document.accounts[ACCOUNT]?.contactTrust).toEqual(vault.document.accounts[ACCOUNT]?.contactTrust);
  });

  it('recording a publish leaves every contact’s records the same objects, and keeps the newest items', async () => {
    const { vault, holder } = await withContacts();
    const published = new PublishedNodesStore(holder);
    const config = { node: 'urn:xmpp:pubkey:2', accessModel: 'open', rosterGroupsAllowed: [], persistItems: true, maxItems: '2', sendLastPublishedItem: 'never', members: [], deviations: [] };
    const publish = (id: string) => ({ access: { model: 'open' as const }, maxItems: 2, config, item: { id } });
    // The first makes the account's published record (its parent is missing: the whole document is used).
    await published.recordPublish(ACCOUNT, 'urn:xmpp:avatar:data', publish('a'));
    const contacts = contactsOf(vault);
    const avatarNode = published.list(ACCOUNT)['urn:xmpp:avatar:data'];

    for (const id of ['1', '2', '3']) await published.recordPublish(ACCOUNT, 'urn:xmpp:pubkey:2', publish(id));

    expect(published.list(ACCOUNT)['urn:xmpp:pubkey:2']?.items).toEqual([{ id: '2' }, { id: '3' }]);
    expect(published.list(ACCOUNT)['urn:xmpp:avatar:data']).toBe(avatarNode);
    expect(contactsOf(vault)).toBe(contacts);
    expect((await open()).vault.document.accounts[ACCOUNT]?.published).toEqual(published.list(ACCOUNT));
  });
});
