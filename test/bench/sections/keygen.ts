/**
 * RSA key generation and certificate signing with main/keys, against `openssl genrsa` on the same machine,
 * and the longest event-loop stall while main/keys works. Shared by `npm run bench:keys`
 * (test/bench/keys.test.ts, which prints its own table) and `npm run bench`.
 */
import { execFile } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { createSelfSignedCertificate } from '../../../main/keys/certificate.js';
import { generateRsaKeyPair, RSA_KEY_SIZES, type RsaKeySize } from '../../../main/keys/generate.js';
import { mainThreadCpuMs } from '../../unit/keys/thread-cpu.js';

const run = promisify(execFile);

export interface KeygenSample {
  keygenMs: number;
  certMs: number;
  totalMs: number;
  stallMs: number;
  busyMs: number;
  opensslMs: number;
}

export interface KeygenSize {
  bits: RsaKeySize;
  samples: KeygenSample[];
}

async function ours(bits: RsaKeySize): Promise<Omit<KeygenSample, 'opensslMs'>> {
  // Records how late a 1 ms timer fires: the longest time the event loop was kept from turning.
  const delay = monitorEventLoopDelay({ resolution: 1 });
  // And the event-loop thread's own CPU time between the ticks of a 1 ms timer: the part of a stall
  // that is our code rather than the VM not scheduling the thread (see test/unit/keys/thread-cpu.ts).
  let busyMs = 0;
  let lastCpu = mainThreadCpuMs?.() ?? 0;
  const ticker = setInterval(() => {
    const cpu = mainThreadCpuMs?.() ?? 0;
    busyMs = Math.max(busyMs, cpu - lastCpu);
    lastCpu = cpu;
  }, 1);
  delay.enable();
  const start = performance.now();
  const keys = await generateRsaKeyPair(bits);
  const generated = performance.now();
  await createSelfSignedCertificate({ bareJid: 'bench@example.org', privateKey: keys.privateKey });
  const done = performance.now();
  delay.disable();
  clearInterval(ticker);
  busyMs = Math.max(busyMs, (mainThreadCpuMs?.() ?? 0) - lastCpu);
  return {
    keygenMs: generated - start,
    certMs: done - generated,
    totalMs: done - start,
    stallMs: delay.max / 1e6,
    busyMs: mainThreadCpuMs ? busyMs : Number.NaN,
  };
}

async function opensslGenrsa(bits: RsaKeySize): Promise<number> {
  const start = performance.now();
  await run('openssl', ['genrsa', String(bits)], { maxBuffer: 1024 * 1024 });
  return performance.now() - start;
}

export async function opensslVersion(): Promise<string> {
  return (await run('openssl', ['version'])).stdout.trim();
}

/** `runs` rounds per size, ours then openssl's, never overlapping. */
export async function benchKeygen(runs: number): Promise<KeygenSize[]> {
  // One untimed round first: module compilation and the test runner's own start-up work would
  // otherwise land in the first sample (measured: a 20 ms first certificate, a 40 ms first stall).
  await ours(2048);
  await opensslGenrsa(2048);
  const sizes: KeygenSize[] = [];
  for (const bits of RSA_KEY_SIZES) {
    const samples: KeygenSample[] = [];
    for (let i = 0; i < runs; i++) {
      // Sequential, never overlapping, so neither competes with the other for the two cores.
      samples.push({ ...(await ours(bits)), opensslMs: await opensslGenrsa(bits) });
    }
    sizes.push({ bits, samples });
  }
  return sizes;
}

export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

export const column = (size: KeygenSize, key: keyof KeygenSample): number[] => size.samples.map((s) => s[key]);
