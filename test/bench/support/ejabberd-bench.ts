/**
 * The benchmark's own ejabberd, started exactly as the tests start theirs (test/support/ejabberd.ts), plus
 * what a benchmark needs on top (bench-server.ts).
 *
 * Thousands of accounts, fast: `ejabberdctl register` starts an Erlang node per call (0.7–2 s each here,
 * so 2,000 accounts would take most of an hour), the tests' config has no mod_admin_extra (no
 * `add_rosteritem`) nor an HTTP API, and Debian's ejabberd is built without Lua (luerl), so
 * `import_prosody` is out too. What remains, and is fast, is ejabberd's own Mnesia text import:
 * `ejabberdctl load FILE` (mnesia:load_textfile) with `passwd` and `roster` records in the very shape
 * `ejabberdctl dump_table` writes them (SCRAM-SHA-1 StoredKey/ServerKey/salt, RFC 5802 §3). One call
 * per batch; the accounts log in like any other.
 */
import { execFile } from 'node:child_process';
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startEjabberd } from '../../support/ejabberd.js';
import { debianVersion, processCpuMs, timed, type BenchServer } from './bench-server.js';

const run = promisify(execFile);

export async function startBenchEjabberd(): Promise<BenchServer> {
  const server = await startEjabberd();
  // EJABBERD_PID_PATH in the ctl config the starter writes: the Erlang VM's own pid.
  const pid = Number((await readFile(join(server.dir, 'ejabberd.pid'), 'utf8')).trim());
  if (!Number.isInteger(pid) || pid <= 0) throw new Error('ejabberd wrote no pid file');
  let batch = 0;
  /** Loads Erlang terms into Mnesia with one `ejabberdctl load`; existing tables just get the records. */
  const load = async (table: string, attributes: readonly string[], records: readonly string[]): Promise<void> => {
    const file = join(server.dir, `bench-${table}-${batch++}.txt`);
    const header = `{tables,[{${table},[{record_name,${table}},{attributes,[${attributes.join(',')}]}]}]}.\n`;
    await writeFile(file, header + records.map((r) => `${r}.\n`).join(''), { mode: 0o644 });
    const { stdout, stderr } = await run(server.info.ctl.command, [...server.info.ctl.args, 'load', file], { maxBuffer: 16 * 1024 * 1024 });
    if (/error|aborted/i.test(stdout + stderr)) throw new Error(`ejabberdctl load ${table}: ${stdout}${stderr}`);
  };
  return {
    kind: 'ejabberd',
    server,
    pid,
    version: debianVersion('ejabberd'),
    cpuMs: () => processCpuMs(pid),
    addAccounts: (domain, users, password, iterations) =>
      timed(async () => {
        // One salt for all: the PBKDF2 work is done once (RFC 5802 §3, as ejabberd stores it: base64).
        const salt = randomBytes(16);
        const salted = pbkdf2Sync(password, salt, iterations, 20, 'sha1');
        const storedKey = createHash('sha1').update(createHmac('sha1', salted).update('Client Key').digest()).digest('base64');
        const serverKey = createHmac('sha1', salted).update('Server Key').digest('base64');
        const scram = `{scram,${bin(storedKey)},${bin(serverKey)},${bin(salt.toString('base64'))},sha,${iterations}}`;
        await load('passwd', ['us', 'password'], users.map((user) => `{passwd,{${bin(user)},${bin(domain)}},${scram}}`));
      }),
    setRoster: (domain, user, items) =>
      timed(async () => {
        const us = `{${bin(user)},${bin(domain)}}`;
        const records = items.map((item) => {
          const [local = '', server = ''] = item.jid.split('@');
          const jid = `{${bin(local)},${bin(server)},<<>>}`;
          // mod_roster.hrl: #roster{usj, us, jid, name, subscription, ask, groups, askmessage, xs}
          return `{roster,{${bin(user)},${bin(domain)},${jid}},${us},${jid},${bin(item.name ?? '')},both,none,[${item.groups.map(bin).join(',')}],<<>>,[]}`;
        });
        await load('roster', ['usj', 'us', 'jid', 'name', 'subscription', 'ask', 'groups', 'askmessage', 'xs'], records);
      }),
    stop: () => server.stop(),
  };
}

/** An Erlang UTF-8 binary literal. */
function bin(text: string): string {
  return `<<"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"/utf8>>`;
}
