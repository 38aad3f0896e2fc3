/**
 * A seeded PRNG for the fuzz tests, so a failure can be replayed from its seed.
 */

/** mulberry32: a tiny seeded PRNG, so a failure can be replayed. */
export function prng(seed: number): { int(n: number): number; bytes(n: number): Buffer } {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  return { int, bytes: (n) => Buffer.from(Array.from({ length: n }, () => int(256))) };
}
