/** ByteBoundedCache: a byte budget over the entries, least recently used evicted first. */
import { describe, expect, it } from 'vitest';
import { ByteBoundedCache } from '../../../main/profile/bounded-cache.js';

const cache = () => new ByteBoundedCache<string, string>(10, (value) => value.length);

describe('a byte-bounded cache', () => {
  it('evicts the least recently used entries until the new one fits', () => {
    const c = cache();
    c.set('a', 'aaaa');
    c.set('b', 'bbbb');
    expect(c.get('a')).toBe('aaaa'); // a is now the most recent
    c.set('c', 'cccc');
    expect([c.get('a'), c.get('b'), c.get('c')]).toEqual(['aaaa', undefined, 'cccc']);
    expect(c.bytes).toBe(8);
  });

  it('replaces an entry without counting it twice, and forgets on delete', () => {
    const c = cache();
    c.set('a', 'aaaa');
    c.set('a', 'aaaaaa');
    expect(c.bytes).toBe(6);
    c.delete('a');
    expect([c.bytes, c.size]).toEqual([0, 0]);
  });

  it('does not keep a value larger than the whole budget, nor evict others for it', () => {
    const c = cache();
    c.set('a', 'aaaa');
    c.set('huge', 'x'.repeat(11));
    expect([c.get('huge'), c.get('a'), c.bytes]).toEqual([undefined, 'aaaa', 4]);
  });
});
