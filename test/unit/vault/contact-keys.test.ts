import { describe, expect, it } from 'vitest';
import { markRetracted, markVerified, mergeFullKeySet } from '../../../main/vault/contact-keys.js';
import type { ContactKeyRecord } from '../../../main/vault/schema.js';

const fp = (c: string) => c.repeat(64);
const day = (n: number) => new Date(Date.UTC(2026, 10, n));

describe('trust on first use for a contact’s keys', () => {
  it('a first key is unverified, and seeing it again only updates last-seen', () => {
    const first = mergeFullKeySet([], [{ fingerprint: fp('a') }], day(1));
    expect(first.keys).toMatchObject([{ fingerprint: fp('a'), trust: 'unverified', firstSeen: day(1).toISOString() }]);
    expect(first.changes).toEqual([{ kind: 'new', fingerprint: fp('a') }]);

    const again = mergeFullKeySet(first.keys, [{ fingerprint: fp('a') }], day(5));
    expect(again.keys).toMatchObject([{ trust: 'unverified', firstSeen: day(1).toISOString(), lastSeen: day(5).toISOString() }]);
    expect(again.changes).toEqual([]);
  });

  it('a second key published beside the first is new, not a change', () => {
    const known = mergeFullKeySet([], [{ fingerprint: fp('a') }], day(1)).keys;
    const both = mergeFullKeySet(known, [{ fingerprint: fp('a') }, { fingerprint: fp('b') }], day(2));
    expect(both.keys.map((k) => [k.fingerprint[0], k.trust])).toEqual([
      ['a', 'unverified'],
      ['b', 'unverified'],
    ]);
  });

  it('a key that replaces a verified one is flagged as changed, loudly, naming what it replaced', () => {
    let keys: ContactKeyRecord[] = mergeFullKeySet([], [{ fingerprint: fp('a') }], day(1)).keys;
    keys = markVerified(keys, fp('a'), day(2));
    expect(keys[0]?.trust).toBe('verified');

    const swapped = mergeFullKeySet(keys, [{ fingerprint: fp('c') }], day(3));
    expect(swapped.changes).toEqual([
      { kind: 'retracted', fingerprint: fp('a') },
      { kind: 'changed', fingerprint: fp('c'), replaces: [fp('a')] },
    ]);
    expect(swapped.keys.find((k) => k.fingerprint === fp('c'))).toMatchObject({ trust: 'changed', replaces: [fp('a')] });
    expect(swapped.keys.find((k) => k.fingerprint === fp('a'))).toMatchObject({ trust: 'retracted' });
  });

  it('a key published after the old one was retracted (notification first, fetch later) is still a change', () => {
    let keys = markVerified(mergeFullKeySet([], [{ fingerprint: fp('a') }], day(1)).keys, fp('a'), day(1));
    keys = markRetracted(keys, fp('a'), day(2)).keys;
    const next = mergeFullKeySet(keys, [{ fingerprint: fp('n') }], day(3));
    expect(next.keys.find((k) => k.fingerprint === fp('n'))).toMatchObject({ trust: 'changed', replaces: [fp('a')] });
    // But a key added while another known key is still published is only new.
    const added = mergeFullKeySet(next.keys, [{ fingerprint: fp('n') }, { fingerprint: fp('m') }], day(4));
    expect(added.keys.find((k) => k.fingerprint === fp('m'))?.trust).toBe('unverified');
  });

  it('a changed key becomes verified only when the user compares it', () => {
    const keys = mergeFullKeySet(mergeFullKeySet([], [{ fingerprint: fp('a') }], day(1)).keys, [{ fingerprint: fp('c') }], day(2)).keys;
    const verified = markVerified(keys, fp('c'), day(3));
    const c = verified.find((k) => k.fingerprint === fp('c'));
    expect(c).toMatchObject({ trust: 'verified', verifiedAt: day(3).toISOString() });
    expect(c?.replaces).toBeUndefined();
    // A retracted key cannot be marked verified.
    expect(markVerified(verified, fp('a'), day(3)).find((k) => k.fingerprint === fp('a'))?.trust).toBe('retracted');
  });

  it('a retract notification marks only that key, once', () => {
    const keys = mergeFullKeySet([], [{ fingerprint: fp('a') }, { fingerprint: fp('b') }], day(1)).keys;
    const retracted = markRetracted(keys, fp('a'), day(2));
    expect(retracted.changes).toEqual([{ kind: 'retracted', fingerprint: fp('a') }]);
    expect(retracted.keys.map((k) => k.trust)).toEqual(['retracted', 'unverified']);
    expect(markRetracted(retracted.keys, fp('a'), day(3)).changes).toEqual([]);
    expect(markRetracted(retracted.keys, fp('z'), day(3)).changes).toEqual([]);
  });

  it('a retracted key that comes back is not trusted again silently', () => {
    const keys = markRetracted(mergeFullKeySet([], [{ fingerprint: fp('a') }], day(1)).keys, fp('a'), day(2)).keys;
    const back = mergeFullKeySet(keys, [{ fingerprint: fp('a') }], day(3));
    expect(back.changes).toEqual([{ kind: 'reappeared', fingerprint: fp('a') }]);
    expect(back.keys[0]).toMatchObject({ trust: 'unverified' });
    expect(back.keys[0]?.retractedAt).toBeUndefined();
  });

  it('does not modify the records it was given', () => {
    const keys = mergeFullKeySet([], [{ fingerprint: fp('a') }], day(1)).keys;
    const snapshot = structuredClone(keys);
    mergeFullKeySet(keys, [{ fingerprint: fp('b') }], day(2));
    markVerified(keys, fp('a'), day(2));
    markRetracted(keys, fp('a'), day(2));
    expect(keys).toEqual(snapshot);
  });
});
