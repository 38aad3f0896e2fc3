/**
 * The benchmark's own Prosody: started exactly as the tests start theirs (test/support/prosody.ts), plus
 * what a benchmark needs on top: its process id (for its CPU time from /proc/PID/stat), and thousands of
 * accounts made fast by writing Prosody's internal storage files the way mod_auth_internal_hashed and
 * mod_roster write them (`/usr/lib/prosody/modules/mod_auth_internal_hashed.lua`, util/datamanager.lua).
 * Prosody reads an account file at each login, so files written while it runs are live at once.
 */
import { execFileSync } from 'node:child_process';
import { createHash, createHmac, pbkdf2Sync, randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startProsody } from '../../support/prosody.js';
import type { XmppTestServer } from '../../support/xmpp-server.js';

export interface BenchProsody {
  server: XmppTestServer;
  pid: number;
  /** Prosody's CPU time so far (user + system), ms, from /proc/PID/stat at clock-tick resolution. */
  cpuMs(): Promise<number>;
  dataDir: string;
}

export const CLOCK_TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

export async function startBenchProsody(): Promise<BenchProsody> {
  const server = await startProsody();
  const configFile = join(server.dir, 'prosody.cfg.lua');
  const pid = await findPidByArgument(configFile);
  return { server, pid, cpuMs: () => processCpuMs(pid), dataDir: join(server.dir, 'data') };
}

/** utime + stime of a process, ms (fields 14 and 15 of /proc/PID/stat, in clock ticks). */
export async function processCpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces and parentheses: count fields after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** Resident set size of a process, MB (VmRSS in /proc/PID/status). */
export async function processRssMb(pid: number): Promise<{ rssMb: number; peakMb: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
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
export async function writeAccounts(
  dataDir: string,
  domain: string,
  users: readonly string[],
  password: string,
  iterations = 4096,
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
export async function writeRoster(
  dataDir: string,
  domain: string,
  user: string,
  items: readonly { jid: string; name?: string; groups: readonly string[] }[],
): Promise<void> {
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
