/**
 * Bulk fetch, side by side: N contacts each publish one key (open access) on the benchmark's server; then,
 * on that server, against those contacts, from the same account, taking turns in one run:
 *   - slixmpp (slixmpp_peer.py): the bare fetch, XEP-0060 §6.5.2 items of every contact's key node,
 *     every request in flight at once and at the app's default concurrency;
 *   - the app: a fresh core (empty vault: every key is new) runs ContactKeys.fetchMany, which fetches,
 *     checks each certificate and stores every key, at its default concurrency and with every request
 *     in flight.
 * Each sample is a fresh client that has signed in and sent its initial presence 200 ms before the
 * window opens. Measured in the window: wall time, the client's CPU time (the app: process.cpuUsage() of
 * this process, all threads, so vault writes on libuv's pool count; slixmpp: getrusage of its process),
 * the server's CPU time (/proc/PID/stat), and every top-level element each client sent and received.
 */
import { AppEvents } from '../../../main/events.js';
import { silentLogger } from '../../../main/logger.js';
import { DEFAULT_FETCH_CONCURRENCY } from '../../../main/services/contact-keys.js';
import { KEY_NODE_MAX_ITEMS } from '../../../main/services/own-keys.js';
import { mapConcurrent } from '../../support/map-concurrent.js';
import { NS } from '../../../main/xmpp/namespaces.js';
import { publishPersistent } from '../../../main/xmpp/persistent-node.js';
import { pubkeyPayload } from '../../../main/xmpp/pubkey-items.js';
import { AccountSession } from '../../../main/xmpp/session.js';
import type { ConnectParams } from '../../../contract/index.js';
import { startApp } from '../support/apps.js';
import type { BenchServer } from '../support/bench-server.js';
import type { MadeCertificate } from '../support/certs.js';
import { startSlixmppPeer } from '../support/slixmpp-peer.js';
import { median, profileMark, profileWindow } from '../report.js';
import { threadCpu, threadCpuSince } from '../support/thread-cpu.js';
import { startHeapSampling } from '../support/cpu-profile.js';

export type Client = 'slixmpp' | 'app';

export interface FetchSample {
  wallMs: number;
  cpuMs: number;
  serverCpuMs: number;
  /** The app only: from the start to the last IQ answer's arrival (the rest of wallMs is storing). */
  lastAnswerMs?: number;
  /** The app only: when each vault write (a group commit) finished, ms from the start. */
  vaultWritesMs?: number[];
  /** Top-level elements by name in the window (iq, message, presence, XEP-0198 r and a…). */
  sent: Record<string, number>;
  received: Record<string, number>;
}

export interface FetchSide {
  client: Client;
  /** Requests in flight at once; 0 = all of them. */
  concurrency: number;
  wallMs: number;
  cpuMs: number;
  serverCpuMs: number;
  /** The app only: median time to the last IQ answer. */
  lastAnswerMs?: number;
  samples: FetchSample[];
}

export interface FetchComparison {
  server: BenchServer['kind'];
  contacts: number;
  sides: FetchSide[];
}

/** The sides measured per size, in the order of even rounds (odd rounds run them backwards). */
const SIDES: readonly { client: Client; concurrency: number }[] = [
  { client: 'slixmpp', concurrency: 0 },
  { client: 'app', concurrency: DEFAULT_FETCH_CONCURRENCY },
  { client: 'slixmpp', concurrency: DEFAULT_FETCH_CONCURRENCY },
  { client: 'app', concurrency: 0 },
  ...extraAppConcurrencies(process.env.BENCH_APP_CONCURRENCY).map((concurrency) => ({ client: 'app' as const, concurrency })),
];

/** BENCH_APP_CONCURRENCY=32,64: more app sides, for choosing the default (they are not the compared side). */
function extraAppConcurrencies(list: string | undefined): number[] {
  const values = (list ?? '').split(',').filter((x) => x.trim() !== '').map(Number);
  const wrong = values.find((n) => !Number.isInteger(n) || n < 1 || n === DEFAULT_FETCH_CONCURRENCY);
  if (wrong !== undefined) throw new Error(`BENCH_APP_CONCURRENCY: ${wrong} is not a whole number of requests above 0 other than the default (${DEFAULT_FETCH_CONCURRENCY})`);
  return values;
}
const SETTLE_MS = 200;
/**
 * Above this many contacts, only 16 in flight: with 2,000 at once, slixmpp matches each answer against
 * every pending request's handler (5–8 s of CPU measured here), and on a loaded machine some of the
 * app's requests outlive their 20 s timeout while the server works through the queue.
 */
const ALL_IN_FLIGHT_MAX = 500;

/**
 * Logs each contact in (the app's own session code) and publishes its key the app's XEP-0222 way. A
 * publish that fails is tried again (up to 6 times): ejabberd 23.01 answers some node creations that
 * run at the same time with wait/internal-server-error "Database failure" (RFC 6120 §8.3.2: type
 * 'wait' = try again later). Resolves with how many tries failed.
 */
export async function publishContactKeys(server: BenchServer, contacts: readonly MadeCertificate[], password: string, lanes = 8): Promise<number> {
  const { info } = server.server;
  let failures = 0;
  await mapConcurrent(contacts, lanes, async (contact) => {
    for (let attempt = 1; ; attempt++) {
      const session = new AccountSession({ events: new AppEvents(), log: silentLogger });
      await session.connect({ jid: contact.jid, password, host: info.host, port: info.port, caFile: info.caFile });
      try {
        await publishPersistent(
          { iq: session.client.iqCaller, owner: contact.jid },
          { node: NS.pubkey, access: { model: 'open' }, maxItems: KEY_NODE_MAX_ITEMS },
          { id: contact.fingerprint, payload: pubkeyPayload(contact.der) },
        );
        return;
      } catch (error) {
        failures++;
        if (attempt >= 6) throw error;
        await new Promise((r) => setTimeout(r, 100 * attempt));
      } finally {
        await session.disconnect();
      }
    }
  });
  return failures;
}

function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

const settle = () => new Promise((r) => setTimeout(r, SETTLE_MS));
const tally = (counts: Record<string, number>, name: string) => void (counts[name] = (counts[name] ?? 0) + 1);

/** One measured fetchMany by a fresh core; checks that every contact's key came back valid and stored. */
async function appOnce(server: BenchServer, account: ConnectParams, contacts: readonly MadeCertificate[], concurrency: number): Promise<FetchSample> {
  const app = await startApp(account);
  try {
    const jids = contacts.map((c) => c.jid);
    const entity = app.core.session.client.entity;
    const sent: Record<string, number> = {};
    const received: Record<string, number> = {};
    const onSend = (element: { name: string }) => tally(sent, element.name);
    // Each group commit resolves all its updates in one go: updates that settle within 1 ms of each
    // other were saved by the same write.
    // Contacts' keys are saved through updatePart (only that contact copied and checked), other changes through update.
    const vault = app.core.vaults.vault;
    const update = vault.update.bind(vault);
    const updatePart = vault.updatePart.bind(vault);
    const writesDoneAt: number[] = [];
    const noteWrite = <T>(value: T): T => {
      const at = performance.now();
      const last = writesDoneAt[writesDoneAt.length - 1];
      if (last === undefined || at - last > 1) writesDoneAt.push(at);
      return value;
    };
    vault.update = <T>(change: Parameters<typeof update<T>>[0]): Promise<T> => update<T>(change).then(noteWrite);
    vault.updatePart = <P, T>(...args: Parameters<typeof updatePart<P, T>>): Promise<T> => updatePart<P, T>(...args).then(noteWrite);
    let lastAnswerAt = 0;
    const onElement = (element: { name: string }) => {
      tally(received, element.name);
      if (element.name === 'iq') lastAnswerAt = performance.now();
    };
    collectGarbage();
    await settle(); // let the server finish the sign-in's work (presence, caps query)
    const serverBefore = await server.cpuMs();
    entity.on('send', onSend);
    entity.on('element', onElement);
    const stopHeap = await startHeapSampling(process.env.BENCH_HEAP_PROF_DIR, `${server.kind}-${contacts.length}-${concurrency}`);
    const threadsBefore = threadCpu();
    const cpuBefore = process.cpuUsage();
    const start = performance.now();
    const profiledFrom = profileMark();
    const views = await app.core.contactKeys.fetchMany(jids, concurrency === 0 ? jids.length : concurrency);
    const wallMs = performance.now() - start;
    const cpu = process.cpuUsage(cpuBefore);
    const threads = threadCpuSince(threadsBefore);
    await stopHeap();
    console.log(`  app ${contacts.length}/${concurrency || 'all'}: CPU on the main thread ${threads.mainMs} ms, on other threads (V8's GC and compiler, libuv) ${threads.otherMs} ms`);
    entity.off('send', onSend);
    entity.off('element', onElement);
    profileWindow(`${server.kind} fetch app ${contacts.length}/${concurrency || 'all'}`, profiledFrom);
    const serverAfter = await server.cpuMs();
    const bad = views.filter((v, i) => v.fetch !== 'ok' || v.keys.length !== 1 || v.keys[0]?.status !== 'valid' || v.keys[0]?.fingerprint !== contacts[i]?.fingerprint);
    if (bad.length > 0) throw new Error(`${bad.length} fetches did not return the published key, e.g. ${JSON.stringify(bad[0])}`);
    return {
      wallMs,
      cpuMs: (cpu.user + cpu.system) / 1000,
      serverCpuMs: serverAfter - serverBefore,
      lastAnswerMs: lastAnswerAt - start,
      vaultWritesMs: writesDoneAt.map((at) => at - start),
      sent,
      received,
    };
  } finally {
    await app.stop();
  }
}

/** One measured bare fetch by a fresh slixmpp process signed in as the same account. */
async function slixmppOnce(
  server: BenchServer,
  account: ConnectParams,
  contacts: readonly MadeCertificate[],
  concurrency: number,
): Promise<FetchSample> {
  const peer = await startSlixmppPeer(server.server.info, [{ jid: account.jid, password: account.password }]);
  try {
    await settle();
    const serverBefore = await server.cpuMs();
    const result = await peer.fetch({ client: 0, node: NS.pubkey, jids: contacts.map((c) => c.jid), concurrency });
    const serverAfter = await server.cpuMs();
    if (result.ok !== contacts.length) {
      throw new Error(`slixmpp fetched ${result.ok} of ${contacts.length} keys (${result.failedCount} failed, e.g. ${result.failed.join('; ')})`);
    }
    return { wallMs: result.wallMs, cpuMs: result.cpuMs, serverCpuMs: serverAfter - serverBefore, sent: result.sent, received: result.received };
  } finally {
    await peer.stop();
  }
}

export async function benchBulkFetch(options: {
  server: BenchServer;
  account: ConnectParams;
  contacts: readonly MadeCertificate[];
  sizes: readonly number[];
  repeat: number;
  log: (line: string) => void;
}): Promise<FetchComparison[]> {
  const { server, account, contacts, sizes, repeat, log } = options;
  // Untimed warm-up over every contact, once by each client: compiles the app's hot paths and loads
  // each contact's PEP service into the server, so every measured run sees the same warm server.
  log(`  ${server.kind}: warm-up, fetching all ${contacts.length} contacts once with each client (untimed)`);
  await appOnce(server, account, contacts, DEFAULT_FETCH_CONCURRENCY);
  await slixmppOnce(server, account, contacts, DEFAULT_FETCH_CONCURRENCY);
  const results: FetchComparison[] = [];
  for (const size of sizes) {
    const subset = contacts.slice(0, size);
    const sidesHere = SIDES.filter((side) => side.concurrency !== 0 || size <= ALL_IN_FLIGHT_MAX);
    const samples = sidesHere.map(() => [] as FetchSample[]);
    for (let round = 0; round < repeat; round++) {
      const order = sidesHere.map((_, i) => i);
      if (round % 2 === 1) order.reverse();
      for (const index of order) {
        const side = sidesHere[index];
        if (!side) continue;
        const once = side.client === 'app' ? appOnce : slixmppOnce;
        samples[index]?.push(await once(server, account, subset, side.concurrency));
      }
    }
    const sides = sidesHere.map((side, i): FetchSide => {
      const own = samples[i] ?? [];
      return {
        ...side,
        wallMs: median(own.map((s) => s.wallMs)),
        cpuMs: median(own.map((s) => s.cpuMs)),
        serverCpuMs: median(own.map((s) => s.serverCpuMs)),
        ...(side.client === 'app' ? { lastAnswerMs: median(own.map((s) => s.lastAnswerMs ?? Number.NaN)) } : {}),
        samples: own,
      };
    });
    for (const side of sides) {
      log(
        `  ${server.kind}, ${size} contacts, ${side.client} at ${side.concurrency === 0 ? 'all in flight' : `concurrency ${side.concurrency}`}: ` +
          `wall ${side.wallMs.toFixed(0)} ms${side.lastAnswerMs === undefined ? '' : ` (last answer at ${side.lastAnswerMs.toFixed(0)} ms)`}, client CPU ${side.cpuMs.toFixed(0)} ms, ${server.kind} CPU ${side.serverCpuMs.toFixed(0)} ms (median of ${repeat})`,
      );
    }
    results.push({ server: server.kind, contacts: size, sides });
  }
  return results;
}
