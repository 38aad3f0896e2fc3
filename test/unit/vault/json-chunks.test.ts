/**
 * json-chunks.ts: the pieces it makes are, joined, exactly JSON.stringify's bytes (edge values, random
 * documents, random copy-on-write changes between serializations), and a part that did not change is
 * not serialized again.
 */
import { describe, expect, it } from 'vitest';
import { deepFreeze, isDeeplyFrozen } from '../../../main/vault/deep-freeze.js';
import { JsonChunks } from '../../../main/vault/json-chunks.js';
import { prng } from '../../support/prng.js';

const joined = (chunks: readonly Buffer[]): string => Buffer.concat(chunks).toString('latin1');
const expected = (value: unknown): string => Buffer.from(JSON.stringify(value), 'utf8').toString('latin1');
const chunker = (leafDepth?: number): JsonChunks => new JsonChunks({ isImmutable: isDeeplyFrozen, ...(leafDepth === undefined ? {} : { leafDepth }) });

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

/** Everything JSON.stringify treats specially, at several depths. */
function edgeDocument(): Record<string, unknown> {
  const nullProto = Object.create(null) as Record<string, unknown>;
  nullProto.a = 1;
  const proto: Record<string, unknown> = {};
  Object.defineProperty(proto, '__proto__', { value: { own: true }, enumerable: true, configurable: true, writable: true });
  const hidden = { shown: 1 };
  Object.defineProperty(hidden, 'hidden', { value: 2, enumerable: false });
  // eslint-disable-next-line no-sparse-arrays
  const sparse = [1, , 3];
  const leaf = {
    unicode: 'Ромео и Джульетта 💌 é',
    lone: '\ud800 x \udfff \udbff\udc00',
    control: '\u0000\u0001\b\f\n\r\t\u001f\u007f\u0080',
    script: '</script><!-- "quotes" \\back\\ /',
    separators: '\u2028\u2029',
    emptyObject: {},
    emptyArray: [],
    emptyString: '',
    numbers: [-0, 0, 1e21, 1e-7, -1.5e-10, 123456789012345680000, Number.MAX_SAFE_INTEGER, 5e-324, NaN, Infinity, -Infinity],
    booleans: [true, false, null],
    skipped: { u: undefined, f: () => 1, s: Symbol('s'), kept: 1 },
    inArray: [undefined, () => 1, Symbol('s')],
    date: new Date(Date.UTC(2026, 11, 3, 5, 20)),
    withKey: { toJSON: (key: string) => `toJSON got "${key}"` },
    toUndefined: { toJSON: () => undefined },
    toObject: { toJSON: () => ({ made: [1, { deep: 'x' }] }) },
    boxed: [new String('s'), new Number(-0), new Boolean(false)],
    instance: new Point(1, 2),
    nullProto,
    proto,
    hidden,
    sparse,
    '': 'empty key',
    'ключ "quoted" \ud800': 'key escaping',
    '10': 'integer-like key comes first',
  };
  return { ...leaf, nested: { level: { ...leaf, deeper: { ...leaf, deepest: { ...leaf } } } }, list: [leaf, [leaf, [leaf]]] };
}

describe('json-chunks', () => {
  it('joins to exactly JSON.stringify for edge values, frozen or not, at any leaf depth', () => {
    for (const leafDepth of [0, 1, 2, 3, 4, 8]) {
      const plain = edgeDocument();
      expect(joined(chunker(leafDepth).serialize(plain)), `leaf depth ${leafDepth}`).toBe(expected(plain));
      const frozen = deepFreeze(edgeDocument());
      const chunks = chunker(leafDepth);
      expect(joined(chunks.serialize(frozen)), `leaf depth ${leafDepth}, frozen`).toBe(expected(frozen));
      // The second time from what was kept.
      expect(joined(chunks.serialize(frozen)), `leaf depth ${leafDepth}, frozen, again`).toBe(expected(frozen));
    }
  });

  it('serializes top-level primitives and refuses what has no JSON text, as JSON.stringify', () => {
    for (const value of ['x\ud800', 0, -0, 1e21, null, true, [], {}]) expect(joined(chunker().serialize(value))).toBe(expected(value));
    expect(() => chunker().serialize(undefined)).toThrow(TypeError);
    expect(() => chunker().serialize({ n: 1n })).toThrow(TypeError);
    const cycle: Record<string, unknown> = {};
    cycle.self = { again: { and: { again: { cycle } } } };
    expect(() => chunker().serialize(cycle)).toThrow(TypeError);
  });

  it('matches JSON.stringify on random documents changed copy-on-write between serializations', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const random = prng(seed);
      const chunks = chunker(1 + random.int(5));
      let document: Record<string, unknown> = deepFreeze({ root: randomValue(random, 0) });
      for (let step = 0; step < 25; step++) {
        expect(joined(chunks.serialize(document)), `seed ${seed}, step ${step}`).toBe(expected(document));
        document = deepFreeze(changedCopy(random, document));
      }
    }
  });

  it('does not serialize again the parts of a frozen document a change left as they were', () => {
    const contacts = Object.fromEntries(Array.from({ length: 500 }, (_, n) => [`contact-${n}@capulet.lit`, [{ fingerprint: 'ab'.repeat(32), trust: 'unverified' }]]));
    const account = { jid: 'romeo@montague.lit', settings: { host: 'montague.lit' }, ownKeys: [{ fingerprint: 'cd'.repeat(32) }], contacts };
    const before = deepFreeze({ protection: { kind: 'keychain', wrappedKey: 'x' }, accounts: { 'romeo@montague.lit': account } });
    const chunks = chunker();
    chunks.serialize(before);
    const first = chunks.serialized;
    expect(first).toBeGreaterThan(500);

    // One contact changed, copy-on-write as vault.ts applyParts does.
    const changed = [{ fingerprint: 'ef'.repeat(32), trust: 'verified' }];
    const after = deepFreeze({
      ...before,
      accounts: { 'romeo@montague.lit': { ...account, contacts: { ...contacts, 'contact-7@capulet.lit': changed } } },
    });
    chunks.serialize(after);
    // The document, accounts, the account, its contacts map (walked anew) and the one changed contact.
    expect(chunks.serialized - first).toBe(5);
    expect(joined(chunks.serialize(after))).toBe(expected(after));
    expect(chunks.serialized - first).toBe(5);
  });

  it('serializes anew what is not deep-frozen (it could have changed in place)', () => {
    const chunks = chunker();
    const document = { accounts: { a: { contacts: { c: [{ trust: 'unverified' }] } } } };
    chunks.serialize(document);
    const first = chunks.serialized;
    (document.accounts.a.contacts.c[0] as { trust: string }).trust = 'verified';
    expect(joined(chunks.serialize(document))).toBe(expected(document));
    expect(chunks.serialized).toBe(2 * first);
  });

  it('does not reuse a kept value under another key', () => {
    const shared = deepFreeze([{ k: 1 }]);
    const chunks = chunker(1);
    const document = deepFreeze({ a: shared, b: { c: shared }, d: [shared, shared] });
    expect(joined(chunks.serialize(document))).toBe(expected(document));
    expect(joined(chunks.serialize(deepFreeze({ z: shared, ...document })))).toBe(expected({ z: shared, ...document }));
  });
});

const STRINGS = ['', 'a', 'Ромео', '💌', '\ud800', '\u0000', '"', '\\', '</script>', '\u2028', 'contact@capulet.lit', '__proto__', 'toString'];
const NUMBERS = [0, -0, 1, -1, 1.5, 1e21, 1e-7, NaN, Infinity, 2 ** 53, -123.456];

function randomValue(random: ReturnType<typeof prng>, depth: number): unknown {
  const kind = random.int(depth > 4 ? 5 : 8);
  const pick = <T>(list: readonly T[]): T => list[random.int(list.length)] as T;
  switch (kind) {
    case 0:
      return pick(STRINGS) + pick(STRINGS);
    case 1:
      return pick(NUMBERS);
    case 2:
      return pick([true, false, null]);
    case 3:
      return pick([undefined, 'x', 2]);
    case 4:
      return `${random.int(1000)}`;
    case 5:
    case 6: {
      const object: Record<string, unknown> = {};
      for (let n = random.int(6); n > 0; n--) {
        Object.defineProperty(object, pick(STRINGS) + String(random.int(3)), { value: randomValue(random, depth + 1), enumerable: true, writable: true, configurable: true });
      }
      return object;
    }
    default:
      return Array.from({ length: random.int(5) }, () => randomValue(random, depth + 1));
  }
}

/** A copy of `document` with one value somewhere inside replaced, every object on the way copied. */
function changedCopy(random: ReturnType<typeof prng>, document: Record<string, unknown>): Record<string, unknown> {
  const copy = (node: unknown, depth: number): unknown => {
    if (typeof node !== 'object' || node === null || random.int(4) === 0) return randomValue(random, depth);
    if (Array.isArray(node)) {
      const next = [...(node as unknown[])];
      if (next.length === 0 || random.int(5) === 0) next.push(randomValue(random, depth + 1));
      else {
        const index = random.int(next.length);
        next[index] = copy(next[index], depth + 1);
      }
      return next;
    }
    const next = { ...(node as Record<string, unknown>) };
    const keys = Object.keys(next);
    if (keys.length === 0 || random.int(5) === 0) next[`new${random.int(100)}`] = randomValue(random, depth + 1);
    else if (random.int(6) === 0) delete next[keys[random.int(keys.length)] as string];
    else {
      const key = keys[random.int(keys.length)] as string;
      next[key] = copy(next[key], depth + 1);
    }
    return next;
  };
  const changed = copy(document, 0);
  return typeof changed === 'object' && changed !== null && !Array.isArray(changed) ? (changed as Record<string, unknown>) : { value: changed };
}
