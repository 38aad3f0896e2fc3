/**
 * ContactKeys over a stand-in session (the items requests answered in memory). fetchMany: answers in the
 * order asked, each contact's event only once its keys are on disk, the vault saved in a few group
 * writes instead of one per contact, and a failed save reported without losing what was saved before.
 * Notifications: a burst folds into a few fetches and writes, the stored keys are capped, and a
 * stranger's notifications store nothing.
 */
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import xml from '@xmpp/xml';
import { AppEvents } from '../../main/events.js';
import { silentLogger } from '../../main/logger.js';
import { createSelfSignedCertificate } from '../../main/keys/certificate.js';
import { certificateFingerprint } from '../../main/keys/fingerprint.js';
import { generateRsaKeyPair } from '../../main/keys/generate.js';
import type { FollowUpTiming } from '../../main/services/coalesce.js';
import { ContactKeys } from '../../main/services/contact-keys.js';
import type { VaultHolder } from '../../main/vault/vault-holder.js';
import { ContactKeysStore } from '../../main/vault/stores/contact-keys-store.js';
import { writeVaultFile } from '../../main/vault/vault-file.js';
import type * as VaultFile from '../../main/vault/vault-file.js';
import type * as Revocation from '../../main/keys/revocation.js';
import { createRevocation, verifyRevocation } from '../../main/keys/revocation.js';
import { revocationItemId, revocationPayload } from '../../main/xmpp/key-statements.js';
import { VAULT_FILE } from '../../main/vault/vault.js';
import { NS } from '../../main/xmpp/namespaces.js';
import { pubkeyPayload } from '../../main/xmpp/pubkey-items.js';
import type { PepNotification } from '../../main/xmpp/pep-events.js';
import { parseItems } from '../../main/xmpp/pubsub.js';
import type { ContactKeysView, TrustChangeView } from '../../contract/index.js';
import { fakeSession, type FakeSession } from '../support/fake-session.js';
import { eventsWithKeyViews } from '../support/key-views.js';
import { unlockedVaults } from '../support/vaults.js';

// Counts the vault's file writes while keeping them real.
vi.mock('../../main/vault/vault-file.js', async (importOriginal) => {
  const original = await importOriginal<typeof VaultFile>();
  return { ...original, writeVaultFile: vi.fn(original.writeVaultFile) };
});
// Counts the signature checks of revocation statements while keeping them real.
vi.mock('../../main/keys/revocation.js', async (importOriginal) => {
  const original = await importOriginal<typeof Revocation>();
  return { ...original, verifyRevocation: vi.fn(original.verifyRevocation) };
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
function oneKeyEach(): FakeSession {
  return fakeSession({
    account: ACCOUNT,
    answer: async (_request, to) => {
      await new Promise((r) => setImmediate(r)); // an answer from the network comes later
      const der = certificates.get(to ?? '');
      if (!der) throw new Error(`unknown contact ${to}`);
      return xml('pubsub', { xmlns: NS.pubsub }, xml('items', { node: NS.pubkey }, xml('item', { id: certificateFingerprint(der) }, pubkeyPayload(der))));
    },
  });
}

async function setup(): Promise<{ contactKeys: ContactKeys; events: AppEvents; vaults: VaultHolder }> {
  const vaults = await unlockedVaults(dir);
  const events = new AppEvents();
  const contactKeys = new ContactKeys({ store: new ContactKeysStore(vaults), session: oneKeyEach(), events, log: silentLogger, isKnownContact: () => true });
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

  it('a gateway in the roster (a bare domain) is skipped and logged once; every contact is still fetched', async () => {
    const vaults = await unlockedVaults(dir);
    const asked: string[] = [];
    const network = oneKeyEach();
    const session = fakeSession({ account: ACCOUNT, answer: (request, to, timeoutMs) => (asked.push(to ?? ''), network.iq.get(request, to, timeoutMs)) });
    const logged: string[] = [];
    const log = { ...silentLogger, info: (m: string) => logged.push(m), warn: (m: string) => logged.push(m) };
    const contactKeys = new ContactKeys({ store: new ContactKeysStore(vaults), session, events: new AppEvents(), log, isKnownContact: () => true });
    const roster = [CONTACTS[0] ?? '', 'irc.capulet.lit', CONTACTS[1] ?? '', 'not a jid\u202e', CONTACTS[2] ?? ''];

    const views = await contactKeys.fetchMany(roster);

    expect(views.map((v) => v.jid)).toEqual(CONTACTS.slice(0, 3));
    expect(views.every((v) => v.fetch === 'ok' && v.keys.length === 1)).toBe(true);
    expect(asked.sort()).toEqual(CONTACTS.slice(0, 3).sort());
    // One line for both, the address as text only (the bidi override is gone).
    expect(logged).toEqual([expect.stringContaining('skipped irc.capulet.lit and 1 more')]);
    expect(logged.join('')).not.toContain('\u202e');
  });
});

/**
 * A contact's PEP service in memory: its key node (items in publish order), the items requests it
 * answered, and notifications pushed to the session as a server would. Each answer is the node as it
 * was when asked, delivered after a random delay (answers may overtake each other, as over a network).
 */
class FakePepService {
  readonly nodes = new Map<string, Buffer[]>();
  readonly asked: string[] = [];
  readonly session = fakeSession({
    account: ACCOUNT,
    answer: async (_request, to = '') => {
      this.asked.push(to);
      const snapshot = [...(this.nodes.get(to) ?? [])];
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 30));
      return xml('pubsub', { xmlns: NS.pubsub }, xml('items', { node: NS.pubkey }, ...snapshot.map(item)));
    },
  });
  /** Where the core routes key notifications (main/core.ts). */
  listener: (notification: PepNotification) => void = () => undefined;

  /** The contact publishes `der`: it lands on the node and the notification reaches the app. */
  publish(from: string, der: Buffer): void {
    this.nodes.set(from, [...(this.nodes.get(from) ?? []), der]);
    this.listener({ from, node: NS.pubkey, items: parseItems(xml('items', {}, item(der))), retracted: [] });
  }

  /** The contact withdraws `der`: it leaves the node and the retract notification reaches the app. */
  retract(from: string, der: Buffer): void {
    const id = certificateFingerprint(der);
    this.nodes.set(from, (this.nodes.get(from) ?? []).filter((d) => certificateFingerprint(d) !== id));
    this.listener({ from, node: NS.pubkey, items: [], retracted: [id] });
  }
}

const item = (der: Buffer) => xml('item', { id: certificateFingerprint(der) }, pubkeyPayload(der));

describe('what contacts send is bounded', () => {
  const JULIET = 'juliet@capulet.lit';
  const MALLORY = 'mallory@evil.example';
  let burst: Buffer[] = [];
  let burstKey: KeyObject;

  beforeAll(async () => {
    const { privateKey } = await generateRsaKeyPair(2048);
    burstKey = privateKey;
    // 300 distinct certificates for juliet (each has a random serial number).
    burst = await Promise.all(Array.from({ length: 300 }, () => createSelfSignedCertificate({ bareJid: JULIET, privateKey })));
  }, 120_000);

  async function start(options: { roster: string[]; followUp?: Partial<FollowUpTiming> }) {
    const vaults = await unlockedVaults(dir);
    const { events, views } = eventsWithKeyViews();
    const pep = new FakePepService();
    const warnings: string[] = [];
    const log = { ...silentLogger, warn: (m: string) => warnings.push(m) };
    const contactKeys = new ContactKeys({
      store: new ContactKeysStore(vaults),
      session: pep.session,
      events,
      log,
      isKnownContact: (jid) => options.roster.includes(jid),
      followUp: options.followUp ?? { spacingMs: 200, maxSpacingMs: 800, calmMs: 1000 },
    });
    pep.listener = (notification) => contactKeys.onNotification(notification);
    vi.mocked(writeVaultFile).mockClear();
    return { contactKeys, vaults, pep, events, views, warnings };
  }

  it('a contact publishing 300 keys in a burst costs a few fetches and writes, keeps 64, and raises no "changed" alert', async () => {
    const { contactKeys, vaults, pep, views } = await start({ roster: [JULIET] });
    const begin = performance.now();
    for (const der of burst) {
      pep.publish(JULIET, der);
      await new Promise((r) => setImmediate(r));
    }
    const burstMs = performance.now() - begin;
    // Until a fetch has seen the whole burst, then long enough for any stray follow-up.
    await vi.waitFor(
      () => {
        const last = views.at(-1);
        expect(last?.fetch).toBe('ok');
        expect((last?.keys.length ?? 0) + (last?.invalid.filter((i) => i.tooMany).length ?? 0)).toBe(300);
      },
      { timeout: 20_000 },
    );
    await new Promise((r) => setTimeout(r, 1000));

    // The first fetch at once, then gaps of 200, 400, 800 ms while the burst lasts, then one more.
    expect(pep.asked.length).toBeGreaterThanOrEqual(1);
    expect(pep.asked.length).toBeLessThanOrEqual(2 + Math.ceil(Math.log2(burstMs / 200 + 1)));
    expect(pep.asked.length).toBeLessThanOrEqual(6);
    expect(vi.mocked(writeVaultFile).mock.calls.length).toBeLessThanOrEqual(pep.asked.length);
    const stored = vaults.vault.account(ACCOUNT)?.contacts[JULIET] ?? [];
    expect(stored.filter((k) => k.trust !== 'retracted')).toHaveLength(64);
    expect(stored.filter((k) => k.trust === 'retracted')).toHaveLength(0);
    // Only additions: nothing changed, nothing was withdrawn.
    expect(views.flatMap((v) => v.changes).filter((c) => c.kind !== 'new')).toEqual([]);
    expect(stored.every((k) => k.trust === 'unverified')).toBe(true);
    const last = await contactKeys.fetch(JULIET);
    expect(last.keys).toHaveLength(64);
    expect(last.invalid.filter((i) => i.tooMany)).toHaveLength(300 - 64);
  }, 60_000);

  it('a fetch that finds nothing new writes nothing, and a notification burst while one is in flight folds into one follow-up', async () => {
    const { contactKeys, pep } = await start({ roster: [JULIET] });
    pep.nodes.set(JULIET, burst.slice(0, 2));
    await contactKeys.fetch(JULIET);
    await new Promise((r) => setTimeout(r, 1100)); // calm again: the next fetch runs at once
    vi.mocked(writeVaultFile).mockClear();
    pep.asked.length = 0;

    const [a, b, c] = [contactKeys.fetch(JULIET), contactKeys.fetch(JULIET), contactKeys.fetch(JULIET)];
    await Promise.all([a, b, c]);
    // One in flight, the other two folded into a single follow-up.
    expect(pep.asked).toEqual([JULIET, JULIET]);
    expect(vi.mocked(writeVaultFile)).not.toHaveBeenCalled();
  });

  it('a key published and withdrawn while a fetch was under way is remembered as withdrawn, not forgotten', async () => {
    const { contactKeys, vaults, pep, views } = await start({ roster: [JULIET] });
    const [key] = burst;
    const inFlight = contactKeys.fetch(JULIET); // asked before the key exists: its answer is empty
    pep.publish(JULIET, key as Buffer); // the fetch is busy: this only asks for a follow-up
    pep.retract(JULIET, key as Buffer); // gone again before the follow-up asks
    await inFlight;
    await vi.waitFor(() => expect(vaults.vault.account(ACCOUNT)?.contacts[JULIET]).toHaveLength(1), { timeout: 5000 });

    const [stored] = vaults.vault.account(ACCOUNT)?.contacts[JULIET] ?? [];
    expect(stored).toMatchObject({ fingerprint: certificateFingerprint(key as Buffer), trust: 'retracted' });
    expect(views.at(-1)?.keys).toEqual([expect.objectContaining({ fingerprint: stored?.fingerprint, trust: 'retracted' })]);
    expect(views.flatMap((v) => v.changes)).toContainEqual({ kind: 'retracted', fingerprint: stored?.fingerprint });
  });

  it('a stranger’s notifications (not in the roster, never looked up) store nothing and are logged once', async () => {
    const { contactKeys, vaults, pep, views, warnings } = await start({ roster: [JULIET] });
    for (const der of burst.slice(0, 20)) pep.publish(MALLORY, der);
    await new Promise((r) => setTimeout(r, 300));
    expect(pep.asked).toEqual([]);
    expect(views).toEqual([]);
    expect(vi.mocked(writeVaultFile)).not.toHaveBeenCalled();
    expect(vaults.vault.account(ACCOUNT)?.contacts[MALLORY]).toBeUndefined();
    expect(warnings.filter((w) => w.includes(MALLORY))).toHaveLength(1);

    // Looked up on purpose, the same address is listened to.
    pep.nodes.set(MALLORY, []);
    await contactKeys.fetch(MALLORY);
    pep.publish(MALLORY, burst[0] as Buffer);
    await vi.waitFor(() => expect(pep.asked.filter((j) => j === MALLORY)).toHaveLength(2));
    // Its answer is saved before the test's folder goes away.
    await vi.waitFor(() => expect(views.some((v) => v.jid === MALLORY && v.fetch === 'ok')).toBe(true));
  });

  it('a fetch the user asked for is its answer, not also an event; the fetch a notification asks for is announced once', async () => {
    const { contactKeys, pep, views } = await start({ roster: [JULIET], followUp: { spacingMs: 0 } });
    const [first, second] = burst as [Buffer, Buffer];
    pep.nodes.set(JULIET, [first]);
    const answer = await contactKeys.fetch(JULIET);
    expect(answer.changes).toEqual([{ kind: 'new', fingerprint: certificateFingerprint(first) }]);
    await new Promise((r) => setTimeout(r, 100));
    // The screen that asked handles this change once, from the answer.
    expect(views).toEqual([]);

    pep.publish(JULIET, second);
    await vi.waitFor(() => expect(views.some((v) => v.fetch === 'ok')).toBe(true));
    await new Promise((r) => setTimeout(r, 100));
    expect(views.map((v) => v.fetch)).toEqual(['notified', 'ok']);
    expect(views[1]?.changes).toEqual([{ kind: 'new', fingerprint: certificateFingerprint(second) }]);
  });

  it('a fetch one window asked for that changed the keys is told to the other windows as the keys now stand; one that changed nothing is not', async () => {
    const { contactKeys, pep, events } = await start({ roster: [JULIET] });
    const told: TrustChangeView[] = [];
    events.subscribe((event, payload) => {
      if (event === 'contacts:trust') told.push(payload as TrustChangeView);
    });
    const [first, second] = burst as [Buffer, Buffer];
    pep.nodes.set(JULIET, [first]);
    await contactKeys.fetch(JULIET);
    expect(told).toHaveLength(1);
    expect(told[0]).toMatchObject({ kind: 'contact', view: { jid: JULIET, keys: [{ fingerprint: certificateFingerprint(first) }] } });

    // Nothing new: nothing to tell.
    told.length = 0;
    await contactKeys.fetch(JULIET);
    expect(told).toEqual([]);

    // The key replaced (without a notification reaching this app): the other windows see the new one
    // current and the old one withdrawn.
    pep.nodes.set(JULIET, [second]);
    const answer = await contactKeys.fetch(JULIET);
    expect(answer.changes.length).toBeGreaterThan(0);
    expect(told).toHaveLength(1);
    const keys = told[0]?.kind === 'contact' ? told[0].view.keys : [];
    expect(keys.find((k) => k.fingerprint === certificateFingerprint(second))?.trust).not.toBe('retracted');
    expect(keys.find((k) => k.fingerprint === certificateFingerprint(first))?.trust).toBe('retracted');
  });

  it('a verified key withdrawn right after a new one was pushed, before any fetch stored it, flags the new one as a change', async () => {
    // A new key, not a renewal of the old one (the burst's certificates all share one key).
    const { privateKey: otherKey } = await generateRsaKeyPair(2048);
    for (let round = 0; round < 3; round++) {
      // Fetches spaced as in a burst: a follow-up waits its turn, longer than this test waits.
      const { contactKeys, pep, views } = await start({ roster: [JULIET], followUp: { spacingMs: 5_000, maxSpacingMs: 5_000, calmMs: 60_000 } });
      const first = burst[round] as Buffer;
      const second = await createSelfSignedCertificate({ bareJid: JULIET, privateKey: otherKey });
      pep.nodes.set(JULIET, [first]);
      await contactKeys.fetch(JULIET);
      expect((await contactKeys.verify(JULIET, { fingerprint: certificateFingerprint(first) })).outcome).toBe('verified');
      // The rotation: the new key pushed (shown at once, its fetch waiting its turn), then the verified
      // one withdrawn.
      pep.publish(JULIET, second);
      await vi.waitFor(() => expect(views.at(-1)?.keys.some((k) => k.fingerprint === certificateFingerprint(second))).toBe(true));
      pep.retract(JULIET, first);
      const shown = () => views.at(-1)?.keys.find((k) => k.fingerprint === certificateFingerprint(second));
      await vi.waitFor(() => expect(shown()?.trust).toBe('changed'));
      await new Promise((r) => setTimeout(r, 100));
      // And it stays so: no later view drops the new key or takes the warning back.
      expect(shown()?.trust).toBe('changed');
      expect(contactKeys.known(JULIET).keys.find((k) => k.fingerprint === certificateFingerprint(second))?.trust).toBe('changed');
      expect(contactKeys.known(JULIET).keys.find((k) => k.fingerprint === certificateFingerprint(first))?.trust).toBe('retracted');
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true });
    }
  });

  it('a key pushed beside a known one is not trusted until a fetch tells an addition from a replacement; a first key is first use', async () => {
    // The follow-up fetch waits longer than this test: what shows meanwhile is the notification's preview.
    const { contactKeys, pep, views } = await start({ roster: [JULIET], followUp: { spacingMs: 5_000, maxSpacingMs: 5_000, calmMs: 60_000 } });
    const [first, second] = burst.map(certificateFingerprint) as [string, string];
    const decisionOf = (fingerprint: string) => views.at(-1)?.keys.find((k) => k.fingerprint === fingerprint)?.decision;
    // Trust on first use (the default policy): her first key, pushed, is trusted before any fetch.
    pep.publish(JULIET, burst[0] as Buffer);
    await vi.waitFor(() => expect(decisionOf(first)).toBe('trusted'));
    await vi.waitFor(() => expect(views.at(-1)?.fetch).toBe('ok'));
    expect((await contactKeys.verify(JULIET, { fingerprint: first })).outcome).toBe('verified');
    // A second key pushed (her server can do that alone, and hold the fetch back): not trusted while unchecked.
    pep.publish(JULIET, burst[1] as Buffer);
    await vi.waitFor(() => expect(decisionOf(second)).toBe('untrusted'));
    expect(views.at(-1)?.fetch).toBe('notified');
    expect(decisionOf(first)).toBe('verified');
  });

  it('keys pushed while a follow-up fetch waits its turn are shown at once, beside those shown before', async () => {
    // The follow-up may start only 800 ms after the first fetch: what the notifications pushed must not wait for it.
    const { pep, views } = await start({ roster: [JULIET], followUp: { spacingMs: 800, maxSpacingMs: 800, calmMs: 5000 } });
    const [first, second, third] = burst.map(certificateFingerprint) as [string, string, string];
    pep.publish(JULIET, burst[0] as Buffer); // fetched at once
    await vi.waitFor(() => expect(views.some((v) => v.fetch === 'ok')).toBe(true));
    const pushedAt = performance.now();
    pep.publish(JULIET, burst[1] as Buffer); // the follow-up now waits for its turn
    await new Promise((r) => setTimeout(r, 100));
    pep.publish(JULIET, burst[2] as Buffer);

    await vi.waitFor(() => expect(views.at(-1)?.keys.map((k) => k.fingerprint)).toContain(third), { timeout: 500 });
    expect(performance.now() - pushedAt).toBeLessThan(700);
    const shown = views.at(-1) as ContactKeysView;
    expect(shown.fetch).toBe('notified');
    // The pushed key first, then the one pushed before it, then the stored one.
    expect(shown.keys.map((k) => k.fingerprint)).toEqual([third, second, first]);
    expect(pep.asked).toEqual([JULIET]);
    await vi.waitFor(() => expect(views.at(-1)?.fetch).toBe('ok'), { timeout: 3000 });
    expect(views.at(-1)?.keys.map((k) => k.fingerprint).sort()).toEqual([first, second, third].sort());
  });

  it('a revocation a notification pushes is shown after one signature check, not one per use of the items', async () => {
    const { pep, views } = await start({ roster: [JULIET], followUp: { spacingMs: 0 } });
    const der = burst[0] as Buffer;
    const statement = await createRevocation({ bareJid: JULIET, certificateDer: der, privateKey: burstKey, reason: 'compromised' });
    const revocation = xml('item', { id: revocationItemId(certificateFingerprint(der)) }, revocationPayload(statement));
    vi.mocked(verifyRevocation).mockClear();
    // Pushed only: the fetch that follows finds the node empty and checks nothing more.
    pep.listener({ from: JULIET, node: NS.pubkey, items: parseItems(xml('items', {}, revocation)), retracted: [] });
    await vi.waitFor(() => expect(views.some((v) => v.fetch === 'ok')).toBe(true));
    expect(views.map((v) => v.fetch)).toEqual(['notified', 'ok']);
    expect(vi.mocked(verifyRevocation)).toHaveBeenCalledTimes(1);
  });

  it('withdrawn keys are capped at the 16 most recent', async () => {
    const { contactKeys, vaults, pep } = await start({ roster: [JULIET], followUp: { spacingMs: 0 } });
    for (let round = 0; round < 20; round++) {
      pep.nodes.set(JULIET, [burst[round] as Buffer]);
      await contactKeys.fetch(JULIET);
    }
    const stored = vaults.vault.account(ACCOUNT)?.contacts[JULIET] ?? [];
    expect(stored.filter((k) => k.trust !== 'retracted').map((k) => k.fingerprint)).toEqual([certificateFingerprint(burst[19] as Buffer)]);
    const withdrawn = stored.filter((k) => k.trust === 'retracted').map((k) => k.fingerprint);
    expect(withdrawn).toHaveLength(16);
    expect(withdrawn).toEqual(burst.slice(3, 19).map((d) => certificateFingerprint(d)));
  });
});
