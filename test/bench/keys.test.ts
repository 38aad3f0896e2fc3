/**
 * Benchmark: RSA key generation and certificate signing with main/keys, against `openssl genrsa` on the
 * same machine, and the longest event-loop stall while main/keys works. Prints a table. The measuring
 * code is shared with `npm run bench` (test/bench/sections/keygen.ts).
 *
 *   npm run bench:keys                      (5 runs per size)
 *   KEYS_BENCH_RUNS=10 npm run bench:keys
 */
import { availableParallelism, cpus } from 'node:os';
import { expect, it } from 'vitest';
import { mainThreadCpuMs } from '../unit/keys/thread-cpu.js';
import { benchKeygen, column, median, opensslVersion } from './sections/keygen.js';

const RUNS = Number(process.env.KEYS_BENCH_RUNS ?? 5);
const COMMAND = 'npm run bench:keys  (= vitest run --config test/bench/vitest.bench.config.ts)';

const ms = (value: number): string => value.toFixed(value < 10 ? 1 : 0);
const spread = (values: number[]): string =>
  `${ms(median(values))} (${ms(Math.min(...values))}–${ms(Math.max(...values))})`;

it('benchmarks RSA key generation and certificate signing', async () => {
  expect(Number.isInteger(RUNS) && RUNS > 0, 'KEYS_BENCH_RUNS must be a positive integer').toBe(true);
  const version = await opensslVersion();
  const rows = (await benchKeygen(RUNS)).map((size) => [
    String(size.bits),
    spread(column(size, 'keygenMs')),
    spread(column(size, 'certMs')),
    spread(column(size, 'totalMs')),
    spread(column(size, 'opensslMs')),
    ms(Math.max(...column(size, 'stallMs'))),
    ms(Math.max(...column(size, 'busyMs'))),
  ]);

  const header = ['bits', 'keygen ms', 'certificate ms', 'total ms', 'openssl genrsa ms', 'max stall ms', 'max busy ms'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padStart(widths[i] ?? 0)).join(' | ')} |`;
  console.log(
    [
      '',
      `Command: ${COMMAND}`,
      `Runs per size: ${RUNS} (KEYS_BENCH_RUNS); cells are median (min–max) wall time in ms`,
      `Machine: ${availableParallelism()} cores (os.availableParallelism()), ${cpus()[0]?.model ?? 'unknown CPU'}`,
      `Node ${process.version} with OpenSSL ${process.versions.openssl}; CLI: ${version}`,
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
