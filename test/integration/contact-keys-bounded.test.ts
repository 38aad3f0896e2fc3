/**
 * Bounded storage for what others send, on a real Prosody: a contact in romeo's roster publishes a
 * burst of keys from a raw client (one items request per key, all sent at once), and romeo's app fetches
 * a few times, writes its vault a few times, keeps at most 64 current keys and raises no dozens of
 * "changed" alerts; a stranger whose notifications reach romeo (an open node plus an explicit XEP-0060
 * subscription, as a hostile server could arrange) gets nothing stored.
 */
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import xml, { type Element } from '@xmpp/xml';
import { createSelfSignedCertificate } from '../../main/keys/certificate.js';
import { certificateFingerprint } from '../../main/keys/fingerprint.js';
import { generateRsaKeyPair } from '../../main/keys/generate.js';
import { FOLLOW_UP } from '../../main/services/contact-keys.js';
import { MAX_CURRENT_KEYS, MAX_WITHDRAWN_KEYS } from '../../main/vault/contact-keys.js';
import { writeVaultFile } from '../../main/vault/vault-file.js';
import type * as VaultFile from '../../main/vault/vault-file.js';
import { NS } from '../../main/xmpp/namespaces.js';
import type { PepNotification } from '../../main/xmpp/pep-events.js';
import { pubkeyPayload } from '../../main/xmpp/pubkey-items.js';
import { publishRequest } from '../../main/xmpp/pubsub.js';
import type { ContactKeysView } from '../../contract/index.js';
import { nextAppEvent, startApp, type App } from '../support/app.js';
import { announceInterest, befriend, connectActor, nextEvent, until, type Actor } from '../support/scenario.js';

// Counts the vault's file writes while keeping them real.
vi.mock('../../main/vault/vault-file.js', async (importOriginal) => {
  const original = await importOriginal<typeof VaultFile>();
  return { ...original, writeVaultFile: vi.fn(original.writeVaultFile) };
});

const server = inject('prosody');
const PUBLISH_TIMEOUT_MS = 180_000;

/**
 * The most fetches a burst lasting `ms` may cost (coalesce.ts): the first at once, then one per
 * doubling gap while it lasts (1 s, 2 s, 4 s…), and the one after it; 10 covers bursts of 4 minutes.
 */
function fetchBound(ms: number): number {
  return Math.min(10, 2 + Math.ceil(Math.log2(ms / FOLLOW_UP.spacingMs + 1)));
}

describe('bounded storage for what contacts send (Prosody)', () => {
  let romeo: App;
  const actors: Actor[] = [];

  beforeAll(async () => {
    romeo = await startApp('romeo', 'montague.lit', server);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(actors.map((a) => a.session.disconnect()));
    await romeo?.stop();
  });

  /** A fresh contact in romeo's roster, with romeo's +notify interest known to her PEP service. */
  async function contact(role: string): Promise<Actor> {
    const actor = await connectActor(role, 'capulet.lit', server);
    actors.push(actor);
    await befriend(actor, romeo.actor, ['Friends']);
    await announceInterest(romeo.actor);
    return actor;
  }

  async function certificates(jid: string, count: number): Promise<Buffer[]> {
    const { privateKey } = await generateRsaKeyPair(2048);
    return Promise.all(Array.from({ length: count }, () => createSelfSignedCertificate({ bareJid: jid, privateKey })));
  }

  /** XEP-0060 §7.1.5: the first publish creates the node, keeping as many items as Prosody allows. */
  const publish = (actor: Actor, der: Buffer, access?: 'open' | 'presence'): Promise<Element | undefined> =>
    actor.session.client.iqCaller.set(
      publishRequest(
        NS.pubkey,
        { id: certificateFingerprint(der), payload: pubkeyPayload(der) },
        access ? { 'pubsub#access_model': access, 'pubsub#persist_items': true, 'pubsub#max_items': 'max' } : undefined,
      ),
      undefined,
      // Hundreds of publishes queue up at the server (Prosody stores the whole node at each one).
      PUBLISH_TIMEOUT_MS,
    );

  /**
   * Counts romeo's items requests to `jid`, his vault writes and his app's key events from now on, and
   * waits until a burst has settled: the last view is a fetch, and nothing happened for a while.
   */
  function watch(jid: string) {
    const iq = romeo.core.session.client.iqCaller;
    const get = iq.get.bind(iq);
    const fetches: number[] = [];
    const spy = vi.spyOn(iq, 'get').mockImplementation((element: Element, to?: string, timeout?: number) => {
      if (to === jid && element.getChild('items')?.attrs.node === NS.pubkey) fetches.push(performance.now());
      return get(element, to, timeout);
    });
    vi.mocked(writeVaultFile).mockClear();
    const views: ContactKeysView[] = [];
    const stop = romeo.core.events.subscribe((event, payload) => {
      if (event !== 'contacts:keys' || (payload as ContactKeysView).jid !== jid) return;
      views.push(payload as ContactKeysView);
    });
    const done = () => {
      stop();
      spy.mockRestore();
    };
    return {
      fetches,
      views,
      done,
      writes: () => vi.mocked(writeVaultFile).mock.calls.length,
      /** Waits for a fetch that saw the whole burst, then a while longer for any stray fetch. */
      settled: async (sawEverything: (view: ContactKeysView) => boolean) => {
        await until(
          () => {
            const last = views.at(-1);
            return last !== undefined && last.fetch === 'ok' && sawEverything(last);
          },
          'a fetch in romeo’s app that saw the whole burst',
          120_000,
        );
        await new Promise((r) => setTimeout(r, 2 * FOLLOW_UP.spacingMs));
        done();
      },
    };
  }

  async function firstKey(actor: Actor, der: Buffer): Promise<void> {
    const seen = nextAppEvent(romeo, 'contacts:keys', (v) => v.jid === actor.jid && v.fetch === 'ok' && v.keys.length === 1, 'romeo’s app fetches the first key');
    await publish(actor, der, 'presence');
    await seen;
  }

  it('a contact publishing 200 keys in a burst (nothing removed): a few fetches and writes, 64 kept, no "changed" alert at all', async () => {
    const juliet = await contact('juliet');
    const [first, ...burst] = await certificates(juliet.jid, 201);
    await firstKey(juliet, first as Buffer);

    const watched = watch(juliet.jid);
    const startedAt = performance.now();
    await Promise.all(burst.map((der) => publish(juliet, der)));
    const burstMs = performance.now() - startedAt;
    await watched.settled((v) => v.keys.length + v.invalid.filter((i) => i.tooMany).length === 201);

    // One fetch in flight, the rest folded, the follow-ups ever further apart (coalesce.ts).
    expect(watched.fetches.length).toBeGreaterThanOrEqual(1);
    expect(watched.fetches.length).toBeLessThanOrEqual(fetchBound(burstMs));
    expect(watched.writes()).toBeLessThanOrEqual(watched.fetches.length);

    const stored = romeo.core.vaults.vault.account(romeo.actor.jid)?.contacts[juliet.jid] ?? [];
    expect(stored).toHaveLength(MAX_CURRENT_KEYS);
    expect(stored.every((k) => k.trust === 'unverified')).toBe(true);
    // Additions are not changes: no 'changed', no 'retracted', no 'reappeared'.
    expect(watched.views.flatMap((v) => v.changes).filter((c) => c.kind !== 'new')).toEqual([]);
    const last = watched.views.at(-1);
    expect(last?.invalid.filter((i) => i.tooMany)).toHaveLength(201 - MAX_CURRENT_KEYS);
  }, 300_000);

  it('a contact publishing 300 keys in a burst (Prosody keeps 256): bounded fetches, writes and storage, at most one "changed" alert per fetch', async () => {
    const tybalt = await contact('tybalt');
    const [first, ...burst] = await certificates(tybalt.jid, 301);
    await firstKey(tybalt, first as Buffer);

    const watched = watch(tybalt.jid);
    const startedAt = performance.now();
    await Promise.all(burst.map((der) => publish(tybalt, der)));
    const burstMs = performance.now() - startedAt;
    // Prosody keeps the newest 256 (pep_max_items): the last fetch sees those.
    await watched.settled((v) => v.keys.filter((k) => k.trust !== 'retracted').length + v.invalid.filter((i) => i.tooMany).length === 256);

    expect(watched.fetches.length).toBeLessThanOrEqual(fetchBound(burstMs));
    expect(watched.writes()).toBeLessThanOrEqual(watched.fetches.length);

    const stored = romeo.core.vaults.vault.account(romeo.actor.jid)?.contacts[tybalt.jid] ?? [];
    expect(stored.filter((k) => k.trust !== 'retracted')).toHaveLength(MAX_CURRENT_KEYS);
    expect(stored.filter((k) => k.trust === 'retracted').length).toBeLessThanOrEqual(MAX_WITHDRAWN_KEYS);
    // The server dropped the oldest items (max_items): what disappeared is named, once per fetch at most.
    const alerting = watched.views.filter((v) => v.changes.some((c) => c.kind === 'changed'));
    expect(alerting.length).toBeLessThanOrEqual(watched.fetches.length);
    const evicted = new Set([first as Buffer, ...burst.slice(0, 301 - 256)].map((d) => certificateFingerprint(d)));
    for (const change of alerting.flatMap((v) => v.changes).filter((c) => c.kind === 'changed')) {
      expect(change.replaces?.every((fp) => evicted.has(fp))).toBe(true);
    }
  }, 300_000);

  it('a stranger’s notifications (open node, explicit subscription, not in the roster) store nothing', async () => {
    const mallory = await connectActor('mallory', 'capulet.lit', server);
    actors.push(mallory);
    const [bait, ...more] = await certificates(mallory.jid, 6);
    await publish(mallory, bait as Buffer, 'open');
    // XEP-0060 §6.1: romeo's session subscribes to mallory's node; Prosody now pushes her items to him.
    const bound = romeo.core.session.state.boundJid ?? '';
    await romeo.core.session.client.iqCaller.set(xml('pubsub', { xmlns: NS.pubsub }, xml('subscribe', { node: NS.pubkey, jid: bound })), mallory.jid);

    const watched = watch(mallory.jid);
    const arrived = nextEvent(
      (l: (n: PepNotification) => void) => romeo.core.session.events.on('pep', l),
      (n) => n.from === mallory.jid && n.items.length > 0,
      'mallory’s notification at romeo’s session',
    );
    for (const der of more) await publish(mallory, der);
    await arrived;
    await new Promise((r) => setTimeout(r, 2 * FOLLOW_UP.spacingMs));

    watched.done();
    expect(watched.fetches).toEqual([]);
    expect(watched.views).toEqual([]);
    expect(watched.writes()).toBe(0);
    expect(romeo.core.vaults.vault.account(romeo.actor.jid)?.contacts[mallory.jid]).toBeUndefined();
  }, 60_000);
});
