/**
 * Starts a real Prosody (Debian package) for the tests: a throwaway CA and server certificate, its own
 * config and data dir in a temp folder, loopback only, a free port, accounts made with prosodyctl.
 * Runs as the current user (root included, via `run_as_root`), and `stop()` leaves nothing running.
 *
 * With `s2s`, it also federates: a server-to-server listener on loopback, TLS required and the peer's
 * certificate checked against the test CA (no dialback: a peer is authenticated by its certificate or
 * not at all), and static routes to the peers written into a small plugin, so no DNS is asked.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTestPki, type TestCa } from './test-pki.js';
import type { OutageControl, XmppTestServer } from './xmpp-server.js';

/** A server the test can take down and bring back with its data (a server restart). */
export interface RestartableServer extends XmppTestServer, OutageControl {
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** Stops the process answering (SIGSTOP): it accepts connections but says nothing, like a hung host. */
  freeze(): void;
  thaw(): void;
}

/** Server-to-server links: where this server listens, and where each peer domain is reached. */
export interface S2sOptions {
  port: number;
  /** Peer domain → its server-to-server listener (an IP address, never a name: no DNS). */
  routes: Record<string, { host: string; port: number }>;
}

export interface ProsodyOptions {
  domains?: string[];
  /** The CA that signs the server certificate (federating servers share one); a fresh one by default. */
  ca?: TestCa;
  /** The CA file peers' certificates are checked against, when not the one that signed ours (an
   *  impostor that trusts the real CA but whose own certificate the real CA never signed). */
  trustedCaFile?: string;
  s2s?: S2sOptions;
  /** LuaSec's `protocol` for client connections, e.g. "tlsv1_2" for TLS 1.2 only (default "tlsv1_2+"). */
  tlsProtocol?: string;
}

export async function startProsody(options: ProsodyOptions = {}): Promise<RestartableServer> {
  const domains = options.domains ?? ['capulet.lit', 'montague.lit'];
  const dir = await mkdtemp(join(tmpdir(), 'keyring-prosody-'));
  await mkdir(join(dir, 'data'));
  const pki = await makeTestPki(dir, domains, options.ca);
  const port = await freePort();
  const configFile = join(dir, 'prosody.cfg.lua');
  if (options.s2s) {
    await mkdir(join(dir, 'plugins'));
    await writeFile(join(dir, 'plugins', `mod_${ROUTES_MODULE}.lua`), STATIC_ROUTES_PLUGIN);
  }
  await writeFile(
    configFile,
    prosodyConfig({
      dir,
      port,
      domains,
      cert: pki.certFile,
      key: pki.keyFile,
      caFile: options.trustedCaFile ?? pki.caFile,
      s2s: options.s2s,
      tlsProtocol: options.tlsProtocol,
    }),
  );

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
      ...(options.s2s ? { s2sPort: options.s2s.port } : {}),
    },
    dir,
    async stop() {
      child.kill('SIGCONT');
      await stopChild(child);
      if (!process.env.KEEP_TEST_SERVERS) await rm(dir, { recursive: true, force: true });
    },
    async pause() {
      child.kill('SIGCONT');
      await stopChild(child);
    },
    async resume() {
      child = await launch(configFile, port, dir);
    },
    freeze() {
      child.kill('SIGSTOP');
    },
    async down(how) {
      child.kill('SIGCONT');
      if (how === 'stop') return stopChild(child);
      const gone = new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
      child.kill('SIGKILL');
      await gone;
    },
    async up() {
      child = await launch(configFile, port, dir);
    },
    thaw() {
      child.kill('SIGCONT');
    },
  };
}

const ROUTES_MODULE = 'keyring_s2s_routes';

/**
 * Prosody 0.12's mod_s2s asks net.resolvers.service for every outgoing link (SRV, then A/AAAA); this
 * plugin answers from the config instead: the route's address for xmpp-server (STARTTLS), nothing for
 * xmpps-server (direct TLS), and nothing at all for a domain without a route, which then fails at once
 * with remote-server-not-found instead of asking DNS. Certificates are still checked against the peer's
 * domain name (mod_s2s checks the name the link is for, not the address it connects to).
 */
const STATIC_ROUTES_PLUGIN = `-- written by test/support/prosody.ts: static server-to-server routes, no DNS
local service = require "net.resolvers.service";
local manual = require "net.resolvers.manual";
local routes = module:get_option("${ROUTES_MODULE}", {});
if not service.keyring_original_new then
	service.keyring_original_new = service.new;
	service.new = function (hostname, service_name, proto, extra)
		local route = routes[hostname];
		if route == nil or service_name ~= "xmpp-server" then
			return manual.new({}, proto, extra);
		end
		return manual.new({ { proto .. "4", route[1], route[2], extra } }, proto, extra);
	end
end
`;
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

function prosodyConfig(o: {
  dir: string;
  port: number;
  domains: string[];
  cert: string;
  key: string;
  caFile: string;
  s2s: S2sOptions | undefined;
  tlsProtocol?: string | undefined;
}): string {
  const q = (s: string) => JSON.stringify(s); // Lua accepts JSON string literals for these paths
  const s2s = o.s2s
    ? `s2s_ports = { ${o.s2s.port} }
-- Federation as a careful server runs it: TLS on every link, and the peer authenticated by a certificate
-- that chains to the test CA (ssl.cafile) and names its domain (RFC 6120 §13.7.2). No dialback module.
s2s_require_encryption = true
s2s_secure_auth = true
plugin_paths = { ${q(join(o.dir, 'plugins'))} }
${ROUTES_MODULE} = {
${Object.entries(o.s2s.routes)
  .map(([domain, r]) => `  [${q(domain)}] = { ${q(r.host)}, ${r.port} };`)
  .join('\n')}
}`
    : 's2s_ports = { }';
  const modules = ['roster', 'saslauth', 'tls', 'disco', 'pep', 'ping', 'presence', 'message', 'iq', 'version'];
  if (o.s2s) modules.push(ROUTES_MODULE);
  const disabled = ['admin_socket', 'posix', 'offline', ...(o.s2s ? [] : ['s2s'])];
  return `-- written by test/support/prosody.ts
run_as_root = true
daemonize = false
pidfile = ${q(join(o.dir, 'prosody.pid'))}
data_path = ${q(join(o.dir, 'data'))}
interfaces = { "127.0.0.1" }
local_interfaces = { "127.0.0.1" }
c2s_ports = { ${o.port} }
c2s_direct_tls_ports = { }
${s2s}
http_ports = { }
https_ports = { }
modules_enabled = { ${modules.map(q).join(', ')} }
modules_disabled = { ${disabled.map(q).join(', ')} }
c2s_require_encryption = true
authentication = "internal_hashed"
storage = "internal"
log = { { levels = { min = "info" }, to = "file", filename = ${q(join(o.dir, 'prosody.log'))} } }
certificates = ${q(o.dir)}
ssl = { certificate = ${q(o.cert)}, key = ${q(o.key)}, cafile = ${q(o.caFile)}${o.tlsProtocol ? `, protocol = ${q(o.tlsProtocol)}` : ''} }
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
