/**
 * The benchmark's own Prosody: started exactly as the tests start theirs (test/support/prosody.ts), plus
 * what a benchmark needs on top (bench-server.ts): its process id, and thousands of accounts made fast by
 * writing Prosody's internal storage files the way mod_auth_internal_hashed and mod_roster write them
 * (`/usr/lib/prosody/modules/mod_auth_internal_hashed.lua`, util/datamanager.lua). Prosody reads an
 * account file at each login, so files written while it runs are live at once.
 */
import { createHash, createHmac, pbkdf2Sync, randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startProsody } from '../../support/prosody.js';
import { debianVersion, processCpuMs, timed, type BenchServer, type RosterEntry } from './bench-server.js';

export async function startBenchProsody(): Promise<BenchServer> {
  const server = await startProsody();
  const configFile = join(server.dir, 'prosody.cfg.lua');
  const pid = await findPidByArgument(configFile);
  const dataDir = join(server.dir, 'data');
  return {
    kind: 'prosody',
    server,
    pid,
    version: debianVersion('prosody'),
    cpuMs: () => processCpuMs(pid),
    addAccounts: (domain, users, password, iterations) => timed(() => writeAccounts(dataDir, domain, users, password, iterations)),
    setRoster: (domain, user, items) => timed(() => writeRoster(dataDir, domain, user, items)),
    stop: () => server.stop(),
  };
}

/** The process whose command line contains `argument` (the Prosody spawned with that config file). */
async function findPidByArgument(argument: string): Promise<number> {
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.split('\0').includes(argument)) return Number(entry);
  }
  throw new Error(`no process runs with ${argument}`);
}

/** util/datamanager.lua's encode(): every non-alphanumeric byte as %xx. */
const encode = (text: string): string =>
  [...Buffer.from(text, 'utf8')].map((b) => (/[A-Za-z0-9]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0')}`)).join('');

const lua = (text: string): string => JSON.stringify(text); // the strings here are plain ASCII

/**
 * Writes `users` as accounts of `domain` with `password`, in mod_auth_internal_hashed's format
 * (SCRAM-SHA-1 StoredKey/ServerKey, RFC 5802 §3). One salt for all: the work is done once.
 */
async function writeAccounts(
  dataDir: string,
  domain: string,
  users: readonly string[],
  password: string,
  iterations: number,
): Promise<void> {
  const salt = randomUUID();
  const salted = pbkdf2Sync(password, salt, iterations, 20, 'sha1');
  const storedKey = createHash('sha1').update(createHmac('sha1', salted).update('Client Key').digest()).digest('hex');
  const serverKey = createHmac('sha1', salted).update('Server Key').digest('hex');
  const body = `return {\n\t["stored_key"] = ${lua(storedKey)};\n\t["server_key"] = ${lua(serverKey)};\n\t["salt"] = ${lua(salt)};\n\t["iteration_count"] = ${iterations};\n};\n`;
  const dir = join(dataDir, encode(domain), 'accounts');
  await mkdir(dir, { recursive: true });
  for (const user of users) await writeFile(join(dir, `${encode(user)}.dat`), body);
}

/** Writes `user`'s roster (mod_roster's storage) with `items`, each with both-way subscription. */
async function writeRoster(dataDir: string, domain: string, user: string, items: readonly RosterEntry[]): Promise<void> {
  const lines = ['return {', '\t[false] = {', '\t\t["version"] = 1;', '\t\t["pending"] = {};', '\t};'];
  for (const item of items) {
    lines.push(`\t[${lua(item.jid)}] = {`, '\t\t["subscription"] = "both";');
    if (item.name !== undefined) lines.push(`\t\t["name"] = ${lua(item.name)};`);
    lines.push(`\t\t["groups"] = { ${item.groups.map((g) => `[${lua(g)}] = true;`).join(' ')} };`, '\t};');
  }
  lines.push('};', '');
  const dir = join(dataDir, encode(domain), 'roster');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, `${encode(user)}.dat`), lines.join('\n'));
}
