/**
 * ContactKeys when an items answer and a notification cross: the stand-in server answers each items
 * request only when the test says so, with the node as it was when asked. A PEP service sends its
 * answer and a later notification in that order, but the app may handle them the other way round: the
 * answer to a request sent before a retract notification (XEP-0060 §7.2.2.1) still lists the key.
 * The newest knowledge must win: such an answer does not bring the withdrawn key back ("published
 * again", its verification lost), and an answer older than one already recorded (fetchMany's request
 * overtaken by a notification's fetch) does not withdraw the key the newer one found.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import xml from '@xmpp/xml';
import { parseVerificationClaim } from '../../contract/format.js';
import type { ContactKeysView } from '../../contract/index.js';
import { createSelfSignedCertificate } from '../../main/keys/certificate.js';
import { certificateFingerprint } from '../../main/keys/fingerprint.js';
import { generateRsaKeyPair } from '../../main/keys/generate.js';
import { silentLogger } from '../../main/logger.js';
import { ContactKeys } from '../../main/services/contact-keys.js';
import type { VaultHolder } from '../../main/vault/vault-holder.js';
import { ContactKeysStore } from '../../main/vault/stores/contact-keys-store.js';
import { NS } from '../../main/xmpp/namespaces.js';
import type { PepNotification } from '../../main/xmpp/pep-events.js';
import { pubkeyPayload } from '../../main/xmpp/pubkey-items.js';
import { parseItems } from '../../main/xmpp/pubsub.js';
import { fakeSession } from '../support/fake-session.js';
import { eventsWithKeyViews } from '../support/key-views.js';
import { unlockedVaults } from '../support/vaults.js';

const ACCOUNT = 'romeo@montague.lit';
const JULIET = 'juliet@capulet.lit';
let first: Buffer;
let second: Buffer;
let dir: string;

beforeAll(async () => {
  // Two key pairs: a certificate for the same key pair would continue the first and keep its trust.
  const [a, b] = await Promise.all([generateRsaKeyPair(2048), generateRsaKeyPair(2048)]);
  first = await createSelfSignedCertificate({ bareJid: JULIET, privateKey: a.privateKey });
  second = await createSelfSignedCertificate({ bareJid: JULIET, privateKey: b.privateKey });
}, 60_000);
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keyring-contact-keys-order-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const item = (der: Buffer) => xml('item', { id: certificateFingerprint(der) }, pubkeyPayload(der));

/** An items request the stand-in server has read (its node then) and answers when `answer` is called. */
interface Held {
  snapshot: Buffer[];
  answer: () => void;
}

/** Juliet's PEP service; every answer waits for the test. */
class HeldPepService {
  node: Buffer[] = [];
  readonly held: Held[] = [];
  readonly session = fakeSession({
    account: ACCOUNT,
    answer: (_request, to) => {
      if (to !== JULIET) return Promise.reject(new Error(`unexpected request to ${to}`));
      const snapshot = [...this.node];
      return new Promise((resolve) => {
        this.held.push({ snapshot, answer: () => resolve(xml('pubsub', { xmlns: NS.pubsub }, xml('items', { node: NS.pubkey }, ...snapshot.map(item)))) });
      });
    },
  });
  listener: (notification: PepNotification) => void = () => undefined;

  publish(der: Buffer): void {
    this.node = [...this.node, der];
    this.listener({ from: JULIET, node: NS.pubkey, items: parseItems(xml('items', {}, item(der))), retracted: [] });
  }

  retract(der: Buffer): void {
    const id = certificateFingerprint(der);
    this.node = this.node.filter((d) => certificateFingerprint(d) !== id);
    this.listener({ from: JULIET, node: NS.pubkey, items: [], retracted: [id] });
  }

  /** The `index`th request, once it has been sent. */
  async request(index: number): Promise<Held> {
    await vi.waitFor(() => expect(this.held.length).toBeGreaterThan(index));
    return this.held[index] as Held;
  }
}

async function start(): Promise<{ contactKeys: ContactKeys; pep: HeldPepService; vaults: VaultHolder; views: ContactKeysView[] }> {
  const vaults = await unlockedVaults(dir);
  const { events, views } = eventsWithKeyViews();
  const pep = new HeldPepService();
  // No spacing between a contact's fetches: only the order the test chooses decides.
  const contactKeys = new ContactKeys({ store: new ContactKeysStore(vaults), session: pep.session, events, log: silentLogger, isKnownContact: () => true, followUp: { spacingMs: 0 } });
  pep.listener = (notification) => contactKeys.onNotification(notification);
  return { contactKeys, pep, vaults, views };
}

const stored = (vaults: VaultHolder, der: Buffer) => vaults.vault.account(ACCOUNT)?.contacts[JULIET]?.find((k) => k.fingerprint === certificateFingerprint(der));

/** Juliet publishes `first`, the app fetches it (request 0) and the user verifies it. */
async function withFirstVerified() {
  const started = await start();
  const { contactKeys, pep } = started;
  pep.node = [first];
  const fetched = contactKeys.fetch(JULIET);
  (await pep.request(0)).answer();
  await fetched;
  const claim = parseVerificationClaim(certificateFingerprint(first));
  if ('problem' in claim) throw new Error(claim.problem);
  expect((await contactKeys.verify(JULIET, claim)).outcome).toBe('verified');
  return started;
}

describe('an answer and a notification that cross', () => {
  it('a fetch asked before a retract notification, answered after it, does not bring the withdrawn key back', async () => {
    const { contactKeys, pep, vaults, views } = await withFirstVerified();
    const refresh = contactKeys.fetch(JULIET);
    const stale = await pep.request(1); // the node still holds `first`
    pep.retract(first);
    await vi.waitFor(() => expect(stored(vaults, first)?.trust).toBe('retracted'));

    stale.answer();
    const answer = await refresh;

    expect(stored(vaults, first)?.trust).toBe('retracted');
    expect(answer.keys).toEqual([expect.objectContaining({ fingerprint: certificateFingerprint(first), trust: 'retracted' })]);
    expect([...answer.changes, ...views.flatMap((v) => v.changes)].map((c) => c.kind)).toEqual(['retracted']);
    // The next fetch agrees: nothing to undo.
    const again = contactKeys.fetch(JULIET);
    (await pep.request(2)).answer();
    expect((await again).changes).toEqual([]);
  });

  it('a key withdrawn and published again while that fetch was out comes back, unverified, by the fetch asked after', async () => {
    const { contactKeys, pep, vaults, views } = await withFirstVerified();
    const refresh = contactKeys.fetch(JULIET);
    const stale = await pep.request(1);
    pep.retract(first);
    await vi.waitFor(() => expect(stored(vaults, first)?.trust).toBe('retracted'));
    pep.publish(first); // genuinely published again: its notification asks for a follow-up fetch
    stale.answer();
    const answer = await refresh;

    (await pep.request(2)).answer();
    await vi.waitFor(() => expect(stored(vaults, first)?.trust).toBe('unverified'));
    // Published again is not silently trusted again (main/vault/contact-keys.ts): the user is told, once.
    expect([...answer.changes, ...views.flatMap((v) => v.changes)].map((c) => c.kind).sort()).toEqual(['reappeared', 'retracted']);
    expect(stored(vaults, first)?.retractedAt).toBeUndefined();
  });

  it('a key the app never saw, withdrawn while the first fetch was out, is not stored as current', async () => {
    const { contactKeys, pep, vaults } = await start();
    pep.node = [first];
    const fetched = contactKeys.fetch(JULIET);
    const stale = await pep.request(0);
    pep.retract(first);
    await new Promise((r) => setImmediate(r)); // the notification is handled
    stale.answer();
    const answer = await fetched;
    expect(answer.keys.filter((k) => k.trust !== 'retracted')).toEqual([]);
    expect(stored(vaults, first)?.trust ?? 'never stored').not.toBe('unverified');
  });

  it('a key notified while a fetch was out is not withdrawn by that fetch’s older answer, and the next fetch adds it', async () => {
    const { contactKeys, pep, vaults, views } = await withFirstVerified();
    const refresh = contactKeys.fetch(JULIET);
    const stale = await pep.request(1); // the node holds `first` only
    pep.publish(second);
    await vi.waitFor(() => expect(views.at(-1)?.fetch).toBe('notified'));
    stale.answer();
    await refresh;
    expect(stored(vaults, second)).toBeUndefined(); // nothing recorded from the older answer

    (await pep.request(2)).answer();
    await vi.waitFor(() => expect(stored(vaults, second)?.trust).toBe('unverified'));
    expect(stored(vaults, first)?.trust).toBe('verified');
    expect(views.flatMap((v) => v.changes)).toEqual([{ kind: 'new', fingerprint: certificateFingerprint(second) }]);
  });
});

describe('fetchMany’s answers (not one at a time with the other fetches)', () => {
  it('an answer asked before a retract notification does not bring the withdrawn key back', async () => {
    const { contactKeys, pep, vaults, views } = await withFirstVerified();
    const many = contactKeys.fetchMany([JULIET]);
    const stale = await pep.request(1);
    pep.retract(first);
    await vi.waitFor(() => expect(stored(vaults, first)?.trust).toBe('retracted'));

    stale.answer();
    const [answer] = await many;

    expect(stored(vaults, first)?.trust).toBe('retracted');
    expect(answer?.keys).toEqual([expect.objectContaining({ trust: 'retracted' })]);
    expect(views.flatMap((v) => v.changes).map((c) => c.kind)).toEqual(['retracted']);
  });

  it('an answer overtaken by a newer fetch’s does not withdraw the key the newer one found', async () => {
    const { contactKeys, pep, vaults, views } = await withFirstVerified();
    const many = contactKeys.fetchMany([JULIET]);
    const stale = await pep.request(1); // the node holds `first` only
    pep.publish(second); // its fetch goes out at once: fetchMany's request is not in the notification's lane
    (await pep.request(2)).answer();
    await vi.waitFor(() => expect(stored(vaults, second)?.trust).toBe('unverified'));

    stale.answer();
    await many;

    expect(stored(vaults, second)?.trust).toBe('unverified');
    expect(stored(vaults, first)?.trust).toBe('verified');
    expect(views.flatMap((v) => v.changes).map((c) => c.kind)).not.toContain('retracted');
  });
});
