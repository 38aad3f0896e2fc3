/**
 * Deep freezing of the vault's documents. The vault applies every change to a copy (vault.ts), so an
 * unchanged part of the document keeps its identity from one state to the next; json-chunks.ts relies on
 * that to reuse the bytes of such a part. A part changed in place would be written with its old bytes,
 * silently: freezing makes such a mutation throw instead (strict mode), and only what was frozen here is
 * cached there (isDeeplyFrozen).
 */

/** Objects frozen here, with everything they hold. */
const deeplyFrozen = new WeakSet<object>();

/**
 * Freezes `value` and everything it holds (own enumerable properties: what JSON holds), and returns it.
 * A subtree frozen before is skipped, so freezing the next state of a copy-on-write document costs only
 * its new objects. Children are frozen before their parent, so a parent is only marked once all it
 * holds is.
 */
export function deepFreeze<T>(value: T): T {
  freeze(value);
  return value;
}

/** Whether `value` was frozen whole by deepFreeze (a shallow Object.freeze elsewhere does not count). */
export function isDeeplyFrozen(value: object): boolean {
  return deeplyFrozen.has(value);
}

function freeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || deeplyFrozen.has(value)) return;
  if (Array.isArray(value)) {
    for (const item of value as unknown[]) freeze(item);
  } else {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) freeze(record[key]);
  }
  Object.freeze(value);
  deeplyFrozen.add(value);
}
