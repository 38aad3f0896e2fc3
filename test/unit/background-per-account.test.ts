/**
 * Work romeo's sign-in started in the background is romeo's alone. His roster's keys and other apps'
 * devices are being read when mercutio signs in on the same app (or romeo's stream is replaced and he
 * is back): no next contact of romeo's is asked, over mercutio's connection or the new one; what was
 * in flight is recorded under neither account (a first-seen baseline in mercutio's vault for romeo's
 * contacts would be a trust decision nobody made); and no window hears of it (the events name no
 * account, so mercutio's window would show romeo's contacts).
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import xml from '@xmpp/xml';
import parseXml from '@xmpp/xml/lib/parse.js';
import type { Element } from '@xmpp/xml';
import type { EventName } from '../../contract/index.js';
import { AppEvents } from '../../main/events.js';
import { createSelfSignedCertificate } from '../../main/keys/certificate.js';
import { certificateFingerprint } from '../../main/keys/fingerprint.js';
import { generateRsaKeyPair } from '../../main/keys/generate.js';
import { silentLogger } from '../../main/logger.js';
import { ContactKeys } from '../../main/services/contact-keys.js';
import { OtherAppKeys } from '../../main/services/other-app-keys.js';
import { markNow } from '../../main/services/session-mark.js';
import { ContactKeysStore } from '../../main/vault/stores/contact-keys-store.js';
import { OtherKeysStore } from '../../main/vault/stores/other-keys-store.js';
import type { VaultHolder } from '../../main/vault/vault-holder.js';
import { NS } from '../../main/xmpp/namespaces.js';
import { pubkeyPayload } from '../../main/xmpp/pubkey-items.js';
import { stanzaError } from '../support/fake-pep-service.js';
import { switchingSession, type SwitchingSession } from '../support/switching-session.js';
import { unlockedVaults } from '../support/vaults.js';

const ROMEO = 'romeo@montague.lit';
const MERCUTIO = 'mercutio@verona.lit';
/** Romeo's roster: on his own server, so every lane is open from the start. */
const ROSTER = Array.from({ length: 12 }, (_, n) => `friend-${n}@montague.lit`);
const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'interop');

function fixture(name: string): Element {
  return parseXml(readFileSync(join(FIXTURES, `${name}.xml`), 'utf8'));
}

/** What every contact publishes: an X.509 key, and an axolotl device with its bundle and an OpenPGP key. */
let certificate: Buffer;
function published(node: string): Element | undefined {
  if (node === NS.pubkey) return xml('items', { node }, xml('item', { id: certificateFingerprint(certificate) }, pubkeyPayload(certificate)));
  const nodes: Record<string, string> = {
    [NS.omemoAxolotlDevices]: 'profanity-axolotl-devicelist',
    [NS.openpgpPublicKeys]: 'profanity-openpgp-public-keys-list',
  };
  const name = nodes[node] ?? (node.startsWith(`${NS.omemoAxolotlBundles}:`) ? 'profanity-axolotl-bundle' : node.startsWith(`${NS.openpgpPublicKeys}:`) ? 'profanity-openpgp-key' : undefined);
  return name === undefined ? undefined : fixture(name);
}

/** One session for every account, as the app's, romeo's stream up first; every request answered from `published`. */
function romeoSignedIn(): SwitchingSession {
  return switchingSession({
    initial: { status: 'online', account: ROMEO },
    answer: async ({ element }) => {
      const items = published(String(element.getChild('items')?.attrs.node ?? ''));
      return items ? xml('pubsub', { xmlns: NS.pubsub }, items) : Promise.reject(stanzaError('item-not-found', 'cancel'));
    },
  });
}

/** Until `check` holds (the background work ran up to where the test wants it). */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !check(); i++) await new Promise((resolve) => setImmediate(resolve));
  expect(check()).toBe(true);
}

let dir: string;
let vaults: VaultHolder;
let session: SwitchingSession;
let emitted: { event: EventName; jid: string }[];
let events: AppEvents;

beforeAll(async () => {
  const { privateKey } = await generateRsaKeyPair(2048);
  certificate = await createSelfSignedCertificate({ bareJid: 'friend-0@montague.lit', privateKey });
}, 60_000);

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keyring-background-account-'));
  vaults = await unlockedVaults(dir);
  session = romeoSignedIn();
  events = new AppEvents();
  emitted = [];
  events.subscribe((event, payload) => {
    if (event === 'contacts:keys' || event === 'devices:contact') emitted.push({ event, jid: (payload as { jid: string }).jid });
  });
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('romeo’s roster keys read at sign-in', () => {
  function contactKeys() {
    const store = new ContactKeysStore(vaults);
    return { store, keys: new ContactKeys({ store, session: session.port, events, log: silentLogger, isKnownContact: () => true }) };
  }

  it('reads all of them and records them under romeo while he stays signed in', async () => {
    const { store, keys } = contactKeys();
    await keys.fetchMany(ROSTER, 2, 5000, markNow(session.port));
    expect(ROSTER.every((c) => store.keys(ROMEO, c).length === 1)).toBe(true);
    expect(emitted).toHaveLength(ROSTER.length);
  });

  for (const [what, next] of [
    ['mercutio signs in partway through', [MERCUTIO]],
    ['romeo is signed in again partway through (another stream, after mercutio)', [MERCUTIO, ROMEO]],
  ] as const) {
    it(`${what}: no next contact is asked, nothing is recorded under either account, no window hears of it`, async () => {
      const { store, keys } = contactKeys();
      const open = session.hold();
      const run = keys.fetchMany(ROSTER, 2, 5000, markNow(session.port));
      await until(() => session.sent.length === 2);
      for (const account of next) session.signIn(account);
      open();
      await run;

      // Only the two asked before the switch, and never anyone as the new account.
      expect(session.sent.map((a) => a.to)).toEqual(ROSTER.slice(0, 2));
      for (const contact of ROSTER) {
        expect(store.keys(MERCUTIO, contact)).toEqual([]);
        expect(store.keys(ROMEO, contact)).toEqual([]);
      }
      expect(emitted).toEqual([]);
    });
  }
});

describe('romeo’s roster’s other apps’ keys read at sign-in', () => {
  function otherKeys() {
    const store = new OtherKeysStore(vaults);
    const keys = new OtherAppKeys({
      store,
      trust: new ContactKeysStore(vaults),
      session: session.port,
      events,
      log: silentLogger,
      isKnownContact: () => true,
      followUp: { spacingMs: 0, maxSpacingMs: 0, calmMs: 0 },
    });
    return { store, keys };
  }

  it('reads all of them and records them under romeo while he stays signed in', async () => {
    const { store, keys } = otherKeys();
    await keys.fetchMany(ROSTER, markNow(session.port));
    expect(ROSTER.every((c) => (store.of(ROMEO, c)?.keys.length ?? 0) > 0)).toBe(true);
    expect(emitted).toHaveLength(ROSTER.length);
  });

  for (const [what, next] of [
    ['mercutio signs in partway through', [MERCUTIO]],
    ['romeo is signed in again partway through (another stream, after mercutio)', [MERCUTIO, ROMEO]],
  ] as const) {
    it(`${what}: no further request for romeo’s contacts, nothing recorded under either account, no window hears of it`, async () => {
      const { store, keys } = otherKeys();
      const open = session.hold();
      const run = keys.fetchMany(ROSTER, markNow(session.port));
      // Four contacts at a time, three lists each: the first four contacts' lists are asked, and wait.
      await until(() => session.sent.length === 12);
      const before = session.sent.length;
      for (const account of next) session.signIn(account);
      open();
      await run;

      // Neither the next contacts nor the bundles and keys of those in flight are asked for.
      expect(session.sent.slice(before)).toEqual([]);
      expect(new Set(session.sent.map((a) => a.to))).toEqual(new Set(ROSTER.slice(0, 4)));
      for (const contact of ROSTER) {
        expect(store.of(MERCUTIO, contact)).toBeUndefined();
        expect(store.of(ROMEO, contact)).toBeUndefined();
      }
      expect(emitted).toEqual([]);
    });
  }
});
