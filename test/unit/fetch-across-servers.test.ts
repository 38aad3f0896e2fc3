/**
 * Contacts on other servers, over a stand-in session whose items requests are answered per domain the
 * way servers answer across server-to-server links: our own domain at once, a domain whose server is
 * down with remote-server-not-found, a hung one never (our own timeout ends the wait), a slow one late.
 * No contact's server holds up the others, and "unreachable" is never mistaken for "no keys".
 * (test/integration/federation-faults.test.ts does the same against real servers.)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import xml from '@xmpp/xml';
import { AppEvents } from '../../main/events.js';
import { silentLogger } from '../../main/logger.js';
import { createSelfSignedCertificate } from '../../main/keys/certificate.js';
import { certificateFingerprint } from '../../main/keys/fingerprint.js';
import { generateRsaKeyPair } from '../../main/keys/generate.js';
import { ContactKeys } from '../../main/services/contact-keys.js';
import { ContactKeysStore } from '../../main/vault/stores/contact-keys-store.js';
import type { Iq } from '../../main/xmpp/iq-requests.js';
import { fetchAcrossServers } from '../../main/xmpp/fetch-across-servers.js';
import { fetchItems } from '../../main/xmpp/fetch-items.js';
import { NS } from '../../main/xmpp/namespaces.js';
import { pubkeyPayload } from '../../main/xmpp/pubkey-items.js';
import type { ContactKeysView } from '../../contract/index.js';
import { fakeSession, type FakeSession } from '../support/fake-session.js';
import { unlockedVaults } from '../support/vaults.js';

const ACCOUNT = 'juliet@capulet.lit';
const local = (n: number) => Array.from({ length: n }, (_, i) => `friend-${i}@capulet.lit`);
const on = (domain: string, n: number) => Array.from({ length: n }, (_, i) => `contact-${i}@${domain}`);

let certificate: Buffer;
let dir: string;

beforeAll(async () => {
  const { privateKey } = await generateRsaKeyPair(2048);
  certificate = await createSelfSignedCertificate({ bareJid: 'friend-0@capulet.lit', privateKey });
}, 60_000);
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keyring-fetch-across-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A stanza error as xmpp.js's iq caller rejects with it (RFC 6120 §8.3). */
function stanzaError(condition: string, type: string): Error {
  const element = xml('error', { type }, xml(condition, { xmlns: NS.stanzas }));
  return Object.assign(new Error(condition), { name: 'StanzaError', condition, element });
}

/** Like @xmpp/events' TimeoutError, which the iq caller throws when no answer came in time. */
function timeoutError(): Error {
  return Object.assign(new Error(), { name: 'TimeoutError' });
}

/** How each domain's server answers an items request, and who was asked. */
function network(behaviour: Record<string, 'answers' | 'down' | 'hung' | { slowMs: number }>) {
  const asked: string[] = [];
  const session = fakeSession({
    account: ACCOUNT,
    answer: async (_request, to = '', timeoutMs = 30_000) => {
      asked.push(to);
      const domain = to.slice(to.indexOf('@') + 1);
      const how = behaviour[domain] ?? 'answers';
      if (how === 'down') {
        await new Promise((r) => setTimeout(r, 5));
        throw stanzaError('remote-server-not-found', 'cancel');
      }
      if (how === 'hung') {
        await new Promise((r) => setTimeout(r, timeoutMs));
        throw timeoutError();
      }
      await new Promise((r) => setTimeout(r, how === 'answers' ? 1 : how.slowMs));
      return xml('pubsub', { xmlns: NS.pubsub }, xml('items', { node: NS.pubkey }, xml('item', { id: certificateFingerprint(certificate) }, pubkeyPayload(certificate))));
    },
  });
  return { session, asked };
}

async function contactKeysOver(session: FakeSession): Promise<{ contactKeys: ContactKeys; settledOrder: string[] }> {
  const vaults = await unlockedVaults(dir);
  const events = new AppEvents();
  const settledOrder: string[] = [];
  events.subscribe((event, payload) => {
    if (event === 'contacts:keys') settledOrder.push((payload as ContactKeysView).jid);
  });
  return { contactKeys: new ContactKeys({ store: new ContactKeysStore(vaults), session, events, log: silentLogger, isKnownContact: () => true }), settledOrder };
}

describe('fetching many contacts across servers', () => {
  it('a hung server holds up no one else: our own contacts are answered first, its contacts say "unreachable" after one timeout, and it is asked once', async () => {
    const hung = on('hung.lit', 20);
    const friends = local(3);
    const { session, asked } = network({ 'hung.lit': 'hung' });
    const { contactKeys, settledOrder } = await contactKeysOver(session);
    const started = Date.now();

    // The hung server's contacts come first, more of them than there are lanes.
    const views = await contactKeys.fetchMany([...hung, ...friends], 16, 1000);

    const elapsed = Date.now() - started;
    expect(settledOrder.slice(0, 3).sort()).toEqual([...friends].sort());
    expect(views.slice(20).map((v) => v.fetch)).toEqual(['ok', 'ok', 'ok']);
    expect(views.slice(0, 20).map((v) => v.fetch)).toEqual(hung.map(() => 'unreachable'));
    expect(views[0]?.detail).toBe('no answer within 1 s');
    expect(views[1]?.detail).toBe('not asked: no answer within 1 s');
    expect(asked.filter((to) => to.endsWith('@hung.lit'))).toHaveLength(1);
    expect(elapsed).toBeLessThan(2500); // one timeout, not one per lane-full of the hung server's contacts
  });

  it('a server that is down: its first contact gets remote-server-not-found, the rest are told "unreachable" without asking', async () => {
    const down = on('down.lit', 10);
    const { session, asked } = network({ 'down.lit': 'down' });
    const { contactKeys } = await contactKeysOver(session);

    const views = await contactKeys.fetchMany([...down, ...local(2)]);

    expect(views.map((v) => v.fetch)).toEqual([...down.map(() => 'unreachable'), 'ok', 'ok']);
    expect(views[0]).toMatchObject({ fetch: 'unreachable', detail: 'remote-server-not-found', keys: [] });
    expect(views[9]?.detail).toBe('not asked: remote-server-not-found');
    expect(asked.filter((to) => to.endsWith('@down.lit'))).toEqual([down[0]]);
  });

  it('a slow but working server gets more lanes once it answers, without starving our own contacts', async () => {
    const slow = on('slow.lit', 40);
    const friends = local(4);
    const { session } = network({ 'slow.lit': { slowMs: 500 } });
    const { contactKeys, settledOrder } = await contactKeysOver(session);
    const started = Date.now();

    const views = await contactKeys.fetchMany([...slow, ...friends], 16, 5000);

    expect(views.every((v) => v.fetch === 'ok')).toBe(true);
    // One first answer, then 16 at a time: about 4 × 500 ms, where one lane would take 40 × 500 ms.
    expect(Date.now() - started).toBeLessThan(10_000);
    // Every one of our own contacts is answered before the slow server's first answer.
    expect(settledOrder.slice(0, 4).sort()).toEqual([...friends].sort());
  });

  it('never has more requests in flight than asked for', async () => {
    let inFlight = 0;
    let peak = 0;
    const { session } = network({});
    const original = session.iq.get;
    const counted: Iq = {
      ...session.iq,
      get: async (...args) => {
        peak = Math.max(peak, ++inFlight);
        try {
          return await original(...args);
        } finally {
          inFlight--;
        }
      },
    };
    Object.assign(session, { iq: counted });
    const { contactKeys } = await contactKeysOver(session);
    const views = await contactKeys.fetchMany([...on('a.lit', 20), ...on('b.lit', 20), ...local(20)], 5);
    expect(views).toHaveLength(60);
    expect(peak).toBe(5);
  });
});

describe('asking before handling', () => {
  it('sends the next request before handling the answer that freed its lane', async () => {
    const asked: string[] = [];
    const handled: { contact: string; askedBefore: number }[] = [];
    const contacts = local(6);
    await fetchAcrossServers(
      contacts,
      { concurrency: 2, ownDomain: 'capulet.lit' },
      async (contact) => {
        asked.push(contact);
        await new Promise((r) => setImmediate(r));
        return { status: 'none' };
      },
      (index) => handled.push({ contact: contacts[index] as string, askedBefore: asked.length }),
    );
    expect(asked).toEqual(contacts);
    // The first answer is handled once its lane's next request (the third) is out, and so on.
    expect(handled.map((h) => h.askedBefore)).toEqual([3, 4, 5, 6, 6, 6]);
  });
});

describe('what a failed items request means', () => {
  const failing = (error: Error): Iq => ({ get: () => Promise.reject(error), set: () => Promise.reject(error) });

  it.each([
    ['remote-server-not-found', 'cancel'],
    ['remote-server-timeout', 'wait'],
  ])('%s (RFC 6120 §8.3.3) is "unreachable", not "no keys" and not "refused"', async (condition, type) => {
    expect(await fetchItems(failing(stanzaError(condition, type)), 'romeo@montague.lit', NS.pubkey)).toEqual({
      status: 'unreachable',
      detail: condition,
    });
  });

  it('no answer within the timeout is "unreachable", saying how long we waited', async () => {
    expect(await fetchItems(failing(timeoutError()), 'romeo@montague.lit', NS.pubkey, 20_000)).toEqual({
      status: 'unreachable',
      detail: 'no answer within 20 s',
    });
  });

  it('a refusal stays a refusal, and a missing node stays "none"', async () => {
    expect(await fetchItems(failing(stanzaError('forbidden', 'auth')), 'romeo@montague.lit', NS.pubkey)).toMatchObject({ status: 'refused' });
    expect(await fetchItems(failing(stanzaError('item-not-found', 'cancel')), 'romeo@montague.lit', NS.pubkey)).toEqual({ status: 'none' });
  });
});
