/**
 * Starts a real Prosody (Debian package) for the tests: a throwaway CA and server certificate, its own
 * config and data dir in a temp folder, loopback only, a free port, accounts made with prosodyctl.
 * Runs as the current user (root included, via `run_as_root`), and `stop()` leaves nothing running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTestPki } from './test-pki.js';
import type { XmppTestServer } from './xmpp-server.js';

/** A server the test can take down and bring back with its data (a server restart). */
export interface RestartableServer extends XmppTestServer {
  pause(): Promise<void>;
  resume(): Promise<void>;
}

export interface ProsodyOptions {
  domains?: string[];
}

export async function startProsody(options: ProsodyOptions = {}): Promise<RestartableServer> {
  const domains = options.domains ?? ['capulet.lit', 'montague.lit'];
  const dir = await mkdtemp(join(tmpdir(), 'keyring-prosody-'));
  await mkdir(join(dir, 'data'));
  const pki = await makeTestPki(dir, domains);
  const port = await freePort();
  const configFile = join(dir, 'prosody.cfg.lua');
  await writeFile(configFile, prosodyConfig({ dir, port, domains, cert: pki.certFile, key: pki.keyFile }));

  let child = await launch(configFile, port, dir);
  return {
    info: {
      kind: 'prosody',
      host: '127.0.0.1',
      port,
      domains,
      caFile: pki.caFile,
      // prosodyctl writes straight to the data dir; Prosody reads accounts per login, so this works live.
      ctl: { command: 'prosodyctl', args: ['--config', configFile] },
    },
    dir,
    async stop() {
      await stopChild(child);
      if (!process.env.KEEP_TEST_SERVERS) await rm(dir, { recursive: true, force: true });
    },
    async pause() {
      await stopChild(child);
    },
    async resume() {
      child = await launch(configFile, port, dir);
    },
  };
}

/** Starts Prosody on its config and waits until it accepts connections. */
async function launch(configFile: string, port: number, dir: string): Promise<ChildProcess> {
  const child = spawn('prosody', ['--config', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  try {
    await waitForPort(port, child, 15_000);
  } catch (error) {
    child.kill('SIGKILL');
    const log = await readFile(join(dir, 'prosody.log'), 'utf8').catch(() => '');
    throw new Error(`Prosody did not start: ${String(error)}\n${output}\n${log.slice(-4000)}`);
  }
  return child;
}

function prosodyConfig(o: { dir: string; port: number; domains: string[]; cert: string; key: string }): string {
  const q = (s: string) => JSON.stringify(s); // Lua accepts JSON string literals for these paths
  return `-- written by test/support/prosody.ts
run_as_root = true
daemonize = false
pidfile = ${q(join(o.dir, 'prosody.pid'))}
data_path = ${q(join(o.dir, 'data'))}
interfaces = { "127.0.0.1" }
local_interfaces = { "127.0.0.1" }
c2s_ports = { ${o.port} }
c2s_direct_tls_ports = { }
s2s_ports = { }
http_ports = { }
https_ports = { }
modules_enabled = { "roster", "saslauth", "tls", "disco", "pep", "ping", "presence", "message", "iq", "version" }
modules_disabled = { "s2s", "admin_socket", "posix", "offline" }
c2s_require_encryption = true
authentication = "internal_hashed"
storage = "internal"
log = { { levels = { min = "info" }, to = "file", filename = ${q(join(o.dir, 'prosody.log'))} } }
certificates = ${q(o.dir)}
ssl = { certificate = ${q(o.cert)}, key = ${q(o.key)} }
${o.domains.map((d) => `VirtualHost ${q(d)}`).join('\n')}
`;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`prosody exited with code ${child.exitCode}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`port ${port} not open after ${timeoutMs} ms`);
}

export async function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
