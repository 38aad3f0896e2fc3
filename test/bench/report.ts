/**
 * The benchmark's table: one row per figure, the peer measured in the same run (slixmpp, or openssl for
 * key generation) next to the app, their ratio, the target and whether it was met. The cells are
 * formatted here once; the console table and the README's table (scripts/bench-table.mjs, from
 * bench/results.json) only lay them out.
 */

export interface Row {
  section: string;
  measure: string;
  /** The other side of the comparison, measured in the same run ('—' when there is none). */
  peer: string;
  app: string;
  /** app ÷ peer, as the target reads it. */
  ratio: string;
  target: string;
  /** null: a figure with no target (shown for context). */
  pass: boolean | null;
}

export const HEADER = ['section', 'measure', 'peer (same run)', 'the app', 'app ÷ peer', 'target', 'result'] as const;

export const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
export const ms = (value: number): string => `${value.toFixed(value < 10 ? 1 : 0)} ms`;
/** Milliseconds as ms under a second, seconds above. */
export const time = (value: number): string => (value < 1000 ? ms(value) : s(value));
export const ratio = (app: number, peer: number): string => (peer > 0 ? `${(app / peer).toFixed(2)}×` : '—');

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? Number.NaN) + (sorted[mid] ?? Number.NaN)) / 2;
};

export const percentile = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
};

export const result = (pass: boolean | null): string => (pass === null ? '—' : pass ? 'PASS' : 'MISS');

export function cells(row: Row): string[] {
  return [row.section, row.measure, row.peer, row.app, row.ratio, row.target, result(row.pass)];
}

/** The table as aligned plain text, for the console. */
export function renderTable(rows: readonly Row[]): string[] {
  const all = rows.map(cells);
  const widths = HEADER.map((h, i) => Math.max(h.length, ...all.map((c) => (c[i] ?? '').length)));
  const line = (c: readonly string[]): string => `| ${c.map((v, i) => v.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(HEADER), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...all.map(line)];
}

/**
 * With BENCH_CPU_PROF_DIR, marks a measured window in the CPU profile's clock (µs, the monotonic clock
 * V8 stamps its samples with), so `node scripts/bench-profile.mjs PROFILE FROM TO` can read it apart.
 * Call with the start returned by profileMark() once the window ends.
 */
export function profileMark(): bigint {
  return process.hrtime.bigint() / 1000n;
}

export function profileWindow(label: string, from: bigint): void {
  if (process.env.BENCH_CPU_PROF_DIR) process.stdout.write(`  [profile window ${label}] ${from}-${process.hrtime.bigint() / 1000n}\n`);
}
