/**
 * roster:list for a roster of thousands, as the renderer asks it (core.dispatch, the IPC handler's path):
 *   - right after the first-ever sign-in (an empty vault: the app asks the server for the whole roster,
 *     RFC 6121 §2.2, and the Contacts screen waits for it: server-bound);
 *   - `repeat` times once the server has settled (the copy in memory);
 *   - right after a repeat sign-in, a new core on the vault the first one left (its roster saved with
 *     the server's version, §2.6): answered from that copy while the sync runs.
 * For each: wall time, the app's CPU time, the server's CPU time.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConnectParams } from '../../../contract/index.js';
import { profileMark, profileWindow } from '../report.js';
import { startApp } from '../support/apps.js';
import type { BenchServer } from '../support/bench-server.js';

export interface RosterListSample {
  wallMs: number;
  cpuMs: number;
  serverCpuMs: number;
  items: number;
}

export interface RosterListResult {
  afterSignIn: RosterListSample;
  later: RosterListSample[];
  afterRepeatSignIn: RosterListSample;
}

async function once(server: BenchServer, app: Awaited<ReturnType<typeof startApp>>): Promise<RosterListSample> {
  const serverBefore = await server.cpuMs();
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const profiledFrom = profileMark();
  const result = await app.core.dispatch('roster:list', undefined);
  const wallMs = performance.now() - start;
  profileWindow('roster:list', profiledFrom);
  const cpu = process.cpuUsage(cpuBefore);
  const serverCpuMs = (await server.cpuMs()) - serverBefore;
  if (!result.ok) throw new Error(`roster:list: ${result.error.message}`);
  return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000, serverCpuMs, items: (result.value as unknown[]).length };
}

/** Waits until the server has used under 20 ms of CPU in half a second (its sign-in work is done). */
export async function serverSettled(server: BenchServer, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let before = await server.cpuMs();
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    const now = await server.cpuMs();
    if (now - before < 20) return;
    before = now;
  }
}

export async function benchRosterList(server: BenchServer, account: ConnectParams, expected: number, repeat: number): Promise<RosterListResult> {
  const dataDir = await mkdtemp(join(tmpdir(), 'keyring-bench-roster-'));
  try {
    const first = await startApp(account, dataDir);
    let afterSignIn: RosterListSample;
    const later: RosterListSample[] = [];
    try {
      afterSignIn = await once(server, first);
      if (afterSignIn.items !== expected) throw new Error(`roster:list gave ${afterSignIn.items} contacts, not ${expected}`);
      await serverSettled(server);
      for (let i = 0; i < repeat; i++) {
        later.push(await once(server, first));
        await new Promise((r) => setTimeout(r, 200));
      }
    } finally {
      await first.stop(); // waits for the roster's vault write
    }
    await serverSettled(server);
    const again = await startApp(account, dataDir);
    try {
      const afterRepeatSignIn = await once(server, again);
      if (afterRepeatSignIn.items !== expected) throw new Error(`roster:list after a repeat sign-in gave ${afterRepeatSignIn.items} contacts, not ${expected}`);
      // The sync lands before the core stops (it would otherwise end in a disconnect).
      const synced = await again.core.dispatch('roster:list', { fresh: true });
      if (!synced.ok) throw new Error(`roster:list (fresh): ${synced.error.message}`);
      return { afterSignIn, later, afterRepeatSignIn };
    } finally {
      await again.stop();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}
