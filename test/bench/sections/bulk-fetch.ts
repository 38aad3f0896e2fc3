/**
 * Bulk fetch: N contacts each publish one key (open access) on the benchmark's Prosody; a fresh core
 * (empty vault: every key is seen for the first time) fetches all N key nodes with
 * ContactKeys.fetchMany, sequentially (1 request in flight) and at the app's default concurrency.
 * Measured: wall time, the app's CPU time (process.cpuUsage(), all threads of this process, so vault
 * writes on libuv's pool count too) and Prosody's CPU time for the same requests (/proc/PID/stat).
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
import type { MadeCertificate } from '../support/certs.js';
import type { BenchProsody } from '../support/prosody-bench.js';

export interface FetchRun {
  contacts: number;
  concurrency: number;
  wallMs: number;
  appCpuMs: number;
  serverCpuMs: number;
  /** Each run's samples when repeated (the figures above are their medians). */
  samples: { wallMs: number; appCpuMs: number; serverCpuMs: number }[];
}

/** Logs each contact in (the app's own session code) and publishes its key the app's XEP-0222 way. */
export async function publishContactKeys(
  prosody: BenchProsody,
  contacts: readonly MadeCertificate[],
  password: string,
  lanes = 8,
): Promise<void> {
  const { info } = prosody.server;
  await mapConcurrent(contacts, lanes, async (contact) => {
    const session = new AccountSession({ events: new AppEvents(), log: silentLogger });
    await session.connect({ jid: contact.jid, password, host: info.host, port: info.port, caFile: info.caFile });
    try {
      await publishPersistent(
        { iq: session.client.iqCaller, owner: contact.jid },
        { node: NS.pubkey, access: { model: 'open' }, maxItems: KEY_NODE_MAX_ITEMS },
        { id: contact.fingerprint, payload: pubkeyPayload(contact.der) },
      );
    } finally {
      await session.disconnect();
    }
  });
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** One measured fetchMany by a fresh core; checks that every contact's key came back valid. */
async function measureOnce(
  prosody: BenchProsody,
  account: ConnectParams,
  contacts: readonly MadeCertificate[],
  concurrency: number,
): Promise<FetchRun['samples'][number]> {
  const app = await startApp(account);
  try {
    const jids = contacts.map((c) => c.jid);
    collectGarbage();
    await new Promise((r) => setTimeout(r, 200)); // let Prosody settle after the login
    const serverBefore = await prosody.cpuMs();
    const cpuBefore = process.cpuUsage();
    const start = performance.now();
    const profiledFrom = process.hrtime.bigint() / 1000n;
    const views = await app.core.contactKeys.fetchMany(jids, concurrency);
    const wallMs = performance.now() - start;
    // With BENCH_CPU_PROF_DIR: the measured window, in the CPU profile's clock (µs), to read it apart.
    if (process.env.BENCH_CPU_PROF_DIR) process.stdout.write(`  [profile window ${contacts.length}/${concurrency}] ${profiledFrom}-${process.hrtime.bigint() / 1000n}\n`);
    const cpu = process.cpuUsage(cpuBefore);
    const serverAfter = await prosody.cpuMs();
    const bad = views.filter((v, i) => v.fetch !== 'ok' || v.keys.length !== 1 || v.keys[0]?.status !== 'valid' || v.keys[0]?.fingerprint !== contacts[i]?.fingerprint);
    if (bad.length > 0) throw new Error(`${bad.length} fetches did not return the published key, e.g. ${JSON.stringify(bad[0])}`);
    return { wallMs, appCpuMs: (cpu.user + cpu.system) / 1000, serverCpuMs: serverAfter - serverBefore };
  } finally {
    await app.stop();
  }
}

export async function benchBulkFetch(
  prosody: BenchProsody,
  account: ConnectParams,
  contacts: readonly MadeCertificate[],
  sizes: readonly number[],
  repeat: number,
  log: (line: string) => void,
): Promise<FetchRun[]> {
  // Untimed warm-up over every contact: compiles the client's hot paths and loads each contact's PEP
  // service into Prosody, so every measured run sees the same warm server.
  log(`  warm-up: fetching all ${contacts.length} contacts once (untimed)`);
  await measureOnce(prosody, account, contacts, DEFAULT_FETCH_CONCURRENCY);
  const runs: FetchRun[] = [];
  for (const size of sizes) {
    for (const concurrency of [1, DEFAULT_FETCH_CONCURRENCY]) {
      const samples = [];
      for (let i = 0; i < repeat; i++) samples.push(await measureOnce(prosody, account, contacts.slice(0, size), concurrency));
      const run: FetchRun = {
        contacts: size,
        concurrency,
        wallMs: median(samples.map((s) => s.wallMs)),
        appCpuMs: median(samples.map((s) => s.appCpuMs)),
        serverCpuMs: median(samples.map((s) => s.serverCpuMs)),
        samples,
      };
      log(
        `  ${size} contacts, concurrency ${concurrency}: wall ${run.wallMs.toFixed(0)} ms, app CPU ${run.appCpuMs.toFixed(0)} ms, Prosody CPU ${run.serverCpuMs.toFixed(0)} ms` +
          (repeat > 1 ? ` (median of ${repeat})` : ''),
      );
      runs.push(run);
    }
  }
  return runs;
}
