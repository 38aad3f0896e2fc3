/**
 * What the benchmark needs from a server beyond what the tests use: its process id, for its CPU time
 * from /proc/PID/stat, and a way to make thousands of accounts and rosters fast (each server its own).
 */
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type { XmppTestServer } from '../../support/xmpp-server.js';

export interface RosterEntry {
  jid: string;
  name?: string;
  groups: readonly string[];
}

export interface BenchServer {
  kind: 'prosody' | 'ejabberd';
  server: XmppTestServer;
  /** The process that does the XMPP work (Prosody's Lua process, ejabberd's Erlang VM). */
  pid: number;
  version: string;
  /** The server's CPU time so far (user + system), ms, from /proc/PID/stat at clock-tick resolution. */
  cpuMs(): Promise<number>;
  /**
   * Makes `users` accounts of `domain` with `password`; SCRAM-SHA-1 with `iterations` (RFC 5802 §3).
   * Resolves with how long it took.
   */
  addAccounts(domain: string, users: readonly string[], password: string, iterations: number): Promise<number>;
  /** Sets `user`'s roster to `items`, each with a both-way subscription (RFC 6121 §2.1.2.5). */
  setRoster(domain: string, user: string, items: readonly RosterEntry[]): Promise<number>;
  stop(): Promise<void>;
}

export const CLOCK_TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

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

export function debianVersion(pkg: string): string {
  try {
    return execFileSync('dpkg-query', ['-W', '-f', '${Version}', pkg]).toString().trim();
  } catch {
    return 'not installed';
  }
}

/** How long `work` took, ms. */
export async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}
