/** The Coalescer behind ContactKeys' one-fetch-in-flight rule (main/services/coalesce.ts). */
import { describe, expect, it } from 'vitest';
import { Coalescer } from '../../main/services/coalesce.js';

describe('one run in flight per key', () => {
  it('folds requests made during a run into one follow-up, spaced, each caller getting a later run', async () => {
    const starts: number[] = [];
    let runs = 0;
    const coalescer = new Coalescer(
      async () => {
        starts.push(performance.now());
        await new Promise((r) => setTimeout(r, 20));
        return ++runs;
      },
      { spacingMs: 100, maxSpacingMs: 400, calmMs: 150 },
    );
    const first = coalescer.request('a');
    const later = Array.from({ length: 50 }, () => coalescer.request('a'));
    const other = coalescer.request('b');
    expect(coalescer.busy('a')).toBe(true);
    expect(await first).toBe(1);
    expect(await other).toBe(2);
    expect(new Set(await Promise.all(later))).toEqual(new Set([3]));
    expect(starts).toHaveLength(3);
    expect((starts[2] ?? 0) - (starts[0] ?? 0)).toBeGreaterThanOrEqual(95);
    expect(coalescer.busy('a')).toBe(false);
    // Calm again: the next request runs at once.
    await new Promise((r) => setTimeout(r, 200));
    const before = performance.now();
    await coalescer.request('a');
    expect((starts[3] ?? Number.POSITIVE_INFINITY) - before).toBeLessThan(200); // not the 400 ms gap
  });

  it('while requests keep coming, runs come twice as far apart each time: a long stream costs a few runs', async () => {
    const starts: number[] = [];
    const coalescer = new Coalescer(
      async () => {
        starts.push(performance.now());
        await new Promise((r) => setImmediate(r));
      },
      { spacingMs: 20, maxSpacingMs: 1000, calmMs: 1000 },
    );
    const begin = performance.now();
    const pending: Promise<void>[] = [];
    // A stream for 600 ms, with pauses: one request every 5 ms, a 50 ms pause every 100 ms.
    while (performance.now() - begin < 600) {
      pending.push(coalescer.request('a'));
      const pause = Math.floor((performance.now() - begin) / 100) % 2 === 1;
      await new Promise((r) => setTimeout(r, pause ? 50 : 5));
    }
    await Promise.all(pending);
    const gaps = starts.slice(1).map((t, i) => t - (starts[i] ?? 0));
    // Runs at about 0, 20, 60, 140, 300, 620 ms: a handful, not one per 20 ms (30).
    expect(starts.length).toBeGreaterThanOrEqual(4);
    expect(starts.length).toBeLessThanOrEqual(7);
    for (const [i, gap] of gaps.entries()) expect(gap).toBeGreaterThanOrEqual(20 * 2 ** i - 2);
  });

  it('a request made as the previous run ends is never lost', async () => {
    let runs = 0;
    const coalescer = new Coalescer(() => Promise.resolve(++runs), { spacingMs: 1, maxSpacingMs: 1, calmMs: 10 });
    for (let i = 1; i <= 50; i++) expect(await coalescer.request('a')).toBe(i);
  });

  it('a failed run rejects only its callers; the next request runs again', async () => {
    let fail = true;
    const coalescer = new Coalescer(async () => {
      await new Promise((r) => setImmediate(r));
      if (fail) throw new Error('no answer');
      return 'ok';
    });
    await expect(coalescer.request('a')).rejects.toThrow('no answer');
    fail = false;
    await expect(coalescer.request('a')).resolves.toBe('ok');
  });
});
