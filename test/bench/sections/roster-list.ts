/**
 * roster:list for a roster of thousands, as the renderer asks it (core.dispatch, the IPC handler's path,
 * which asks the server for the whole roster: RFC 6121 §2.2): once right after sign-in (what the
 * Contacts screen waits for when it loads at sign-in), then `repeat` times once the server has settled.
 * For each: wall time, the app's CPU time, the server's CPU time.
 */
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
  const app = await startApp(account);
  try {
    const afterSignIn = await once(server, app);
    if (afterSignIn.items !== expected) throw new Error(`roster:list gave ${afterSignIn.items} contacts, not ${expected}`);
    await serverSettled(server);
    const later: RosterListSample[] = [];
    for (let i = 0; i < repeat; i++) {
      later.push(await once(server, app));
      await new Promise((r) => setTimeout(r, 200));
    }
    return { afterSignIn, later };
  } finally {
    await app.stop();
  }
}
