/**
 * JSON.stringify in pieces: the UTF-8 bytes of `JSON.stringify(value)` (no replacer, no indentation) as
 * a list of Buffers whose concatenation is exactly those bytes, where a part of the value that was
 * serialized before, and cannot have changed since, is not serialized again: its Buffers are reused.
 *
 * Why: every vault write serialized the whole document (2.7 MB with 2,000 contacts) although a key fetch
 * changes one contact. The vault copies on write (vault.ts: unchanged parts keep their identity) and
 * deep-freezes what it holds (deep-freeze.ts), so a frozen object's bytes can be kept with it, in a
 * WeakMap that lets them go with the object.
 *
 * Granularity: objects and arrays are walked member by member down to `leafDepth` (the document is at
 * depth 0); a value at that depth is serialized whole with JSON.stringify and kept as one Buffer. In the
 * vault document depth 4 is one contact's key list (accounts → account → contacts → contact), one own
 * key, one contact profile: the unit a change usually replaces. Each kept piece includes its leading
 * comma and, in an object, its key (`,"key":value`), so a map of N unchanged members is N Buffers, not
 * 2N; the key is checked on reuse (the same frozen value under another key is serialized anew).
 *
 * Exactness (the file's checksum and MAC cover these bytes, and a test compares them with
 * JSON.stringify): member order is Object.keys order (as JSON.stringify's); undefined, functions and
 * symbols are skipped in objects and written as null in arrays; numbers, strings (lone surrogates,
 * control characters) and everything at leaf depth go through JSON.stringify itself; toJSON is called
 * once, with the member's key, and its result is never cached. Only plain objects and arrays are walked;
 * anything else (a class instance, a boxed primitive) is handed to JSON.stringify whole. Not reproduced:
 * a toJSON whose result itself has a toJSON (JSON.stringify calls only the first; here both run) —
 * nothing in the vault document has a toJSON at all.
 */

export interface JsonChunksOptions {
  /** Depth at which values are serialized whole (see above). */
  leafDepth?: number;
  /** Whether `value`, and all it holds, can never change: only such objects' bytes are kept. */
  isImmutable: (value: object) => boolean;
}

/** The kept bytes of one member: `,` then `"key":` (object member) or nothing (array element, root), then its JSON. */
interface Kept {
  /** The member's key, or undefined for an array element or the root (whose bytes have no key). */
  key: string | undefined;
  chunks: readonly Buffer[];
}

/** What serializing one member gives: text (merged into its container's), its Buffers, or nothing (skipped). */
type Piece = string | readonly Buffer[] | undefined;

export const DEFAULT_LEAF_DEPTH = 4;

export class JsonChunks {
  readonly #kept = new WeakMap<object, Kept>();
  readonly #leafDepth: number;
  readonly #isImmutable: (value: object) => boolean;
  /** How many objects and arrays were serialized (walked, or whole at leaf depth) rather than reused: for tests. */
  serialized = 0;

  constructor(options: JsonChunksOptions) {
    this.#leafDepth = options.leafDepth ?? DEFAULT_LEAF_DEPTH;
    this.#isImmutable = options.isImmutable;
  }

  /**
   * The bytes of JSON.stringify(value), in pieces. Throws what JSON.stringify throws (a cycle, a BigInt),
   * and a TypeError where JSON.stringify would return undefined (value is undefined or a function).
   */
  serialize(value: unknown): Buffer[] {
    const piece = this.#member(undefined, '', value, 0);
    if (piece === undefined) throw new TypeError(`${typeof value} has no JSON text`);
    if (typeof piece === 'string') return [Buffer.from(piece.slice(1), 'utf8')];
    const chunks = piece.slice();
    // Every piece starts with its separating comma; the root has none.
    chunks[0] = (chunks[0] as Buffer).subarray(1);
    return chunks;
  }

  /**
   * One member: `,` + label + the JSON of `value`. `key` is the member's key in its object, undefined
   * for an array element or the root (toJSON then gets the index or '', as from JSON.stringify).
   */
  #member(key: string | undefined, index: string, value: unknown, depth: number): Piece {
    let json: unknown = value;
    let keep = false;
    if (typeof value === 'object' && value !== null) {
      const toJSON = (value as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') json = toJSON.call(value, key ?? index) as unknown;
      else if (this.#isImmutable(value)) {
        keep = true;
        const kept = this.#kept.get(value);
        if (kept !== undefined && kept.key === key) return kept.chunks;
      }
    }
    const label = key === undefined ? ',' : `,${JSON.stringify(key)}:`;
    if (typeof json !== 'object' || json === null || depth >= this.#leafDepth || !isWalkable(json)) {
      const text = JSON.stringify(json) as string | undefined;
      if (text === undefined) return undefined;
      if (typeof json === 'object' && json !== null) this.serialized += 1;
      if (!keep) return label + text;
      return this.#keep(value as object, key, [Buffer.from(label + text, 'utf8')]);
    }
    this.serialized += 1;
    const piece = Array.isArray(json) ? this.#walkArray(label, json as unknown[], depth) : this.#walkObject(label, json as Record<string, unknown>, depth);
    // A container is never skipped (only undefined, functions and symbols are).
    if (!keep || piece === undefined) return piece;
    return this.#keep(value as object, key, typeof piece === 'string' ? [Buffer.from(piece, 'utf8')] : piece);
  }

  #walkObject(label: string, object: Record<string, unknown>, depth: number): Piece {
    const out = new Pieces(`${label}{`);
    // Index loops here and below: for…of allocates while V8 has not optimized the code yet (a few writes).
    const keys = Object.keys(object);
    for (let index = 0; index < keys.length; index++) {
      const key = keys[index] as string;
      out.add(this.#member(key, key, object[key], depth + 1));
    }
    return out.end('}');
  }

  #walkArray(label: string, array: readonly unknown[], depth: number): Piece {
    const out = new Pieces(`${label}[`);
    for (let index = 0; index < array.length; index++) out.add(this.#member(undefined, String(index), array[index], depth + 1) ?? ',null');
    return out.end(']');
  }

  #keep(value: object, key: string | undefined, chunks: readonly Buffer[]): readonly Buffer[] {
    this.#kept.set(value, { key, chunks });
    return chunks;
  }
}

/** Plain objects and arrays (what the vault document is made of); anything else goes to JSON.stringify whole. */
function isWalkable(value: object): boolean {
  if (Array.isArray(value)) return true;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

/**
 * A container's pieces as they are made: text is gathered until a member's Buffers come, so that the
 * small parts between kept members (keys of changed members, brackets) make one Buffer, not many.
 */
class Pieces {
  #text: string;
  #chunks: Buffer[] | undefined;
  #first = true;

  constructor(open: string) {
    this.#text = open;
  }

  add(piece: Piece): void {
    if (piece === undefined) return;
    // The first member has no separating comma.
    const first = this.#first;
    this.#first = false;
    if (typeof piece === 'string') {
      this.#text += first ? piece.slice(1) : piece;
      return;
    }
    const chunks = (this.#chunks ??= []);
    if (this.#text.length > 0) chunks.push(Buffer.from(this.#text, 'utf8'));
    this.#text = '';
    const start = chunks.length;
    for (let index = 0; index < piece.length; index++) chunks.push(piece[index] as Buffer);
    if (first) chunks[start] = (chunks[start] as Buffer).subarray(1);
  }

  /** Text when no member had Buffers, else the Buffers. */
  end(close: string): Piece {
    this.#text += close;
    if (this.#chunks === undefined) return this.#text;
    this.#chunks.push(Buffer.from(this.#text, 'utf8'));
    return this.#chunks;
  }
}
