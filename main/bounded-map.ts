/**
 * A map that never holds more than its budget, dropping the least recently used entries first. The
 * budget counts entries, or what `sizeOf` says each value weighs (bytes). For what others send or make
 * the app remember (contacts' profiles and avatars, notifications seen, addresses logged, TLS contexts):
 * any number of contacts, or a hostile server speaking for many, can send, and memory must not grow
 * with them.
 */
export class BoundedMap<K, V> {
  /** A Map iterates in insertion order; each read or write moves its entry to the end (most recent). */
  readonly #entries = new Map<K, { value: V; weight: number }>();
  #used = 0;

  constructor(
    readonly budget: number,
    private readonly sizeOf: (value: V) => number = () => 1,
  ) {}

  /** What the entries weigh now, as sizeOf counts them; never more than the budget. */
  get used(): number {
    return this.#used;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Whether the key is held (without making it recent). */
  has(key: K): boolean {
    return this.#entries.has(key);
  }

  get(key: K): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.value;
  }

  /** Stores `value` as the most recent entry, evicting the oldest until the budget holds. A value heavier than the whole budget is not kept. */
  set(key: K, value: V): void {
    this.delete(key);
    const weight = this.sizeOf(value);
    if (weight > this.budget) return;
    this.#entries.set(key, { value, weight });
    this.#used += weight;
    for (const [oldest, entry] of this.#entries) {
      if (this.#used <= this.budget) break;
      this.#entries.delete(oldest);
      this.#used -= entry.weight;
    }
  }

  /** The least recently used key: the next to go (reading it makes it no more recent). */
  oldest(): K | undefined {
    for (const key of this.#entries.keys()) return key;
    return undefined;
  }

  /** The keys, least recently used first (reading them makes none recent). */
  keys(): IterableIterator<K> {
    return this.#entries.keys();
  }

  /** The values, least recently used first (reading them makes none recent). */
  *values(): IterableIterator<V> {
    for (const entry of this.#entries.values()) yield entry.value;
  }

  delete(key: K): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    this.#entries.delete(key);
    this.#used -= entry.weight;
  }
}
