/**
 * Notify latency: juliet's app publishes a new key item; romeo's app (subscribed to her presence, +notify
 * advertised in its caps) receives the PEP notification. After each round juliet retracts her previous
 * key (untimed), so her node holds one or two keys, as in a key rotation. Each round is timed from just
 * before juliet's publish IQ is handed to xmpp.js to:
 *   - pep:       romeo's session emitting its 'pep' event (the notification parsed and de-duplicated);
 *   - app event: romeo's core emitting 'contacts:keys' for it (fetch 'notified': the pushed key, checked);
 *   - full set:  the 'contacts:keys' event after the follow-up fetch of juliet's whole node is saved
 *                (fetch 'ok'), which tells a replacement from an addition.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { NS } from '../../../main/xmpp/namespaces.js';
import type { PepNotification } from '../../../main/xmpp/pep-events.js';
import { pubkeyPayload } from '../../../main/xmpp/pubkey-items.js';
import { publishRequest, retractRequest } from '../../../main/xmpp/pubsub.js';
import type { SessionEventMap, SessionEvents } from '../../../main/xmpp/session-events.js';
import type { ConnectParams, ContactKeysView } from '../../../contract/index.js';
import { announceInterest, befriend } from '../../support/scenario.js';
import { startApp, type BenchApp } from '../support/apps.js';
import type { MadeCertificate } from '../support/certs.js';

export interface NotifyResult {
  rounds: number;
  pepMs: number[];
  appMs: number[];
  fullMs: number[];
  /** Juliet's publish IQ answered (in the same process, so after romeo's app handled the notification). */
  answeredMs: number[];
  /** Prosody's CPU time during each round (clock-tick resolution), to tell the server's pauses from ours. */
  serverCpuMs: number[];
  /** The longest event-loop delay of the benchmark process (both apps) during each round. */
  appLoopMaxMs: number[];
}

export async function benchNotify(
  julietParams: ConnectParams,
  romeoParams: ConnectParams,
  certificates: readonly MadeCertificate[],
  warmup: number,
  log: (line: string) => void,
  serverCpuMs: () => Promise<number>,
): Promise<NotifyResult> {
  const apps: BenchApp[] = [];
  try {
    const juliet = await startApp(julietParams);
    apps.push(juliet);
    const romeo = await startApp(romeoParams);
    apps.push(romeo);
    const actor = (app: BenchApp, params: ConnectParams) => ({ params, session: app.core.session, jid: params.jid });
    await befriend(actor(juliet, julietParams), actor(romeo, romeoParams), ['Friends']);
    await announceInterest(actor(romeo, romeoParams));

    // Juliet's node made the app's XEP-0222 way (create-and-configure, read back) with her first key.
    const generated = await juliet.core.ownKeys.generate({ bits: 2048 });
    await juliet.core.ownKeys.publish(generated.fingerprint, { model: 'presence' });

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

    /** Resolves at the first 'contacts:keys' event about juliet that `matches`, with its time. */
    const romeoSees = (matches: (view: ContactKeysView) => boolean): Promise<number> =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          unsubscribe();
          reject(new Error('no notification reached romeo’s app within 10 s'));
        }, 10_000);
        const unsubscribe = romeo.core.events.subscribe((event, payload) => {
          const view = payload as ContactKeysView;
          if (event !== 'contacts:keys' || view.jid !== julietParams.jid || !matches(view)) return;
          const at = performance.now();
          clearTimeout(timer);
          unsubscribe();
          resolve(at);
        });
      });

    const result: NotifyResult = { rounds: 0, pepMs: [], appMs: [], fullMs: [], answeredMs: [], serverCpuMs: [], appLoopMaxMs: [] };
    const iq = juliet.core.session.client.iqCaller;
    let previous = generated.fingerprint;
    for (const [index, cert] of certificates.entries()) {
      pepAt = undefined;
      watched = cert.fingerprint;
      const has = (view: ContactKeysView) => view.keys.some((k) => k.fingerprint === cert.fingerprint && k.status === 'valid');
      const app = romeoSees((view) => view.fetch === 'notified' && has(view));
      const full = romeoSees((view) => view.fetch === 'ok' && has(view));
      const serverBefore = await serverCpuMs();
      const loop = monitorEventLoopDelay({ resolution: 1 });
      loop.enable();
      const sentAt = performance.now();
      await iq.set(publishRequest(NS.pubkey, { id: cert.fingerprint, payload: pubkeyPayload(cert.der) }), julietParams.jid);
      const answeredAt = performance.now();
      const [appAt, fullAt] = await Promise.all([app, full]);
      loop.disable();
      const serverMs = (await serverCpuMs()) - serverBefore;
      if (pepAt === undefined) throw new Error(`round ${index}: romeo's session emitted no 'pep' event`);
      if (index >= warmup) {
        result.pepMs.push(pepAt - sentAt);
        result.appMs.push(appAt - sentAt);
        result.fullMs.push(fullAt - sentAt);
        result.answeredMs.push(answeredAt - sentAt);
        result.serverCpuMs.push(serverMs);
        result.appLoopMaxMs.push(loop.max / 1e6);
      }
      // Key rotation, untimed: the old key is retracted, so juliet's node holds one or two keys as a
      // real one does (a node filled up to max_items makes every publish slower for the server).
      const retracted = romeoSees((view) => view.changes.some((c) => c.kind === 'retracted' && c.fingerprint === previous));
      await iq.set(retractRequest(NS.pubkey, previous), julietParams.jid);
      await retracted;
      previous = cert.fingerprint;
      // Let both apps finish what the round started (vault writes) before the next publish.
      await new Promise((r) => setTimeout(r, 25));
    }
    result.rounds = result.pepMs.length;
    log(`  notify: ${result.rounds} measured rounds after ${warmup} warm-up`);
    return result;
  } finally {
    for (const app of apps.reverse()) await app.stop();
  }
}
