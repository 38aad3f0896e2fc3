/**
 * Sign-in → every roster contact's keys fetched and checked, with the calls the app's own sign-in fetch
 * makes (main/core.ts fetchRosterKeys: roster:list, then ContactKeys.fetchMany), driven here one after
 * the other so each part is timed; the other apps' keys the app also reads at sign-in are left out. A
 * fresh core, its vault unlocked and empty, then, timed as one:
 *   connect     account:connect (TCP, STARTTLS, SCRAM-SHA-1 at the account's 10,000 iterations, bind,
 *               initial presence with caps);
 *   roster      roster:list (RFC 6121 §2.2), as the Contacts screen asks it;
 *   fetch       ContactKeys.fetchMany over every roster contact at the default concurrency (each key
 *               fetched, checked and stored).
 * Also measured: the app's CPU time for the connect alone (login CPU), next to slixmpp's for its own
 * sign-in of the same account (slixmpp_peer.py, from connecting to online with initial presence).
 */
import { DEFAULT_FETCH_CONCURRENCY } from '../../../main/services/contact-keys.js';
import type { ConnectParams, RosterContactView } from '../../../contract/index.js';
import { profileMark, profileWindow } from '../report.js';
import { openApp } from '../support/apps.js';
import type { BenchServer } from '../support/bench-server.js';
import type { MadeCertificate } from '../support/certs.js';
import { startSlixmppPeer } from '../support/slixmpp-peer.js';

export interface SignInSample {
  totalMs: number;
  connectMs: number;
  rosterMs: number;
  fetchMs: number;
  /** The app's CPU time during account:connect. */
  loginCpuMs: number;
  /** The app's CPU time over the whole sign-in → keys. */
  cpuMs: number;
  serverCpuMs: number;
  contacts: number;
  /** slixmpp's CPU time for its own sign-in of the same account, right before or after this one. */
  slixmppLoginCpuMs: number;
}

const SETTLE_MS = 200;

async function appOnce(server: BenchServer, account: ConnectParams, expected: readonly MadeCertificate[]): Promise<Omit<SignInSample, 'slixmppLoginCpuMs'>> {
  const app = await openApp();
  try {
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const serverBefore = await server.cpuMs();
    const cpuBefore = process.cpuUsage();
    const start = performance.now();
    const profiledFrom = profileMark();
    const connected = await app.core.dispatch('account:connect', account);
    const connectedAt = performance.now();
    profileWindow('sign-in connect', profiledFrom);
    const loginCpu = process.cpuUsage(cpuBefore);
    if (!connected.ok) throw new Error(connected.error.message);
    const roster = await app.core.dispatch('roster:list', undefined);
    const rosterAt = performance.now();
    const fetchFrom = profileMark();
    if (!roster.ok) throw new Error(roster.error.message);
    const contacts = roster.value as RosterContactView[];
    const views = await app.core.contactKeys.fetchMany(
      contacts.map((c) => c.jid),
      DEFAULT_FETCH_CONCURRENCY,
    );
    const end = performance.now();
    profileWindow('sign-in fetch', fetchFrom);
    const cpu = process.cpuUsage(cpuBefore);
    const serverAfter = await server.cpuMs();
    const byJid = new Map(expected.map((c) => [c.jid, c.fingerprint]));
    const checked = views.filter((v) => v.fetch === 'ok' && v.keys.length === 1 && v.keys[0]?.status === 'valid' && v.keys[0].fingerprint === byJid.get(v.jid));
    if (checked.length !== expected.length || views.length !== expected.length) {
      throw new Error(`sign-in fetch: ${checked.length} of ${expected.length} roster contacts' keys came back valid (${views.length} fetched)`);
    }
    return {
      totalMs: end - start,
      connectMs: connectedAt - start,
      rosterMs: rosterAt - connectedAt,
      fetchMs: end - rosterAt,
      loginCpuMs: (loginCpu.user + loginCpu.system) / 1000,
      cpuMs: (cpu.user + cpu.system) / 1000,
      serverCpuMs: serverAfter - serverBefore,
      contacts: views.length,
    };
  } finally {
    await app.stop();
  }
}

async function slixmppLoginCpu(server: BenchServer, account: ConnectParams): Promise<number> {
  const peer = await startSlixmppPeer(server.server.info, [{ jid: account.jid, password: account.password }]);
  await peer.stop();
  return peer.signInCpuMs;
}

/** `repeat` rounds, the app and slixmpp taking turns at signing in. */
export async function benchSignIn(server: BenchServer, account: ConnectParams, expected: readonly MadeCertificate[], repeat: number): Promise<SignInSample[]> {
  await appOnce(server, account, expected); // untimed warm-up: the server loads these contacts' PEP services
  const samples: SignInSample[] = [];
  for (let round = 0; round < repeat; round++) {
    if (round % 2 === 0) {
      const slixmppLoginCpuMs = await slixmppLoginCpu(server, account);
      samples.push({ ...(await appOnce(server, account, expected)), slixmppLoginCpuMs });
    } else {
      const app = await appOnce(server, account, expected);
      samples.push({ ...app, slixmppLoginCpuMs: await slixmppLoginCpu(server, account) });
    }
  }
  return samples;
}
