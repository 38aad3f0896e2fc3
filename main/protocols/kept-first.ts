/**
 * A cap on a list someone else publishes that does not let the list's order decide what is kept: the
 * entries the vault already knows come first (XEP-0384 device lists, XEP-0373 key lists). Otherwise
 * new entries listed ahead of a known one push it past the cap, and it looks gone though still listed.
 */

/**
 * At most `cap` of `listed` (distinct): those in `knownFirst` in its order, then the others in listed
 * order.
 */
export function keptFirst<T>(listed: readonly T[], knownFirst: readonly T[], cap: number): T[] {
  if (listed.length <= cap) return [...listed];
  const present = new Set(listed);
  const known = [...new Set(knownFirst)].filter((k) => present.has(k));
  const knownSet = new Set(known);
  return [...known, ...listed.filter((k) => !knownSet.has(k))].slice(0, cap);
}
