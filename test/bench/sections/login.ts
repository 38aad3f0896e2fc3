/**
 * Login cost: the app's session signs in to Prosody (STARTTLS, SASL, resource binding, stream
 * management, initial presence) and signs out, `rounds` times after one untimed warm-up. The account
 * keeps Prosody's default 10,000 SCRAM iterations. Per sign-in:
 *   - app CPU:         process.cpuUsage() over the sign-in, every thread (PBKDF2 runs in Node's pool);
 *   - main thread:     the main thread's own CPU time (/proc/self/task/PID/stat), added up over all
 *                      rounds and divided (a clock tick is 10 ms, too coarse for one sign-in);
 *   - event loop busy: performance.eventLoopUtilization() active time, and the longest stall;
 *   - Prosody CPU:     from /proc/PID/stat over all rounds, divided.
 */
import { readFile } from 'node:fs/promises';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { AppEvents } from '../../../main/events.js';
import { silentLogger } from '../../../main/logger.js';
import { AccountSession } from '../../../main/xmpp/session.js';
import type { ConnectParams } from '../../../contract/index.js';
import { CLOCK_TICKS_PER_SECOND } from '../support/bench-server.js';

export interface LoginResult {
  rounds: number;
  wallMs: number[];
  appCpuMs: number[];
  /** Main-thread CPU per sign-in, averaged over all rounds (clock-tick resolution over the whole run). */
  mainThreadCpuMs: number;
  eventLoopActiveMs: number[];
  longestStallMs: number;
  /** Prosody's CPU per sign-in, averaged over all rounds. */
  serverCpuMs: number;
}

export async function benchLogin(params: ConnectParams, rounds: number, serverCpuMs: () => Promise<number>): Promise<LoginResult> {
  const session = new AccountSession({ events: new AppEvents(), log: silentLogger });
  const signIn = async (): Promise<void> => {
    await session.connect(params);
    await session.disconnect();
  };
  await signIn(); // warm-up: module loading, the TLS context, JIT

  const wallMs: number[] = [];
  const appCpuMs: number[] = [];
  const eventLoopActiveMs: number[] = [];
  const stalls = monitorEventLoopDelay({ resolution: 1 });
  const mainBefore = await mainThreadCpuMs();
  const serverBefore = await serverCpuMs();
  stalls.enable();
  for (let i = 0; i < rounds; i++) {
    const elu = performance.eventLoopUtilization();
    const cpu = process.cpuUsage();
    const started = performance.now();
    await session.connect(params);
    wallMs.push(performance.now() - started);
    const used = process.cpuUsage(cpu);
    appCpuMs.push((used.user + used.system) / 1000);
    eventLoopActiveMs.push(performance.eventLoopUtilization(elu).active);
    await session.disconnect();
  }
  stalls.disable();
  const mainAfter = await mainThreadCpuMs();
  const serverAfter = await serverCpuMs();
  return {
    rounds,
    wallMs,
    appCpuMs,
    // Includes the sign-outs, which are cheap (a closing tag); so this is an upper bound for sign-in.
    mainThreadCpuMs: (mainAfter - mainBefore) / rounds,
    eventLoopActiveMs,
    longestStallMs: stalls.max / 1e6,
    serverCpuMs: (serverAfter - serverBefore) / rounds,
  };
}

/** utime + stime of this process's main thread (its task id is the process id), ms. */
async function mainThreadCpuMs(): Promise<number> {
  const stat = await readFile(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}
