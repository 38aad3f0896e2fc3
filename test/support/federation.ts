/**
 * Two real servers that federate, as juliet's and romeo's servers do in XEP-0222's example: capulet.lit
 * (Prosody or ejabberd) and montague.lit (Prosody), each on loopback with a certificate for its own
 * domain only, both signed by one throwaway CA that each server checks the other's certificate against.
 * Server-to-server links run over TLS with that check and no dialback; peers are found through static
 * routes (test/support/prosody.ts, test/support/ejabberd.ts), never through DNS or the machine's hosts
 * file. Clients trust the same CA (`ServerInfo.caFile` of either server).
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEjabberd } from './ejabberd.js';
import { freePort, startProsody, type RestartableServer } from './prosody.js';
import { makeTestCa, type TestCa } from './test-pki.js';
import type { XmppTestServer } from './xmpp-server.js';

export const CAPULET = 'capulet.lit';
export const MONTAGUE = 'montague.lit';

export interface Federation {
  /** Juliet's server (capulet.lit). */
  capulet: XmppTestServer;
  /** Romeo's server (montague.lit): always Prosody, so a test can take it down or hang it. */
  montague: RestartableServer;
  /** With `impostor`: a server for that domain whose certificate the test CA never signed. */
  impostor?: RestartableServer;
  ca: TestCa;
  stop(): Promise<void>;
}

export interface FederationOptions {
  /** What runs capulet.lit; montague.lit is Prosody either way. */
  capulet: 'prosody' | 'ejabberd';
  /**
   * A third server (Prosody) for this domain, with a certificate from another CA: it trusts the test CA
   * and routes to capulet.lit, so only capulet.lit's own certificate check can keep it out. A Prosody
   * capulet.lit routes to it as well (ejabberd reaches every peer on one port, montague.lit's).
   */
  impostor?: string;
}

export async function startFederation(options: FederationOptions): Promise<Federation> {
  const dir = await mkdtemp(join(tmpdir(), 'keyring-federation-'));
  const ca = await makeTestCa(dir);
  const [capuletPort, montaguePort, impostorPort] = await distinctFreePorts(3);
  const loopback = (port: number) => ({ host: '127.0.0.1', port });
  const capuletRoutes: Record<string, { host: string; port: number }> = { [MONTAGUE]: loopback(montaguePort) };
  if (options.impostor && options.capulet === 'prosody') capuletRoutes[options.impostor] = loopback(impostorPort);
  const capuletS2s = { port: capuletPort, routes: capuletRoutes };
  const montagueS2s = { port: montaguePort, routes: { [CAPULET]: loopback(capuletPort) } };

  const starting: Promise<RestartableServer | XmppTestServer>[] = [
    options.capulet === 'ejabberd'
      ? startEjabberd({ domains: [CAPULET], ca, s2s: capuletS2s })
      : startProsody({ domains: [CAPULET], ca, s2s: capuletS2s }),
    startProsody({ domains: [MONTAGUE], ca, s2s: montagueS2s }),
  ];
  if (options.impostor) {
    const impostorDir = join(dir, 'impostor-ca');
    await mkdir(impostorDir);
    const rogueCa = await makeTestCa(impostorDir, 'Not the test CA');
    starting.push(
      startProsody({
        domains: [options.impostor],
        ca: rogueCa,
        trustedCaFile: ca.caFile,
        s2s: { port: impostorPort, routes: { [CAPULET]: loopback(capuletPort) } },
      }),
    );
  }
  const started = await Promise.allSettled(starting);
  const failure = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  const servers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const stopAll = async () => {
    await Promise.all(servers.map((s) => s.stop()));
    if (!process.env.KEEP_TEST_SERVERS) await rm(dir, { recursive: true, force: true });
  };
  if (failure) {
    await stopAll();
    throw failure.reason;
  }
  const [capulet, montague, impostor] = servers;
  return {
    capulet: capulet as XmppTestServer,
    montague: montague as RestartableServer,
    ...(impostor ? { impostor: impostor as RestartableServer } : {}),
    ca,
    stop: stopAll,
  };
}

async function distinctFreePorts(count: 3): Promise<[number, number, number]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports] as [number, number, number];
}
