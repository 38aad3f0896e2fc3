/**
 * OtherAppKeys over a stand-in session serving what real clients published (test/fixtures/interop):
 * the fingerprints the clients printed, a changed identity key warned about, a stranger's notification
 * costing nothing, hostile items never throwing, and an own device taken off the list by republishing
 * it without that device and without publish-options.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import xml from '@xmpp/xml';
import parseXml from '@xmpp/xml/lib/parse.js';
import type { Element } from '@xmpp/xml';
import type { OtherKeysView } from '../../contract/index.js';
import { AppEvents } from '../../main/events.js';
import { silentLogger } from '../../main/logger.js';
import { OTHER_KEY_LIMITS } from '../../contract/limits.js';
import { formatOmemoFingerprint, MAX_DEVICES } from '../../main/protocols/omemo.js';
import { OtherAppKeys } from '../../main/services/other-app-keys.js';
import { ContactKeysStore } from '../../main/vault/stores/contact-keys-store.js';
import { OtherKeysStore } from '../../main/vault/stores/other-keys-store.js';
import type { OtherKeysRecord } from '../../main/vault/schema.js';
import type { VaultHolder } from '../../main/vault/vault-holder.js';
import { NS } from '../../main/xmpp/namespaces.js';
import { parseItems } from '../../main/xmpp/pubsub.js';
import { fakeSession } from '../support/fake-session.js';
import { switchingSession } from '../support/switching-session.js';
import { unlockedVaults } from '../support/vaults.js';
import { expected } from './protocols/fixtures.js';

const ACCOUNT = 'romeo@montague.lit';
// The account the interop fixtures were published from: its OpenPGP key names it (xmpp:mercutio-77be59@…).
const MERCUTIO = expected.gpgUserId.slice('xmpp:'.length);
const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'interop');

function fixture(name: string): Element {
  return parseXml(readFileSync(join(FIXTURES, `${name}.xml`), 'utf8'));
}

function stanzaError(condition: string, type: string): Error {
  const element = xml('error', { type }, xml(condition, { xmlns: NS.stanzas }));
  return Object.assign(new Error(condition), { name: 'StanzaError', condition, element });
}

/** Each node's `<items/>` answer, per account; anything else is item-not-found. */
type Nodes = Map<string, Element>;

function network(accounts: Record<string, Nodes>) {
  const asked: { to: string; node: string }[] = [];
  const published: Element[] = [];
  const answer = (request: Element, to: string | undefined): Promise<Element | undefined> => {
    const publish = request.getChild('publish');
    if (publish) {
      published.push(request);
      const owner = accounts[ACCOUNT] ?? new Map<string, Element>();
      owner.set(publish.attrs.node as string, xml('items', { node: publish.attrs.node }, ...publish.getChildren('item')));
      return Promise.resolve(undefined);
    }
    const node = request.getChild('items')?.attrs.node as string;
    const who = to ?? ACCOUNT;
    asked.push({ to: who, node });
    const items = accounts[who]?.get(node);
    return items ? Promise.resolve(xml('pubsub', { xmlns: NS.pubsub }, items)) : Promise.reject(stanzaError('item-not-found', 'cancel'));
  };
  return { asked, published, session: fakeSession({ account: ACCOUNT, answer }) };
}

/** Profanity's axolotl device and OpenPGP key, python-omemo's OMEMO 2 device: as they published them. */
function mercutioNodes(): Nodes {
  const nodes: Nodes = new Map();
  const deviceList = fixture('profanity-axolotl-devicelist');
  nodes.set(NS.omemoAxolotlDevices, deviceList);
  nodes.set(`${NS.omemoAxolotlBundles}:${expected.profanityDeviceId}`, fixture('profanity-axolotl-bundle'));
  nodes.set(NS.omemo2Devices, fixture('python-omemo-omemo2-devices'));
  nodes.set(NS.omemo2Bundles, fixture('python-omemo-omemo2-bundle'));
  nodes.set(NS.openpgpPublicKeys, fixture('profanity-openpgp-public-keys-list'));
  nodes.set(`${NS.openpgpPublicKeys}:${expected.gpgFingerprint}`, fixture('profanity-openpgp-key'));
  return nodes;
}

/** An axolotl device list naming `ids`, in that order. */
function axolotlListItems(ids: readonly number[]): Element {
  const list = xml('list', { xmlns: NS.omemoAxolotl }, ...ids.map((id) => xml('device', { id: String(id) })));
  return xml('items', { node: NS.omemoAxolotlDevices }, xml('item', { id: 'current' }, list));
}

let dir: string;
let vaults: VaultHolder;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'other-keys-'));
  vaults = await unlockedVaults(dir);
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function service(session: ReturnType<typeof network>['session'], options: { contacts?: string[]; now?: () => Date; realSpacing?: boolean } = {}) {
  const events = new AppEvents();
  const emitted: OtherKeysView[] = [];
  events.subscribe((name, payload) => name === 'devices:contact' && emitted.push(payload as OtherKeysView));
  const keys = new OtherAppKeys({
    store: new OtherKeysStore(vaults),
    trust: new ContactKeysStore(vaults),
    session,
    events,
    log: silentLogger,
    isKnownContact: (jid) => (options.contacts ?? []).includes(jid),
    ...(options.realSpacing ? {} : { followUp: { spacingMs: 0, maxSpacingMs: 0, calmMs: 0 } }),
    ...(options.now ? { now: options.now } : {}),
  });
  return { keys, emitted };
}

describe('other apps’ keys of a contact', () => {
  it('shows every device and key with the fingerprints the clients themselves printed', async () => {
    const net = network({ [MERCUTIO]: mercutioNodes() });
    const { keys } = service(net.session);
    const view = await keys.fetch(MERCUTIO);
    const profanity = view.keys.find((k) => k.protocol === 'omemo' && k.deviceId === expected.profanityDeviceId);
    expect(profanity && formatOmemoFingerprint(profanity.fingerprint, 'profanity')).toBe(expected.profanityOmemoFingerprint);
    expect(profanity?.signatureValid).toBe(true);
    expect(view.keys.find((k) => k.protocol === 'omemo2')?.fingerprint).toBe(expected.pythonOmemoCurve25519);
    const pgp = view.keys.find((k) => k.protocol === 'openpgp');
    expect(pgp).toMatchObject({ fingerprint: expected.gpgFingerprint, created: expected.gpgCreated, state: 'known' });
    // Device 31415 is listed, but has no bundle.
    expect(view.keys.find((k) => k.deviceId === 31415)).toMatchObject({ fingerprint: '', problems: ['no bundle published'], noBundle: true });
    // A device with a bundle says nothing of the kind.
    expect(profanity?.noBundle).toBeUndefined();
    expect(view.sources).toEqual([
      { protocol: 'omemo', status: 'ok' },
      // python-omemo published a label without a signature: XEP-0384 §5.3.1 says not to show it.
      { protocol: 'omemo2', status: 'ok', detail: 'device 5151: its label is not signed, so it is not shown' },
      { protocol: 'openpgp', status: 'ok' },
    ]);
    expect(view.keys.find((k) => k.protocol === 'omemo2')?.label).toBeUndefined();
    expect(keys.stored(MERCUTIO).keys).toHaveLength(view.keys.length);
  });

  it('warns when a device’s identity key changes under the same device id', async () => {
    const nodes = mercutioNodes();
    const net = network({ [MERCUTIO]: nodes });
    const { keys } = service(net.session);
    await keys.fetch(MERCUTIO);
    // Another identity key (nbxmpp's) under Profanity's device id.
    nodes.set(`${NS.omemoAxolotlBundles}:${expected.profanityDeviceId}`, fixture('nbxmpp-axolotl-bundle-1717'));
    const view = await keys.fetch(MERCUTIO);
    const device = view.keys.find((k) => k.deviceId === expected.profanityDeviceId && k.protocol === 'omemo');
    expect(device).toMatchObject({ state: 'changed', fingerprint: expected.nbxmppBundle1717Fingerprint });
    expect(device?.previous).toEqual([formatOmemoFingerprint(expected.profanityOmemoFingerprint.replace(/-/g, ''), 'conversations').replace(/ /g, '')]);
  });

  it('a changed device warns until accepted; then the contact’s policy decides (tofu trusts, manual does not)', async () => {
    const nodes = mercutioNodes();
    const net = network({ [MERCUTIO]: nodes });
    const { keys } = service(net.session);
    const first = await keys.fetch(MERCUTIO);
    expect(first.keys.filter((k) => k.fingerprint !== '').map((k) => k.decision)).toEqual(['trusted', 'trusted', 'trusted']);
    nodes.set(`${NS.omemoAxolotlBundles}:${expected.profanityDeviceId}`, fixture('nbxmpp-axolotl-bundle-1717'));
    const changed = (await keys.fetch(MERCUTIO)).keys.find((k) => k.deviceId === expected.profanityDeviceId);
    expect(changed).toMatchObject({ state: 'changed', decision: 'changed' });
    // Nothing changed there: nothing to accept.
    await expect(keys.accept(MERCUTIO, expected.gpgFingerprint)).rejects.toMatchObject({ code: 'invalid-argument' });
    const accepted = (await keys.accept(MERCUTIO, expected.nbxmppBundle1717Fingerprint)).keys.find((k) => k.deviceId === expected.profanityDeviceId);
    expect(accepted).toMatchObject({ state: 'known', decision: 'trusted' });
    expect(accepted?.acceptedAt).toBeDefined();
    await new ContactKeysStore(vaults).updateContactTrust(ACCOUNT, MERCUTIO, () => ({ policy: 'manual' }));
    expect(keys.stored(MERCUTIO).keys.find((k) => k.deviceId === expected.profanityDeviceId)?.decision).toBe('untrusted');
  });

  it('verifying compares with the current keys: a wrong fingerprint is a recorded mismatch, the right one verifies', async () => {
    const nodes = mercutioNodes();
    const net = network({ [MERCUTIO]: nodes });
    const { keys } = service(net.session);
    await expect(keys.verify(MERCUTIO, expected.gpgFingerprint)).rejects.toMatchObject({ code: 'not-found' });
    await keys.fetch(MERCUTIO);
    const wrong = await keys.verify(MERCUTIO, expected.nbxmppBundle1717Fingerprint);
    expect(wrong.outcome).toBe('mismatch');
    expect(wrong.view.mismatches).toMatchObject([{ offered: expected.nbxmppBundle1717Fingerprint, via: 'typed' }]);
    expect(wrong.view.keys.some((k) => k.decision === 'verified')).toBe(false);
    expect(new ContactKeysStore(vaults).contactTrust(ACCOUNT, MERCUTIO).firstVerifiedAt).toBeUndefined();
    const right = await keys.verify(MERCUTIO, expected.gpgFingerprint);
    expect(right.outcome).toBe('verified');
    expect(right.view.keys.filter((k) => k.decision === 'verified').map((k) => k.protocol)).toEqual(['openpgp']);
    // Blind trust before verification counts from here, for the contact's X.509 keys too.
    expect(new ContactKeysStore(vaults).contactTrust(ACCOUNT, MERCUTIO).firstVerifiedAt).toBeDefined();
  });

  it('an OpenPGP key whose User ID names someone else is shown as such, never trusted, and cannot be verified as the contact’s', async () => {
    // Profanity's key names xmpp:mercutio@…; tybalt publishes it as his own.
    const TYBALT = 'tybalt@capulet.lit';
    const net = network({ [TYBALT]: mercutioNodes() });
    const { keys } = service(net.session);
    const view = await keys.fetch(TYBALT);
    const pgp = view.keys.find((k) => k.protocol === 'openpgp');
    expect(pgp).toMatchObject({ fingerprint: expected.gpgFingerprint, forAnotherAddress: true, decision: 'untrusted' });
    expect(pgp?.problems[0]).toBe(`Issued for another address: it names “${expected.gpgUserId}”, not xmpp:${TYBALT}. Never trusted as theirs.`);
    // Stored so: still untrusted when shown without reading again.
    expect(keys.stored(TYBALT).keys.find((k) => k.protocol === 'openpgp')).toMatchObject({ forAnotherAddress: true, decision: 'untrusted' });
    // Comparing its fingerprint: refused in words, neither "Verified" nor a mismatch alarm.
    await expect(keys.verify(TYBALT, expected.gpgFingerprint)).rejects.toMatchObject({
      code: 'invalid-argument',
      message: `That OpenPGP key is issued for another address: none of its User IDs is xmpp:${TYBALT}, so it cannot be verified as ${TYBALT}'s. Nothing was marked verified.`,
    });
    const after = keys.stored(TYBALT);
    expect(after.keys.some((k) => k.decision === 'verified')).toBe(false);
    expect(after.mismatches).toEqual([]);
    // Its own owner's copy: trusted, verifiable.
    const own = network({ [MERCUTIO]: mercutioNodes() });
    const mercutio = service(own.session);
    expect((await mercutio.keys.fetch(MERCUTIO)).keys.find((k) => k.protocol === 'openpgp')).toMatchObject({ decision: 'trusted' });
  });

  it('a wrong comparison, then the right one, then that verification taken back: the mismatch stays answered, after a new reading too', async () => {
    const net = network({ [MERCUTIO]: mercutioNodes() });
    let clock = Date.parse('2026-12-04T10:00:00.000Z');
    const { keys, emitted } = service(net.session, { now: () => new Date((clock += 60_000)) });
    await keys.fetch(MERCUTIO);
    const wrong = await keys.verify(MERCUTIO, expected.nbxmppBundle1717Fingerprint);
    expect(wrong.view.lastMatchAt).toBeUndefined();
    // As the contract hands it over: Profanity's groups joined, lowercase.
    const profanity = expected.profanityOmemoFingerprint.replace(/-/g, '');
    const right = await keys.verify(MERCUTIO, profanity);
    expect(right.outcome).toBe('verified');
    const after = await keys.unverify(MERCUTIO, profanity);
    expect(after.keys.some((k) => k.decision === 'verified')).toBe(false);
    expect(after.mismatches).toMatchObject([{ offered: expected.nbxmppBundle1717Fingerprint }]);
    expect(after.lastMatchAt).toBe(right.view.lastMatchAt);
    expect(Date.parse(after.lastMatchAt ?? '')).toBeGreaterThan(Date.parse(after.mismatches[0]?.at ?? ''));
    // Every window is told, and the vault keeps it: a later reading and a fresh service still say it.
    expect(emitted.at(-1)?.lastMatchAt).toBe(after.lastMatchAt);
    expect((await keys.fetch(MERCUTIO)).lastMatchAt).toBe(after.lastMatchAt);
    expect(service(net.session).keys.stored(MERCUTIO).lastMatchAt).toBe(after.lastMatchAt);
  });

  it('a verified device behind more new ids than the app reads is still read, not removed; the new ones left out are counted', async () => {
    const nodes = mercutioNodes();
    const net = network({ [MERCUTIO]: nodes });
    const { keys } = service(net.session);
    await keys.fetch(MERCUTIO);
    const profanity = formatOmemoFingerprint(expected.profanityOmemoFingerprint.replace(/-/g, ''), 'conversations').replace(/ /g, '');
    expect((await keys.verify(MERCUTIO, profanity)).outcome).toBe('verified');
    const fresh = Array.from({ length: MAX_DEVICES }, (_, i) => 1000 + i);
    nodes.set(NS.omemoAxolotlDevices, axolotlListItems([...fresh, 31415, expected.profanityDeviceId]));
    const view = await keys.fetch(MERCUTIO);
    const device = view.keys.find((k) => k.protocol === 'omemo' && k.deviceId === expected.profanityDeviceId);
    expect(device).toMatchObject({ state: 'known', decision: 'verified', fingerprint: profanity });
    expect(view.keys.find((k) => k.deviceId === 31415)?.state).not.toBe('removed');
    // 66 listed, 64 read (the 2 known first): the last 2 new ids are left out, and said so.
    expect(view.leftOut).toBe(2);
    expect(view.keys.filter((k) => k.protocol === 'omemo' && k.state !== 'removed')).toHaveLength(MAX_DEVICES);
  });

  it('known devices past the cap (more known than the app reads) stay listed, shown as not read this time', async () => {
    const nodes = mercutioNodes();
    const net = network({ [MERCUTIO]: nodes });
    const { keys } = service(net.session);
    const ids = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);
    nodes.set(NS.omemoAxolotlDevices, axolotlListItems(ids(1, MAX_DEVICES)));
    await keys.fetch(MERCUTIO);
    nodes.set(NS.omemoAxolotlDevices, axolotlListItems(ids(1001, MAX_DEVICES)));
    await keys.fetch(MERCUTIO);
    // 64 current and the removed ones kept (OTHER_KEY_LIMITS.removedKeys) are known; all listed again, with new ones.
    nodes.set(NS.omemoAxolotlDevices, axolotlListItems([...ids(5001, 10), ...ids(1, MAX_DEVICES), ...ids(1001, MAX_DEVICES)]));
    const view = await keys.fetch(MERCUTIO);
    const omemo = view.keys.filter((k) => k.protocol === 'omemo');
    expect(omemo.filter((k) => k.state === 'removed')).toEqual([]);
    const notRead = omemo.filter((k) => k.problems.some((p) => p.startsWith('still listed, but not read this time')));
    expect(notRead).toHaveLength(OTHER_KEY_LIMITS.removedKeys);
    // Those the vault no longer knows (10 new, and the removed ones pruned) are left out and counted; the
    // known ones past the cap are shown, not counted again.
    expect(view.leftOut).toBe(10 + MAX_DEVICES - OTHER_KEY_LIMITS.removedKeys);
  });

  it('a server that refuses or cannot be reached removes no device', async () => {
    const nodes = mercutioNodes();
    let down = false;
    const net = network({ [MERCUTIO]: nodes });
    const answer = net.session.iq.get;
    const session = { ...net.session, iq: { get: (r: Element, to?: string, t?: number) => (down ? Promise.reject(stanzaError('remote-server-not-found', 'cancel')) : answer(r, to, t)), set: answer } };
    const { keys } = service(session);
    const first = await keys.fetch(MERCUTIO);
    down = true;
    const second = await keys.fetch(MERCUTIO);
    expect(second.sources.map((s) => s.status)).toEqual(['unreachable', 'unreachable', 'unreachable']);
    expect(second.keys.map((k) => k.state)).toEqual(first.keys.map((k) => k.state));
    expect(second.keys.some((k) => k.state === 'removed')).toBe(false);
  });

  it('the sign-in reading of accounts whose lists cannot be read writes nothing, and still announces each', async () => {
    // A server that answers none of them (service-unavailable, as Prosody does for an unknown account).
    const session = fakeSession({ account: ACCOUNT, answer: () => Promise.reject(stanzaError('service-unavailable', 'cancel')) });
    const { keys, emitted } = service(session);
    const contacts = Array.from({ length: 40 }, (_, n) => `contact-${n}@capulet.lit`);
    const before = vaults.vault.document;
    await keys.fetchMany(contacts);
    expect(emitted.map((v) => v.jid).sort()).toEqual([...contacts].sort());
    expect(emitted.every((v) => v.keys.length === 0 && v.sources.every((s) => s.status === 'failed'))).toBe(true);
    expect(vaults.vault.document).toBe(before);
  });

  it('a gateway in the roster (a bare domain) is skipped and logged once; every contact is still read', async () => {
    const net = network({ [MERCUTIO]: mercutioNodes() });
    const emitted: OtherKeysView[] = [];
    const events = new AppEvents();
    events.subscribe((name, payload) => name === 'devices:contact' && emitted.push(payload as OtherKeysView));
    const logged: string[] = [];
    const log = { ...silentLogger, info: (m: string) => logged.push(m), warn: (m: string) => logged.push(m) };
    const keys = new OtherAppKeys({ store: new OtherKeysStore(vaults), trust: new ContactKeysStore(vaults), session: net.session, events, log, isKnownContact: () => true, followUp: { spacingMs: 0, maxSpacingMs: 0, calmMs: 0 } });

    await keys.fetchMany(['irc.capulet.lit', MERCUTIO, 'juliet@capulet.lit']);

    expect([...new Set(net.asked.map((a) => a.to))].sort()).toEqual(['juliet@capulet.lit', MERCUTIO]);
    expect(emitted.map((v) => v.jid).sort()).toEqual(['juliet@capulet.lit', MERCUTIO]);
    expect(emitted.find((v) => v.jid === MERCUTIO)?.keys.length).toBeGreaterThan(0);
    expect(logged).toEqual([expect.stringContaining('skipped irc.capulet.lit,')]);
  });

  it('one account whose reading trips (not the disk) is logged; every other contact is still read and announced', async () => {
    const net = network({ [MERCUTIO]: mercutioNodes(), 'juliet@capulet.lit': mercutioNodes() });
    const emitted: OtherKeysView[] = [];
    const events = new AppEvents();
    events.subscribe((name, payload) => name === 'devices:contact' && emitted.push(payload as OtherKeysView));
    const logged: string[] = [];
    const log = { ...silentLogger, warn: (m: string) => logged.push(m) };
    /** A store that trips on one account, as a reader's unexpected throw would. */
    class TripsOnJuliet extends OtherKeysStore {
      override update<T>(account: string, jid: string, change: (stored: OtherKeysRecord | undefined) => { record: OtherKeysRecord; result: T }): Promise<T> {
        if (jid === 'juliet@capulet.lit') throw new RangeError('The value of "value" is out of range.');
        return super.update(account, jid, change);
      }
    }
    const keys = new OtherAppKeys({ store: new TripsOnJuliet(vaults), trust: new ContactKeysStore(vaults), session: net.session, events, log, isKnownContact: () => true, followUp: { spacingMs: 0, maxSpacingMs: 0, calmMs: 0 } });

    await keys.fetchMany(['juliet@capulet.lit', MERCUTIO]);

    expect(emitted.map((v) => v.jid)).toEqual([MERCUTIO]);
    expect(logged).toEqual([expect.stringContaining("reading juliet@capulet.lit's other apps' keys failed: The value of \"value\" is out of range.")]);
  });

  it('a stranger’s device list notification asks nothing and stores nothing', async () => {
    const net = network({ [MERCUTIO]: mercutioNodes() });
    const { keys, emitted } = service(net.session, { contacts: [] });
    keys.onNotification({ from: MERCUTIO, node: NS.omemoAxolotlDevices, items: parseItems(fixture('profanity-axolotl-devicelist')), retracted: [] });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(net.asked).toEqual([]);
    expect(emitted).toEqual([]);
    expect(keys.stored(MERCUTIO).keys).toEqual([]);
  });

  it('a roster contact’s notification reads the devices and announces them', async () => {
    const net = network({ [MERCUTIO]: mercutioNodes() });
    const { keys, emitted } = service(net.session, { contacts: [MERCUTIO] });
    keys.onNotification({ from: MERCUTIO, node: NS.omemoAxolotlDevices, items: [], retracted: [] });
    await expect.poll(() => emitted.length).toBe(1);
    expect(emitted[0]?.keys.map((k) => k.protocol).sort()).toEqual(['omemo', 'omemo', 'omemo2', 'openpgp']);
  });

  it('hostile items (junk payloads, bad base64, huge ids) are reported, never thrown', async () => {
    const nodes: Nodes = new Map();
    nodes.set(
      NS.omemoAxolotlDevices,
      xml('items', { node: NS.omemoAxolotlDevices }, xml('item', { id: 'current' }, xml('list', { xmlns: NS.omemoAxolotl }, xml('device', { id: '99999999999' }), xml('device', { id: '5' })))),
    );
    nodes.set(`${NS.omemoAxolotlBundles}:5`, xml('items', {}, xml('item', { id: 'x' }, xml('bundle', { xmlns: NS.omemoAxolotl }, xml('identityKey', {}, '!!!not base64')))));
    nodes.set(NS.omemo2Devices, xml('items', {}, xml('item', { id: 'current' }, xml('nonsense', {}))));
    nodes.set(NS.openpgpPublicKeys, xml('items', {}, xml('item', { id: 'l' }, xml('public-keys-list', { xmlns: NS.openpgp }, xml('pubkey-metadata', { 'v4-fingerprint': 'A'.repeat(40) })))));
    nodes.set(`${NS.openpgpPublicKeys}:${'A'.repeat(40)}`, xml('items', {}, xml('item', { id: '1' }, xml('pubkey', { xmlns: NS.openpgp }, xml('data', {}, 'AAAA')))));
    const net = network({ [MERCUTIO]: nodes });
    const { keys } = service(net.session);
    const view = await keys.fetch(MERCUTIO);
    expect(view.sources.map((s) => s.status)).toEqual(['ok', 'invalid', 'ok']);
    expect(view.sources[0]?.detail).toMatch(/99999999999/);
    expect(view.keys.find((k) => k.deviceId === 5)?.problems[0]).toMatch(/not base64/);
    expect(view.keys.find((k) => k.protocol === 'openpgp')?.problems).toHaveLength(1);
  });
});

describe('the user’s own devices', () => {
  it('flags a listed device without a bundle as stale', async () => {
    const net = network({ [ACCOUNT]: mercutioNodes() });
    const { keys } = service(net.session);
    const view = await keys.own();
    expect(view.keys.find((k) => k.deviceId === 31415)?.stale).toBe('no-bundle');
    expect(view.keys.find((k) => k.deviceId === expected.profanityDeviceId)?.stale).toBeUndefined();
  });

  it('removing a device republishes the list without it, same item id, no publish-options', async () => {
    const net = network({ [ACCOUNT]: mercutioNodes() });
    const { keys } = service(net.session);
    await keys.own();
    const view = await keys.removeOwnDevice('omemo', 31415);
    expect(net.published).toHaveLength(1);
    const request = net.published[0] as Element;
    expect(request.getChild('publish-options')).toBeUndefined();
    const item = request.getChild('publish')?.getChild('item');
    expect(item?.attrs.id).toBe('current');
    expect(item?.getChild('list', NS.omemoAxolotl)?.getChildren('device').map((d) => d.attrs.id)).toEqual([String(expected.profanityDeviceId)]);
    expect(view.keys.find((k) => k.deviceId === 31415)?.state).toBe('removed');
  });

  it('what the user asks for (reading, removing) runs at once, not after a notification burst’s spacing', async () => {
    const net = network({ [ACCOUNT]: mercutioNodes() });
    const { keys } = service(net.session, { realSpacing: true });
    const started = performance.now();
    await keys.own();
    await keys.own();
    await keys.removeOwnDevice('omemo', 31415);
    // With the follow-up spacing (1 s, then 2 s) these would take 3 s.
    expect(performance.now() - started).toBeLessThan(2500);
  });

  it('a device listed past the reader’s cap can still be taken off the list', async () => {
    const nodes = mercutioNodes();
    const ids = Array.from({ length: MAX_DEVICES + 1 }, (_, i) => 1000 + i);
    nodes.set(NS.omemoAxolotlDevices, axolotlListItems(ids));
    const net = network({ [ACCOUNT]: nodes });
    const { keys } = service(net.session);
    await keys.removeOwnDevice('omemo', 1000 + MAX_DEVICES);
    const item = net.published[0]?.getChild('publish')?.getChild('item');
    expect(item?.getChild('list', NS.omemoAxolotl)?.getChildren('device').map((d) => Number(d.attrs.id))).toEqual(ids.slice(0, MAX_DEVICES));
  });

  it('removing a device that is not on the list publishes nothing', async () => {
    const net = network({ [ACCOUNT]: mercutioNodes() });
    const { keys } = service(net.session);
    await expect(keys.removeOwnDevice('omemo', 4242)).rejects.toMatchObject({ code: 'not-found' });
    expect(net.published).toEqual([]);
  });
});

describe('taking an own device off the list while another account signs in', () => {
  /** romeo's device list on his server, mercutio's (the same fixture) on his; publishes recorded with the account whose stream took them. */
  function twoAccounts() {
    const published: { account: string | undefined }[] = [];
    const session = switchingSession({
      initial: { status: 'online', account: ACCOUNT },
      answer: (request) => {
        if (request.element.getChild('publish')) {
          published.push({ account: request.account });
          return Promise.resolve(undefined);
        }
        const node = request.element.getChild('items')?.attrs.node as string;
        const items = mercutioNodes().get(node);
        return items ? Promise.resolve(xml('pubsub', { xmlns: NS.pubsub }, items)) : Promise.reject(stanzaError('item-not-found', 'cancel'));
      },
    });
    return { session, published, keys: service(session.port as ReturnType<typeof network>['session']).keys };
  }

  it('mercutio signed in while romeo’s list was read: nothing is published, in words', async () => {
    const { session, published, keys } = twoAccounts();
    session.hooks.onAnswer = (method) => {
      if (method === 'get') {
        session.hooks.onAnswer = undefined;
        session.signIn(MERCUTIO);
      }
    };
    const removing = keys.removeOwnDevice('omemo', 31415);
    await expect(removing).rejects.toMatchObject({ code: 'signed-out-meanwhile' });
    await expect(removing).rejects.toThrow(`${ACCOUNT} was signed out (another account was signed in) before device 31415 could be taken off your OMEMO device list: nothing was changed.`);
    expect(published).toEqual([]);
  });

  it('the server took it just before mercutio signed in: said as done for romeo, nothing recorded under mercutio', async () => {
    const { session, published, keys } = twoAccounts();
    session.hooks.onAnswer = (method) => {
      if (method === 'set') {
        session.hooks.onAnswer = undefined;
        session.signIn(MERCUTIO);
      }
    };
    await expect(keys.removeOwnDevice('omemo', 31415)).rejects.toThrow(
      `Device 31415 was taken off ${ACCOUNT}'s OMEMO device list on the server, but ${ACCOUNT} was signed out meanwhile`,
    );
    expect(published).toEqual([{ account: ACCOUNT }]);
  });
});

describe('a change of trust in other apps’ keys while another account signs in', () => {
  it('is recorded for romeo, and neither answered nor told to the windows under juliet', async () => {
    const session = switchingSession({
      initial: { status: 'online', account: ACCOUNT },
      answer: (request) => {
        const node = request.element.getChild('items')?.attrs.node as string;
        const items = mercutioNodes().get(node);
        return items ? Promise.resolve(xml('pubsub', { xmlns: NS.pubsub }, items)) : Promise.reject(stanzaError('item-not-found', 'cancel'));
      },
    });
    const events = new AppEvents();
    const told: OtherKeysView[] = [];
    events.subscribe((name, payload) => name === 'devices:contact' && told.push(payload as OtherKeysView));
    /** juliet is signed in (another window pressed Connect) while romeo's change is written. */
    class SwitchingDuringWrite extends OtherKeysStore {
      override async updateWithTrust<T>(account: string, jid: string, change: Parameters<OtherKeysStore['updateWithTrust']>[2]): Promise<T> {
        const result = (await super.updateWithTrust(account, jid, change)) as T;
        session.signIn('juliet@capulet.lit');
        return result;
      }
    }
    const keys = new OtherAppKeys({
      store: new SwitchingDuringWrite(vaults),
      trust: new ContactKeysStore(vaults),
      session: session.port,
      events,
      log: silentLogger,
      isKnownContact: () => true,
      followUp: { spacingMs: 0, maxSpacingMs: 0, calmMs: 0 },
    });
    await keys.fetch(MERCUTIO);
    told.splice(0);

    await expect(keys.verify(MERCUTIO, expected.gpgFingerprint)).rejects.toMatchObject({
      code: 'signed-out-meanwhile',
      message: expect.stringMatching(/^The change was recorded for romeo@montague\.lit, but romeo@montague\.lit was signed out meanwhile/) as string,
    });
    expect(told, 'juliet’s windows were told of romeo’s change').toEqual([]);
    expect(new OtherKeysStore(vaults).of(ACCOUNT, MERCUTIO)?.keys.some((k) => k.verifiedAt !== undefined)).toBe(true);
    expect(new OtherKeysStore(vaults).of('juliet@capulet.lit', MERCUTIO)).toBeUndefined();
  });
});
