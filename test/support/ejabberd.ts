/**
 * Starts a real ejabberd (Debian package) for the tests, the way test/support/prosody.ts starts Prosody:
 * a throwaway CA and server certificate, its own config, Mnesia spool and logs in a temp folder,
 * loopback only, free ports, accounts made with ejabberdctl, and `stop()` leaves nothing running.
 *
 * How it runs:
 * - `ejabberdctl … foreground` is our child, started in its own process group as the `ejabberd` user
 *   (ejabberdctl refuses any other user but root, and as root it would `su` into a new session that we
 *   could not reach by process group). So the harness must run as root (or as `ejabberd`).
 * - Erlang distribution (needed by ejabberdctl to talk to the node) uses a fixed loopback port
 *   (`ERL_DIST_PORT`), so no epmd is started or used, and a random cookie (`-setcookie`), so nothing is
 *   read from or written to the ejabberd user's home.
 * - Our ejabberdctl.cfg is passed with `--ctl-config`; ejabberdctl sources it *after* parsing its
 *   flags, so it must repeat `EJABBERD_CONFIG_PATH`, or /etc/ejabberd/ejabberd.yml would be loaded.
 * - `--config-dir` points at the temp folder too, so neither /etc/ejabberd/inetrc nor a vm.args there
 *   is picked up. Our inetrc names no DNS server, so the Erlang resolver never asks one.
 *
 * With `s2s` it federates: a server-to-server listener on loopback, STARTTLS required, and no dialback
 * module, so a peer is authenticated by a certificate that chains to the test CA (`ca_file`) or not at
 * all. ejabberd 23.01 finds a peer by SRV (which fails at once: no DNS server) and then by the system
 * resolver, so it runs in a mount namespace of its own (`unshare --mount`) where a private hosts file is
 * bound over /etc/hosts and names the peers; the machine's hosts file is never touched. It then connects
 * to `outgoing_s2s_port`, one port for every peer (the peers' listeners must share it).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chown, mkdtemp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, type S2sOptions } from './prosody.js';
import { makeTestPki, type TestCa } from './test-pki.js';
import type { XmppTestServer } from './xmpp-server.js';

const run = promisify(execFile);

export interface EjabberdOptions {
  domains?: string[];
  /** The CA that signs the server certificate (federating servers share one); a fresh one by default. */
  ca?: TestCa;
  s2s?: S2sOptions;
  /** The hash of the stored SCRAM keys (`auth_scram_hash`); ejabberd then offers SCRAM with it only. */
  scramHash?: 'sha' | 'sha256' | 'sha512';
}

const EJABBERDCTL = existsSync('/usr/sbin/ejabberdctl') ? '/usr/sbin/ejabberdctl' : 'ejabberdctl';
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 20_000;

export async function startEjabberd(options: EjabberdOptions = {}): Promise<XmppTestServer> {
  const domains = options.domains ?? ['capulet.lit', 'montague.lit'];
  const runAs = await ejabberdUser();
  const dir = await mkdtemp(join(tmpdir(), 'keyring-ejabberd-'));
  // ejabberdctl expands these paths unquoted: a space would split them.
  if (/\s/.test(dir)) throw new Error(`ejabberd needs a temp dir without spaces, got ${JSON.stringify(dir)}`);
  const spool = join(dir, 'spool');
  const logs = join(dir, 'logs');
  await mkdir(spool);
  await mkdir(logs);
  const pki = await makeTestPki(dir, domains, options.ca);
  // ejabberd takes the certificate and its key from one PEM file.
  const pemFile = join(dir, 'server.pem');
  await writeFile(pemFile, (await readFile(pki.certFile, 'utf8')) + (await readFile(pki.keyFile, 'utf8')), { mode: 0o600 });

  const port = await freePort();
  let distPort = await freePort();
  while (distPort === port) distPort = await freePort();
  const node = `keyring-test-${randomBytes(4).toString('hex')}@localhost`;
  const configFile = join(dir, 'ejabberd.yml');
  const ctlConfigFile = join(dir, 'ejabberdctl.cfg');
  const pidFile = join(dir, 'ejabberd.pid');
  const s2s = options.s2s ? federationSettings(options.s2s, runAs) : undefined;
  await writeFile(configFile, ejabberdConfig({ port, domains, pemFile, caFile: pki.caFile, s2s, scramHash: options.scramHash ?? 'sha' }));
  await writeFile(
    ctlConfigFile,
    ejabberdctlConfig({ configFile, node, distPort, pidFile, cookie: randomBytes(16).toString('hex') }),
    { mode: 0o600 },
  );
  // Only what /etc/ejabberd/inetrc says: resolve "localhost" (the node's host) without DNS.
  // No resolv.conf: the Erlang resolver (SRV lookups for s2s) has no DNS server to ask.
  await writeFile(join(dir, 'inetrc'), '{lookup,[file,native]}.\n{host,{127,0,0,1},["localhost"]}.\n{resolv_conf,""}.\n');
  const hostsFile = join(dir, 'hosts');
  if (s2s) await writeFile(hostsFile, s2s.hosts);
  if (runAs) await chownTree(dir, runAs.uid, runAs.gid);

  const ctlArgs = ['--config-dir', dir, '--config', configFile, '--ctl-config', ctlConfigFile, '--logs', logs, '--spool', spool, '--node', node];
  const spawnOptions = {
    cwd: spool,
    // A clean environment: no ERL_FLAGS / ERL_AFLAGS or the like leaking in from the test runner.
    env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', HOME: dir, LANG: 'C.UTF-8' },
    ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
  };
  const ctl = (...args: string[]) => run(EJABBERDCTL, [...ctlArgs, ...args], { ...spawnOptions, timeout: STOP_TIMEOUT_MS });

  const child = s2s
    ? // Root until the hosts file is bound in the new mount namespace, then the ejabberd user (setpriv
      // execs in place: the process group stays the one we started).
      spawn(
        'unshare',
        ['--mount', '--propagation', 'private', 'sh', '-c', 'mount --bind "$0" /etc/hosts && exec "$@"', hostsFile,
          'setpriv', `--reuid=${s2s.runAs.uid}`, `--regid=${s2s.runAs.gid}`, '--init-groups', EJABBERDCTL, ...ctlArgs, 'foreground'],
        { ...spawnOptions, uid: undefined, gid: undefined, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
      )
    : spawn(EJABBERDCTL, [...ctlArgs, 'foreground'], { ...spawnOptions, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (d: Buffer) => (output = (output + d.toString()).slice(-8000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('error', (error) => keep(Buffer.from(`spawn error: ${String(error)}\n`)));
  // If the test process dies without calling stop(), take the server down with it.
  const killOnExit = () => killGroup(child, 'SIGKILL');
  process.once('exit', killOnExit);

  const stop = async () => {
    process.removeListener('exit', killOnExit);
    await stopEjabberd(child, pidFile, () => ctl('stop'));
  };

  try {
    await waitUntilStarted(child, port, () => ctl('status'), START_TIMEOUT_MS);
  } catch (error) {
    await stop();
    const log = await logTail(logs);
    if (!process.env.KEEP_TEST_SERVERS) await rm(dir, { recursive: true, force: true });
    throw new Error(`ejabberd did not start: ${String(error)}\n${output.slice(-3000)}\n${log}`);
  }

  return {
    info: {
      kind: 'ejabberd',
      host: '127.0.0.1',
      port,
      domains,
      caFile: pki.caFile,
      // As root, ejabberdctl runs the command as the ejabberd user itself; the node answers over the
      // loopback distribution port named in the ctl config.
      ctl: { command: EJABBERDCTL, args: ctlArgs },
      ...(options.s2s ? { s2sPort: options.s2s.port } : {}),
    },
    dir,
    async stop() {
      await stop();
      if (!process.env.KEEP_TEST_SERVERS) await rm(dir, { recursive: true, force: true });
    },
  };
}

interface FederationSettings {
  listenPort: number;
  outgoingPort: number;
  /** The private hosts file: each peer domain with its address. */
  hosts: string;
  runAs: { uid: number; gid: number };
}

function federationSettings(s2s: S2sOptions, runAs: { uid: number; gid: number } | undefined): FederationSettings {
  if (!runAs) throw new Error('ejabberd federates only when the harness runs as root (it binds a private hosts file).');
  const routes = Object.entries(s2s.routes);
  const ports = new Set(routes.map(([, r]) => r.port));
  if (ports.size !== 1) throw new Error(`ejabberd reaches every peer on one port (outgoing_s2s_port); got ${[...ports].join(', ')}`);
  const hosts = ['127.0.0.1 localhost', ...routes.map(([domain, r]) => `${r.host} ${domain}`), ''].join('\n');
  return { listenPort: s2s.port, outgoingPort: [...ports][0] as number, hosts, runAs };
}

function ejabberdConfig(o: {
  port: number;
  domains: string[];
  pemFile: string;
  caFile: string;
  s2s: FederationSettings | undefined;
  scramHash: 'sha' | 'sha256' | 'sha512';
}): string {
  const q = (s: string) => JSON.stringify(s); // YAML accepts JSON string literals
  const s2s = o.s2s
    ? `# Federation: STARTTLS required; without mod_s2s_dialback the peer must authenticate with a certificate
# that chains to ca_file (SASL EXTERNAL, XEP-0178). No DNS: SRV fails at once, the hosts file names peers.
s2s_access: all
s2s_use_starttls: required
outgoing_s2s_port: ${o.s2s.outgoingPort}
outgoing_s2s_families:
  - ipv4
s2s_dns_timeout: 1
s2s_dns_retries: 1
# After a failed link ejabberd bounces everything for that peer for a random delay up to this (default 300 s).
s2s_max_retry_delay: 2`
    : `# No s2s listener, and no outgoing s2s either.
s2s_access: none`;
  const s2sListener = o.s2s
    ? `
  -
    port: ${o.s2s.listenPort}
    ip: "127.0.0.1"
    module: ejabberd_s2s_in
    max_stanza_size: 524288`
    : '';
  return `# written by test/support/ejabberd.ts
hosts:
${o.domains.map((d) => `  - ${q(d)}`).join('\n')}
loglevel: info
log_rotate_count: 0
certfiles:
  - ${q(o.pemFile)}
ca_file: ${q(o.caFile)}
acme:
  auto: false
auth_method: internal
auth_password_format: scram
auth_scram_hash: ${o.scramHash}
default_db: mnesia
${s2s}
listen:
  -
    port: ${o.port}
    ip: "127.0.0.1"
    module: ejabberd_c2s
    max_stanza_size: 262144
    access: c2s
    starttls_required: true${s2sListener}
acl:
  local:
    user_regexp: ""
access_rules:
  c2s:
    allow: all
  pubsub_createnode:
    allow: local
modules:
  mod_caps: {}
  mod_disco: {}
  mod_ping: {}
  mod_pubsub:
    access_createnode: pubsub_createnode
    plugins:
      - flat
      - pep
  mod_roster:
    versioning: false
  mod_stream_mgmt: {}
  # In ejabberd's own default configuration: the server names its software (XEP-0092).
  mod_version:
    show_os: false
`;
}

function ejabberdctlConfig(o: { configFile: string; node: string; distPort: number; pidFile: string; cookie: string }): string {
  return `# written by test/support/ejabberd.ts (sourced by ejabberdctl after its flags, so it repeats them)
EJABBERD_CONFIG_PATH='${o.configFile}'
ERLANG_NODE='${o.node}'
ERL_DIST_PORT=${o.distPort}
EJABBERD_PID_PATH='${o.pidFile}'
ERL_OPTIONS='-env ERL_CRASH_DUMP_BYTES 0 -setcookie ${o.cookie} -kernel inet_dist_use_interface {127,0,0,1}'
EJABBERD_BYPASS_WARNINGS=true
`;
}

/** Who ejabberd runs as: undefined when we already are that user, the ejabberd ids when we are root. */
async function ejabberdUser(): Promise<{ uid: number; gid: number } | undefined> {
  const me = userInfo();
  if (me.username === 'ejabberd') return undefined;
  if (me.uid !== 0) {
    throw new Error('The ejabberd test server needs root (ejabberdctl runs only as root or as the ejabberd user).');
  }
  const [uid, gid] = await Promise.all([run('id', ['-u', 'ejabberd']), run('id', ['-g', 'ejabberd'])]);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

async function chownTree(path: string, uid: number, gid: number): Promise<void> {
  await chown(path, uid, gid);
  for (const entry of await readdir(path, { withFileTypes: true })) {
    const full = join(path, entry.name);
    if (entry.isDirectory()) await chownTree(full, uid, gid);
    else await chown(full, uid, gid);
  }
}

/** Started = the node says so (`ejabberdctl status`) and the c2s port accepts connections. */
async function waitUntilStarted(child: ChildProcess, port: number, status: () => Promise<unknown>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastStatus = '';
  while (Date.now() < deadline) {
    if (exited(child)) throw new Error(`ejabberdctl foreground exited (code ${child.exitCode}, signal ${child.signalCode})`);
    if (await portOpen(port)) {
      try {
        await status();
        return;
      } catch (error) {
        lastStatus = String(error);
      }
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`not started after ${timeoutMs} ms (port ${port}); last status: ${lastStatus}`);
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * SIGTERM to the Erlang VM (its pid from EJABBERD_PID_PATH) makes it shut down cleanly, like
 * `ejabberdctl stop` but a second faster (that command sleeps before stopping); the foreground
 * ejabberdctl then reaps the VM and exits. Without a pid file we fall back to `ejabberdctl stop`.
 * If the node is still there after that: SIGTERM, then SIGKILL, to the whole process group we started
 * (ejabberdctl, beam.smp, erl_child_setup and its port programs).
 */
async function stopEjabberd(child: ChildProcess, pidFile: string, ctlStop: () => Promise<unknown>): Promise<void> {
  if (!exited(child)) {
    const vm = await ourVmPid(child, pidFile);
    if (vm !== undefined) process.kill(vm, 'SIGTERM');
    else await ctlStop().catch(() => undefined);
    if (!(await waitForExit(child, STOP_TIMEOUT_MS))) {
      killGroup(child, 'SIGTERM');
      if (!(await waitForExit(child, 5000))) {
        killGroup(child, 'SIGKILL');
        await waitForExit(child, 5000);
      }
    }
  }
  // Anything of ours left in the group (a port program slow to notice its VM is gone): wait, then kill.
  const deadline = Date.now() + 5000;
  while (groupAlive(child) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (groupAlive(child)) killGroup(child, 'SIGKILL');
}

/** The VM's pid from the pid file, if that process is still in the process group we started. */
async function ourVmPid(child: ChildProcess, pidFile: string): Promise<number | undefined> {
  const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  // /proc/<pid>/stat: "pid (comm) state ppid pgrp …"; comm may hold spaces, so split after the ')'.
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
  return pgrp === child.pid ? pid : undefined;
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (exited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(exited(child)), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is already gone
  }
}

function groupAlive(child: ChildProcess): boolean {
  if (child.pid === undefined) return false;
  try {
    process.kill(-child.pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function logTail(logs: string): Promise<string> {
  const parts: string[] = [];
  for (const name of ['ejabberd.log', 'error.log', 'crash.log']) {
    const text = await readFile(join(logs, name), 'utf8').catch(() => '');
    if (text) parts.push(`--- ${name} (tail)\n${text.slice(-4000)}`);
  }
  return parts.join('\n');
}
