/** BoundedMap: a budget over the entries (their number, or their bytes), least recently used evicted first. */
import { describe, expect, it } from 'vitest';
import { BoundedMap } from '../../main/bounded-map.js';

const byLength = () => new BoundedMap<string, string>(10, (value) => value.length);

describe('a bounded map', () => {
  it('evicts the least recently used entries until the new one fits', () => {
    const c = byLength();
    c.set('a', 'aaaa');
    c.set('b', 'bbbb');
    expect(c.get('a')).toBe('aaaa'); // a is now the most recent
    c.set('c', 'cccc');
    expect([c.get('a'), c.get('b'), c.get('c')]).toEqual(['aaaa', undefined, 'cccc']);
    expect(c.used).toBe(8);
  });

  it('replaces an entry without counting it twice, and forgets on delete', () => {
    const c = byLength();
    c.set('a', 'aaaa');
    c.set('a', 'aaaaaa');
    expect(c.used).toBe(6);
    c.delete('a');
    expect([c.used, c.size]).toEqual([0, 0]);
  });

  it('does not keep a value larger than the whole budget, nor evict others for it', () => {
    const c = byLength();
    c.set('a', 'aaaa');
    c.set('huge', 'x'.repeat(11));
    expect([c.get('huge'), c.get('a'), c.used]).toEqual([undefined, 'aaaa', 4]);
  });

  it('counts entries when no weight is given; has() does not make an entry recent', () => {
    const c = new BoundedMap<string, number>(2);
    c.set('a', 1);
    c.set('b', 2);
    expect(c.has('a')).toBe(true);
    c.set('c', 3);
    expect([c.has('a'), c.get('b'), c.get('c'), c.size]).toEqual([false, 2, 3, 2]);
  });

  it('lists its keys and values least recently used first, without making any recent', () => {
    const c = new BoundedMap<string, number>(3);
    c.set('a', 1);
    c.set('b', 2);
    c.set('c', 3);
    c.get('a');
    expect([...c.keys()]).toEqual(['b', 'c', 'a']);
    expect([...c.values()]).toEqual([2, 3, 1]);
    expect(c.oldest()).toBe('b');
    c.set('d', 4); // b, still the oldest, goes
    expect([...c.keys()]).toEqual(['c', 'a', 'd']);
  });
});
