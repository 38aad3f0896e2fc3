/**
 * slixmpp as the benchmark's peer client (slixmpp_peer.py): one Python process, its accounts signed in
 * before any command, then one JSON command per line. The process's own CPU time is measured inside it
 * (getrusage around each command), so interpreter start and sign-in never count.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { SYSTEM_PYTHON } from '../../support/interop/python-driver.js';
import type { ServerInfo } from '../../support/xmpp-server.js';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'slixmpp_peer.py');

export interface PeerAccount {
  jid: string;
  password: string;
  /** Nodes to ask notifications for (XEP-0163 +notify in XEP-0115 caps). */
  notify?: string[];
}

export interface PeerTls {
  jid: string;
  encrypted: boolean;
  version?: string;
  /** CERT_REQUIRED and check_hostname on the context the stream was encrypted with. */
  verified?: boolean;
  peer?: string;
}

export interface PeerFetch {
  wallMs: number;
  cpuMs: number;
  ok: number;
  failed: string[];
  failedCount: number;
  /** Top-level stanzas by name in the measured window. */
  sent: Record<string, number>;
  received: Record<string, number>;
}

export interface PeerNotify {
  pepMs: number[];
  answeredMs: number[];
}

export interface PeerRoster {
  wallMs: number;
  cpuMs: number;
  items: number;
}

export interface SlixmppPeer {
  pid: number;
  tls: PeerTls[];
  /** The process's CPU time from connecting to every account being online (interpreter start excluded). */
  signInCpuMs: number;
  fetch(command: { client: number; node: string; jids: readonly string[]; concurrency: number }): Promise<PeerFetch>;
  roster(command: { client: number }): Promise<PeerRoster>;
  notify(command: {
    receiver: number;
    node: string;
    /** Per round: which client publishes `xml` as item `id` on its own node, then retracts `previous`. */
    rounds: { publisher: number; id: string; xml: string; previous: string }[];
    warmup: number;
  }): Promise<PeerNotify>;
  stop(): Promise<void>;
}

type Line = { event: 'ready'; tls: PeerTls[]; signInCpuMs: number } | { event: 'failed' | 'error'; error: string } | { event: 'done'; result: unknown };

/** Starts the peer and resolves once every account is online over verified TLS. */
export async function startSlixmppPeer(server: ServerInfo, accounts: readonly PeerAccount[], caFile = server.caFile): Promise<SlixmppPeer> {
  const child: ChildProcessWithoutNullStreams = spawn(SYSTEM_PYTHON, [SCRIPT], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      LANG: 'C.UTF-8',
      XMPP_HOST: server.host,
      XMPP_PORT: String(server.port),
      XMPP_CA_FILE: caFile,
      BENCH_ACCOUNTS: JSON.stringify(accounts),
    },
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const waiting: ((line: Line) => void)[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => {
    for (const wait of waiting.splice(0)) wait({ event: 'failed', error: `slixmpp peer exited\n${stderr}` });
  });
  createInterface({ input: child.stdout }).on('line', (text) => {
    let line: Line;
    try {
      line = JSON.parse(text) as Line;
    } catch {
      return; // not ours (a library printing): ignored
    }
    waiting.shift()?.(line);
  });
  const next = (): Promise<Line> => new Promise((resolve) => waiting.push(resolve));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.stdin.end(`${JSON.stringify({ op: 'quit' })}\n`);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
  };
  const command = async <T>(message: Record<string, unknown>): Promise<T> => {
    const answer = next();
    child.stdin.write(`${JSON.stringify(message)}\n`);
    const line = await answer;
    if (line.event !== 'done') throw new Error(`slixmpp peer: ${'error' in line ? line.error : line.event}`);
    return line.result as T;
  };

  const first = await next();
  if (first.event !== 'ready') {
    await stop();
    throw new Error(`slixmpp peer did not sign in: ${'error' in first ? first.error : first.event}\n${stderr}`);
  }
  const unverified = first.tls.filter((t) => !t.encrypted || t.verified !== true);
  if (unverified.length > 0) {
    await stop();
    throw new Error(`slixmpp peer's TLS was not verified: ${JSON.stringify(unverified)}`);
  }
  return {
    pid: child.pid ?? 0,
    tls: first.tls,
    signInCpuMs: first.signInCpuMs,
    fetch: (c) => command<PeerFetch>({ op: 'fetch', ...c }),
    roster: (c) => command<PeerRoster>({ op: 'roster', ...c }),
    notify: (c) => command<PeerNotify>({ op: 'notify', ...c }),
    stop,
  };
}
