/**
 * Benchmark: RSA key generation and certificate signing with main/keys, against `openssl genrsa` on the
 * same machine, and the longest event-loop stall while main/keys works. Prints a table.
 *
 *   npm run bench:keys                      (5 runs per size)
 *   KEYS_BENCH_RUNS=10 npm run bench:keys
 */
import { execFile } from 'node:child_process';
import { availableParallelism, cpus } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { createSelfSignedCertificate } from '../../main/keys/certificate.js';
import { generateRsaKeyPair, RSA_KEY_SIZES, type RsaKeySize } from '../../main/keys/generate.js';
import { mainThreadCpuMs } from '../unit/keys/thread-cpu.js';

const run = promisify(execFile);
const RUNS = Number(process.env.KEYS_BENCH_RUNS ?? 5);
const COMMAND = 'npm run bench:keys  (= vitest run --config test/bench/vitest.bench.config.ts)';

interface Sample {
  keygenMs: number;
  certMs: number;
  totalMs: number;
  stallMs: number;
  busyMs: number;
  opensslMs: number;
}

async function ours(bits: RsaKeySize): Promise<Omit<Sample, 'opensslMs'>> {
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

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};
const ms = (value: number): string => value.toFixed(value < 10 ? 1 : 0);
const spread = (values: number[]): string =>
  `${ms(median(values))} (${ms(Math.min(...values))}–${ms(Math.max(...values))})`;

it('benchmarks RSA key generation and certificate signing', async () => {
  expect(Number.isInteger(RUNS) && RUNS > 0, 'KEYS_BENCH_RUNS must be a positive integer').toBe(true);
  const { stdout: opensslVersion } = await run('openssl', ['version']);
  // One untimed round first: module compilation and the test runner's own start-up work would
  // otherwise land in the first sample (measured: a 20 ms first certificate, a 40 ms first stall).
  await ours(2048);
  await opensslGenrsa(2048);
  const rows: string[][] = [];
  for (const bits of RSA_KEY_SIZES) {
    const samples: Sample[] = [];
    for (let i = 0; i < RUNS; i++) {
      // Sequential, never overlapping, so neither competes with the other for the two cores.
      samples.push({ ...(await ours(bits)), opensslMs: await opensslGenrsa(bits) });
    }
    const column = (key: keyof Sample): number[] => samples.map((s) => s[key]);
    rows.push([
      String(bits),
      spread(column('keygenMs')),
      spread(column('certMs')),
      spread(column('totalMs')),
      spread(column('opensslMs')),
      ms(Math.max(...column('stallMs'))),
      ms(Math.max(...column('busyMs'))),
    ]);
  }

  const header = ['bits', 'keygen ms', 'certificate ms', 'total ms', 'openssl genrsa ms', 'max stall ms', 'max busy ms'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padStart(widths[i] ?? 0)).join(' | ')} |`;
  console.log(
    [
      '',
      `Command: ${COMMAND}`,
      `Runs per size: ${RUNS} (KEYS_BENCH_RUNS); cells are median (min–max) wall time in ms`,
      `Machine: ${availableParallelism()} cores (os.availableParallelism()), ${cpus()[0]?.model ?? 'unknown CPU'}`,
      `Node ${process.version} with OpenSSL ${process.versions.openssl}; CLI: ${opensslVersion.trim()}`,
      'One untimed warm-up round at 2048 bits comes first.',
      'openssl genrsa: spawned process, wall time including process start',
      'max stall: longest event-loop delay during our keygen + certificate (monitorEventLoopDelay, 1 ms resolution),',
      '  over all runs; wall time, so it includes time the VM did not schedule the thread at all',
      'max busy: longest CPU time the event-loop thread itself used between two ticks of a 1 ms timer',
      `  (Linux schedstat${mainThreadCpuMs ? '' : ': not available here, NaN'}): the part of a stall that is this code`,
      '',
      line(header),
      `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
      ...rows.map(line),
      '',
    ].join('\n'),
  );
});
