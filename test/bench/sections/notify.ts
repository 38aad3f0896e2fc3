/**
 * Notify latency, publish → contact notified, side by side: one receiver (romeo) and many publishers,
 * each in the other's roster with a both-way subscription (written before anyone signs in), each
 * publisher's key node made the app's XEP-0222 way with a first key (presence access). Round i: publisher
 * i publishes a new key (one XEP-0060 §7.1 publish IQ) and the receiver is notified; then the publisher
 * retracts its first key (untimed), as in a key rotation, so every node holds one or two keys.
 *
 * One publisher per round because that is the common case, a contact rotating a key now and then: the
 * app folds a contact's notifications that come within a second (then 2 s, 4 s…) into one deferred fetch
 * (main/services/coalesce.ts, FOLLOW_UP), and shows nothing new from that contact meanwhile. That
 * hold is measured on its own ("burst"): a contact's third key, 100 ms after its second.
 *
 *   - slixmpp (slixmpp_peer.py; publishers and receiver are clients of one process, as the app's are):
 *     publish → the receiver's 'pubsub_publish' event;
 *   - the app (a core for romeo, sessions of the app's own code for the publishers, in this process):
 *     publish → romeo's session emitting 'pep' (parsed, de-duplicated), → romeo's core emitting
 *     'contacts:keys' with the key checked ('notified'), and → 'contacts:keys' once the fetch of the full
 *     set that follows is saved ('ok', which tells a replacement from an addition).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import xml from '@xmpp/xml';
import { AppEvents } from '../../../main/events.js';
import { silentLogger } from '../../../main/logger.js';
import { KEY_NODE_MAX_ITEMS } from '../../../main/services/own-keys.js';
import { capsElement } from '../../../main/xmpp/caps.js';
import { mapConcurrent } from '../../support/map-concurrent.js';
import { NS } from '../../../main/xmpp/namespaces.js';
import { publishPersistent } from '../../../main/xmpp/persistent-node.js';
import type { PepNotification } from '../../../main/xmpp/pep-events.js';
import { pubkeyPayload } from '../../../main/xmpp/pubkey-items.js';
import { publishRequest, retractRequest } from '../../../main/xmpp/pubsub.js';
import type { SessionEventMap, SessionEvents } from '../../../main/xmpp/session-events.js';
import { AccountSession } from '../../../main/xmpp/session.js';
import type { ConnectParams, ContactKeysView } from '../../../contract/index.js';
import { profileMark, profileWindow } from '../report.js';
import { startApp } from '../support/apps.js';
import type { BenchServer } from '../support/bench-server.js';
import type { MadeCertificate } from '../support/certs.js';
import { startSlixmppPeer, type PeerNotify } from '../support/slixmpp-peer.js';
import { serverSettled } from './roster-list.js';

/** One publisher: its first key (already on its node when the rounds start) and the key it publishes. */
export interface Publisher {
  jid: string;
  first: MadeCertificate;
  next: MadeCertificate;
  /** Burst publishers only: the keys published 100 ms and 200 ms after `next`. */
  burst?: [MadeCertificate, MadeCertificate];
}

export interface NotifyResult {
  rounds: number;
  pepMs: number[];
  appMs: number[];
  fullMs: number[];
  /** The publish IQ answered (in the same process, so after romeo's app handled the notification). */
  answeredMs: number[];
  /** The server's CPU time during each round (clock-tick resolution), to tell its pauses from ours. */
  serverCpuMs: number[];
  /** The longest event-loop delay of the benchmark process (both sides) during each round. */
  appLoopMaxMs: number[];
  /** Burst: the third key from the same contact, 100 ms after the second → romeo's 'contacts:keys' with it. */
  burstMs: number[];
}

const BURST_GAP_MS = 100;
const TIMEOUT_MS = 10_000;

/** Makes each publisher's key node the app's way, with its first key (presence access). */
export async function makePublisherNodes(server: BenchServer, publishers: readonly Publisher[], password: string): Promise<void> {
  const { info } = server.server;
  await mapConcurrent(publishers, 8, async (p) => {
    const session = new AccountSession({ events: new AppEvents(), log: silentLogger });
    await session.connect({ jid: p.jid, password, host: info.host, port: info.port, caFile: info.caFile });
    try {
      await publishPersistent(
        { iq: session.client.iqCaller, owner: p.jid },
        { node: NS.pubkey, access: { model: 'presence' }, maxItems: KEY_NODE_MAX_ITEMS },
        { id: p.first.fingerprint, payload: pubkeyPayload(p.first.der) },
      );
    } finally {
      await session.disconnect();
    }
  });
}

export async function benchNotify(options: {
  server: BenchServer;
  password: string;
  receiver: ConnectParams;
  publishers: readonly Publisher[];
  burst: readonly Publisher[];
  warmup: number;
  log: (line: string) => void;
}): Promise<NotifyResult> {
  const { server, password, receiver, publishers, burst, warmup, log } = options;
  const { info } = server.server;
  const romeo = await startApp(receiver);
  const sessions = new Map<string, AccountSession>();
  try {
    // Presence again with caps once online (as after a reconnect), then let every publisher's PEP
    // service take in romeo's +notify before the first round.
    await romeo.core.session.send(xml('presence', {}, capsElement()));
    await serverSettled(server);
    await mapConcurrent([...publishers, ...burst], 8, async (p) => {
      const session = new AccountSession({ events: new AppEvents(), log: silentLogger });
      await session.connect({ jid: p.jid, password, host: info.host, port: info.port, caFile: info.caFile });
      sessions.set(p.jid, session);
    });
    await serverSettled(server);

    // The raw notification time: stamped when romeo's session emits 'pep', before any listener runs.
    let pepAt: number | undefined;
    let watched = '';
    const sessionEvents: SessionEvents = romeo.core.session.events;
    const emit = sessionEvents.emit.bind(sessionEvents);
    sessionEvents.emit = <K extends keyof SessionEventMap>(event: K, ...args: SessionEventMap[K]): void => {
      const notification = event === 'pep' ? (args[0] as PepNotification) : undefined;
      if (pepAt === undefined && notification?.items.some((i) => i.id === watched)) pepAt = performance.now();
      emit(event, ...args);
    };

    /** Resolves at the first 'contacts:keys' event about `jid` that `matches`, with its time. */
    const romeoSees = (jid: string, matches: (view: ContactKeysView) => boolean): Promise<number> =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          unsubscribe();
          reject(new Error(`no 'contacts:keys' event about ${jid} reached romeo's app within ${TIMEOUT_MS / 1000} s`));
        }, TIMEOUT_MS);
        const unsubscribe = romeo.core.events.subscribe((event, payload) => {
          const view = payload as ContactKeysView;
          if (event !== 'contacts:keys' || view.jid !== jid || !matches(view)) return;
          const at = performance.now();
          clearTimeout(timer);
          unsubscribe();
          resolve(at);
        });
      });
    const has = (cert: MadeCertificate) => (view: ContactKeysView) => view.keys.some((k) => k.fingerprint === cert.fingerprint && k.status === 'valid');
    const iqOf = (jid: string) => {
      const session = sessions.get(jid);
      if (!session) throw new Error(`no session for ${jid}`);
      return session.client.iqCaller;
    };

    const profiledFrom = profileMark();
    const result: NotifyResult = { rounds: 0, pepMs: [], appMs: [], fullMs: [], answeredMs: [], serverCpuMs: [], appLoopMaxMs: [], burstMs: [] };
    for (const [index, p] of publishers.entries()) {
      pepAt = undefined;
      watched = p.next.fingerprint;
      const app = romeoSees(p.jid, (view) => view.fetch === 'notified' && has(p.next)(view));
      const full = romeoSees(p.jid, (view) => view.fetch === 'ok' && has(p.next)(view));
      const serverBefore = await server.cpuMs();
      const loop = monitorEventLoopDelay({ resolution: 1 });
      loop.enable();
      const sentAt = performance.now();
      await iqOf(p.jid).set(publishRequest(NS.pubkey, { id: p.next.fingerprint, payload: pubkeyPayload(p.next.der) }), p.jid);
      const answeredAt = performance.now();
      const [appAt, fullAt] = await Promise.all([app, full]);
      loop.disable();
      const serverMs = (await server.cpuMs()) - serverBefore;
      if (pepAt === undefined) throw new Error(`round ${index}: romeo's session emitted no 'pep' event`);
      if (index >= warmup) {
        result.pepMs.push(pepAt - sentAt);
        result.appMs.push(appAt - sentAt);
        result.fullMs.push(fullAt - sentAt);
        result.answeredMs.push(answeredAt - sentAt);
        result.serverCpuMs.push(serverMs);
        result.appLoopMaxMs.push(loop.max / 1e6);
      }
      // Key rotation, untimed: the first key is retracted (a node filled up to max_items makes every
      // publish slower for the server).
      const retracted = romeoSees(p.jid, (view) => view.changes.some((c) => c.kind === 'retracted' && c.fingerprint === p.first.fingerprint));
      await iqOf(p.jid).set(retractRequest(NS.pubkey, p.first.fingerprint), p.jid);
      await retracted;
      // Let romeo's app finish what the round started (vault writes) before the next publish.
      await new Promise((r) => setTimeout(r, 25));
    }
    result.rounds = result.pepMs.length;
    profileWindow('notify rounds (both apps)', profiledFrom);

    // Burst: three keys from one contact, 100 ms apart. The first is shown at once and fetched; the
    // second is still shown from its notification; the third finds a follow-up fetch waiting its turn
    // and is shown when that fetch has run (coalesce.ts: at least FOLLOW_UP.spacingMs after the first).
    for (const p of burst) {
      if (!p.burst) continue;
      const [second, third] = p.burst;
      const publish = (cert: MadeCertificate) => iqOf(p.jid).set(publishRequest(NS.pubkey, { id: cert.fingerprint, payload: pubkeyPayload(cert.der) }), p.jid);
      const seen = romeoSees(p.jid, has(p.next));
      await publish(p.next);
      await seen;
      await new Promise((r) => setTimeout(r, BURST_GAP_MS));
      const seenSecond = romeoSees(p.jid, has(second));
      await publish(second);
      await seenSecond;
      await new Promise((r) => setTimeout(r, BURST_GAP_MS));
      const seenThird = romeoSees(p.jid, has(third));
      const sentAt = performance.now();
      await publish(third);
      result.burstMs.push((await seenThird) - sentAt);
    }
    log(`  notify (the app): ${result.rounds} measured rounds after ${warmup} warm-up, ${result.burstMs.length} bursts`);
    return result;
  } finally {
    for (const session of sessions.values()) await session.disconnect();
    await romeo.stop();
  }
}

/** The same rounds with slixmpp at every end (one process: publishers and receiver). */
export async function benchSlixmppNotify(options: {
  server: BenchServer;
  password: string;
  receiver: ConnectParams;
  publishers: readonly Publisher[];
  warmup: number;
  log: (line: string) => void;
}): Promise<PeerNotify & { rounds: number }> {
  const { server, password, receiver, publishers, warmup, log } = options;
  const peer = await startSlixmppPeer(server.server.info, [
    { jid: receiver.jid, password: receiver.password, notify: [NS.pubkey] },
    ...publishers.map((p) => ({ jid: p.jid, password })),
  ]);
  try {
    await serverSettled(server);
    const result = await peer.notify({
      receiver: 0,
      node: NS.pubkey,
      rounds: publishers.map((p, i) => ({ publisher: i + 1, id: p.next.fingerprint, xml: pubkeyPayload(p.next.der).toString(), previous: p.first.fingerprint })),
      warmup,
    });
    log(`  notify (slixmpp at every end): ${result.pepMs.length} measured rounds after ${warmup} warm-up`);
    return { ...result, rounds: result.pepMs.length };
  } finally {
    await peer.stop();
  }
}
