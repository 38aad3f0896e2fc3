/**
 * ContactKeys.fetchMany over a stand-in session (the items requests answered in memory): answers in the
 * order asked, each contact's event only once its keys are on disk, the vault saved in a few group
 * writes instead of one per contact, and a failed save reported without losing what was saved before.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import xml, { type Element } from '@xmpp/xml';
import { AppEvents } from '../../main/events.js';
import { silentLogger } from '../../main/logger.js';
import { createSelfSignedCertificate } from '../../main/keys/certificate.js';
import { certificateFingerprint } from '../../main/keys/fingerprint.js';
import { generateRsaKeyPair } from '../../main/keys/generate.js';
import { ContactKeys } from '../../main/services/contact-keys.js';
import { VaultHolder } from '../../main/services/vault-holder.js';
import { writeVaultFile } from '../../main/vault/vault-file.js';
import type * as VaultFile from '../../main/vault/vault-file.js';
import { VAULT_FILE } from '../../main/vault/vault.js';
import { NS } from '../../main/xmpp/namespaces.js';
import { pubkeyPayload } from '../../main/xmpp/pubkey-items.js';
import { SessionEvents } from '../../main/xmpp/session-events.js';
import type { AccountSession } from '../../main/xmpp/session.js';
import type { ContactKeysView } from '../../preload/contract.js';

// Counts the vault's file writes while keeping them real.
vi.mock('../../main/vault/vault-file.js', async (importOriginal) => {
  const original = await importOriginal<typeof VaultFile>();
  return { ...original, writeVaultFile: vi.fn(original.writeVaultFile) };
});

const ACCOUNT = 'romeo@montague.lit';
const CONTACTS = Array.from({ length: 40 }, (_, i) => `contact-${i}@capulet.lit`);
const certificates = new Map<string, Buffer>();
let dir: string;

beforeAll(async () => {
  const { privateKey } = await generateRsaKeyPair(2048);
  for (const jid of CONTACTS) certificates.set(jid, await createSelfSignedCertificate({ bareJid: jid, privateKey }));
}, 60_000);

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keyring-contact-keys-'));
  vi.mocked(writeVaultFile).mockClear();
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A connected session whose items requests each contact's node answers with its one key. */
function fakeSession(): AccountSession {
  const iqCaller = {
    get: async (_request: Element, to: string): Promise<Element> => {
      await new Promise((r) => setImmediate(r)); // an answer from the network comes later
      const der = certificates.get(to);
      if (!der) throw new Error(`unknown contact ${to}`);
      return xml('pubsub', { xmlns: NS.pubsub }, xml('items', { node: NS.pubkey }, xml('item', { id: certificateFingerprint(der) }, pubkeyPayload(der))));
    },
  };
  return {
    events: new SessionEvents(),
    client: { iqCaller },
    bareJid: ACCOUNT,
    state: { status: 'online', account: ACCOUNT },
  } as unknown as AccountSession;
}

async function setup(): Promise<{ contactKeys: ContactKeys; events: AppEvents; vaults: VaultHolder }> {
  const vaults = new VaultHolder({ dir, scrypt: { name: 'scrypt', N: 2 ** 12, r: 8, p: 1 } });
  await vaults.unlock('correct horse battery');
  const events = new AppEvents();
  const contactKeys = new ContactKeys({ vaults, session: fakeSession(), events, log: silentLogger });
  return { contactKeys, events, vaults };
}

describe('fetching many contacts’ keys', () => {
  it.each([1, 16])('with %i in flight: answers in order, each event after its keys are saved, in a few writes', async (concurrency) => {
    const { contactKeys, events } = await setup();
    vi.mocked(writeVaultFile).mockClear();
    const savedWhenEmitted: boolean[] = [];
    events.subscribe((event, payload) => {
      if (event !== 'contacts:keys') return;
      savedWhenEmitted.push(readFileSync(join(dir, VAULT_FILE), 'utf8').includes((payload as ContactKeysView).jid));
    });

    const views = await contactKeys.fetchMany(CONTACTS, concurrency);

    expect(views.map((v) => v.jid)).toEqual(CONTACTS);
    for (const [i, view] of views.entries()) {
      const der = certificates.get(CONTACTS[i] ?? '') as Buffer;
      expect(view).toMatchObject({ fetch: 'ok', invalid: [], changes: [{ kind: 'new' }] });
      expect(view.keys).toEqual([expect.objectContaining({ fingerprint: certificateFingerprint(der), status: 'valid', trust: 'unverified' })]);
    }
    expect(savedWhenEmitted).toEqual(CONTACTS.map(() => true));
    // Group commit: a handful of writes for 40 contacts, not 40.
    expect(vi.mocked(writeVaultFile).mock.calls.length).toBeLessThanOrEqual(5);
  });

  it('remembers what it fetched, and a second fetch only updates last-seen', async () => {
    const { contactKeys } = await setup();
    await contactKeys.fetchMany(CONTACTS.slice(0, 5));
    const again = await contactKeys.fetchMany(CONTACTS.slice(0, 5));
    expect(again.every((v) => v.changes.length === 0 && v.keys.length === 1)).toBe(true);
    expect(contactKeys.known(CONTACTS[0] ?? '').keys).toHaveLength(1);
  });

  it('reports a failed save as storage-failed and keeps what was saved before', async () => {
    const { contactKeys, vaults } = await setup();
    await contactKeys.fetchMany(CONTACTS.slice(0, 3));
    await rm(dir, { recursive: true, force: true }); // the disk goes away
    await expect(contactKeys.fetchMany(CONTACTS.slice(3, 10))).rejects.toMatchObject({ code: 'storage-failed' });
    const remembered = Object.keys(vaults.vault.account(ACCOUNT)?.contacts ?? {});
    expect(remembered.sort()).toEqual(CONTACTS.slice(0, 3).sort());
  });

  it('refuses an invalid address before asking the network', async () => {
    const { contactKeys } = await setup();
    await expect(contactKeys.fetchMany([CONTACTS[0] ?? '', 'not a jid'])).rejects.toMatchObject({ code: 'invalid-argument' });
    expect(vi.mocked(writeVaultFile)).toHaveBeenCalledTimes(1); // only the new vault's creation
  });
});
