import { describe, expect, it } from 'vitest';
import {
  LAST_SEEN_RESOLUTION_MS,
  markAccepted,
  markRetracted,
  markUnverified,
  markVerified,
  MAX_CURRENT_KEYS,
  MAX_REVOKED_KEYS,
  MAX_WITHDRAWN_KEYS,
  mergeFullKeySet,
} from '../../../main/vault/contact-keys.js';
import { decideTrust } from '../../../main/keys/trust-policy.js';
import type { TrustPolicy } from '../../../contract/index.js';
import { ContactKeyListSchema, type ContactKeyRecord } from '../../../main/vault/schema.js';

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

describe('bounded storage for a contact’s keys', () => {
  const hex = (n: number) => n.toString(16).padStart(64, '0');
  const seen = (from: number, count: number) => Array.from({ length: count }, (_, i) => ({ fingerprint: hex(from + i) }));

  it('keeps at most 64 published keys, reports the rest as left out, and lets no flood push out a verified key', () => {
    let keys = markVerified(mergeFullKeySet([], [{ fingerprint: hex(1_000) }], day(1)).keys, hex(1_000), day(1));
    // 300 new keys published beside the verified one, listed before it.
    const merged = mergeFullKeySet(keys, [...seen(0, 300), { fingerprint: hex(1_000) }], day(2));
    keys = merged.keys;
    expect(keys).toHaveLength(MAX_CURRENT_KEYS);
    expect(keys[0]).toMatchObject({ fingerprint: hex(1_000), trust: 'verified' });
    expect(keys.slice(1).map((k) => k.fingerprint)).toEqual(seen(0, 63).map((k) => k.fingerprint));
    expect(merged.leftOut).toHaveLength(301 - MAX_CURRENT_KEYS);
    // Additions only: new, never changed.
    expect(merged.changes.every((c) => c.kind === 'new')).toBe(true);
    // A left-out key is still published: the next fetch does not call it withdrawn.
    const again = mergeFullKeySet(keys, [...seen(0, 300), { fingerprint: hex(1_000) }], day(2));
    expect(again.changes).toEqual([]);
    expect(again.keys).toEqual(keys);
  });

  it('keeps the 16 most recently withdrawn keys and drops older ones', () => {
    let keys = mergeFullKeySet([], seen(0, 30), day(1)).keys;
    for (let i = 0; i < 30; i++) keys = markRetracted(keys, hex(i), new Date(day(2).getTime() + i * 1000)).keys;
    expect(keys.map((k) => k.fingerprint)).toEqual(seen(14, 16).map((k) => k.fingerprint));
    expect(keys.length).toBeLessThanOrEqual(MAX_CURRENT_KEYS + MAX_WITHDRAWN_KEYS);
  });

  it('seeing the same keys within the hour changes no record (no write), later it moves last-seen', () => {
    const first = mergeFullKeySet([], seen(0, 3), day(1)).keys;
    const soon = mergeFullKeySet(first, seen(0, 3).reverse(), new Date(day(1).getTime() + LAST_SEEN_RESOLUTION_MS - 1));
    expect(soon).toEqual({ keys: first, changes: [], leftOut: [] });
    const later = mergeFullKeySet(first, seen(0, 3), new Date(day(1).getTime() + LAST_SEEN_RESOLUTION_MS));
    expect(later.keys.map((k) => k.lastSeen)).toEqual(first.map(() => new Date(day(1).getTime() + LAST_SEEN_RESOLUTION_MS).toISOString()));
  });
});

describe('a verified key rotated the usual way: the new key first, the old one withdrawn later', () => {
  const verifiedThenAdded = () => {
    let keys = markVerified(mergeFullKeySet([], [{ fingerprint: fp('a') }], day(1)).keys, fp('a'), day(2));
    keys = mergeFullKeySet(keys, [{ fingerprint: fp('a') }, { fingerprint: fp('b') }], day(3)).keys;
    expect(keys.map((k) => k.trust)).toEqual(['verified', 'unverified']);
    return keys;
  };

  it('a fetch that finds the verified key gone flags the key that came after it as changed', () => {
    const after = mergeFullKeySet(verifiedThenAdded(), [{ fingerprint: fp('b') }], day(4));
    expect(after.keys.map((k) => [k.fingerprint[0], k.trust, k.replaces])).toEqual([
      ['a', 'retracted', undefined],
      ['b', 'changed', [fp('a')]],
    ]);
    expect(after.changes).toEqual([
      { kind: 'retracted', fingerprint: fp('a') },
      { kind: 'changed', fingerprint: fp('b'), replaces: [fp('a')] },
    ]);
  });

  it('a live retract notification of the verified key does the same', () => {
    const after = markRetracted(verifiedThenAdded(), fp('a'), day(4));
    expect(after.keys.find((k) => k.fingerprint === fp('b'))).toMatchObject({ trust: 'changed', replaces: [fp('a')] });
    expect(after.changes).toContainEqual({ kind: 'changed', fingerprint: fp('b'), replaces: [fp('a')] });
  });

  it('withdrawing a key that was never verified flags nothing (tofu already trusted the other)', () => {
    let keys = mergeFullKeySet([], [{ fingerprint: fp('a') }], day(1)).keys;
    keys = mergeFullKeySet(keys, [{ fingerprint: fp('a') }, { fingerprint: fp('b') }], day(3)).keys;
    expect(markRetracted(keys, fp('a'), day(4)).keys.map((k) => k.trust)).toEqual(['retracted', 'unverified']);
  });

  it('a key accepted earlier, or seen before the verified one, is not flagged', () => {
    let keys = mergeFullKeySet([], [{ fingerprint: fp('z') }], day(1)).keys;
    keys = mergeFullKeySet(keys, [{ fingerprint: fp('z') }, { fingerprint: fp('a') }], day(2)).keys;
    keys = markVerified(keys, fp('a'), day(2));
    expect(markRetracted(keys, fp('a'), day(4)).keys.find((k) => k.fingerprint === fp('z'))?.trust).toBe('unverified');
  });
});

describe('taking a verification back, and accepting a changed key', () => {
  it('unverify makes a verified key unverified again; a withdrawn key stays withdrawn', () => {
    const keys = markVerified(mergeFullKeySet([], [{ fingerprint: fp('a') }], day(1)).keys, fp('a'), day(2));
    const back = markUnverified(keys, fp('a'));
    expect(back[0]).toMatchObject({ trust: 'unverified' });
    expect(back[0]?.verifiedAt).toBeUndefined();
    const withdrawn = markRetracted(keys, fp('a'), day(3)).keys;
    expect(markUnverified(withdrawn, fp('a'))[0]?.trust).toBe('retracted');
  });

  it('accepting a changed key clears the warning and remembers when; other keys are untouched', () => {
    let keys = markVerified(mergeFullKeySet([], [{ fingerprint: fp('a') }], day(1)).keys, fp('a'), day(2));
    keys = mergeFullKeySet(keys, [{ fingerprint: fp('c') }], day(3)).keys;
    expect(keys.find((k) => k.fingerprint === fp('c'))?.trust).toBe('changed');
    const accepted = markAccepted(keys, fp('c'), day(4));
    expect(accepted.find((k) => k.fingerprint === fp('c'))).toMatchObject({ trust: 'unverified', acceptedAt: day(4).toISOString() });
    expect(accepted.find((k) => k.fingerprint === fp('c'))?.replaces).toBeUndefined();
    expect(accepted.find((k) => k.fingerprint === fp('a'))?.trust).toBe('retracted');
  });

  it('verifying a verified key again only moves its date, and keeps what the first verification cleared', () => {
    let keys = mergeFullKeySet(mergeFullKeySet([], [{ fingerprint: fp('a') }], day(1)).keys, [{ fingerprint: fp('c') }], day(2)).keys;
    keys = markVerified(markVerified(keys, fp('c'), day(3)), fp('c'), day(4));
    expect(keys.find((k) => k.fingerprint === fp('c'))).toMatchObject({ trust: 'verified', verifiedAt: day(4).toISOString() });
    expect(markUnverified(keys, fp('c')).find((k) => k.fingerprint === fp('c'))).toMatchObject({ trust: 'changed', replaces: [fp('a')] });
  });
});

/**
 * Taking a verification back puts the key where it was before the verification, and the policy judges
 * it as then: each row is what happened to the key (from its first fetch), the policy, and the decision
 * after verify then unverify. The contact's first verification is the one made here (day 5), unless the
 * row verified another key first.
 */
describe('a verification taken back leaves the key as it was before', () => {
  type Path = 'plain' | 'changed' | 'changed, accepted' | 'seen after another key was verified' | 'changed, after another key was verified';
  const history = (path: Path): { keys: ContactKeyRecord[]; firstVerifiedAt: string } => {
    const plain = mergeFullKeySet([], [{ fingerprint: fp('a') }], day(1)).keys;
    const changed = mergeFullKeySet(plain, [{ fingerprint: fp('c') }], day(2)).keys;
    switch (path) {
      case 'plain':
        return { keys: plain, firstVerifiedAt: day(5).toISOString() };
      case 'changed':
        return { keys: changed, firstVerifiedAt: day(5).toISOString() };
      case 'changed, accepted':
        return { keys: markAccepted(changed, fp('c'), day(3)), firstVerifiedAt: day(5).toISOString() };
      case 'seen after another key was verified': {
        const verifiedFirst = markVerified(plain, fp('a'), day(1));
        return { keys: mergeFullKeySet(verifiedFirst, [{ fingerprint: fp('a') }, { fingerprint: fp('c') }], day(2)).keys, firstVerifiedAt: day(1).toISOString() };
      }
      case 'changed, after another key was verified': {
        const verifiedFirst = markVerified(plain, fp('a'), day(1));
        return { keys: mergeFullKeySet(verifiedFirst, [{ fingerprint: fp('c') }], day(2)).keys, firstVerifiedAt: day(1).toISOString() };
      }
    }
  };
  const target = (path: Path) => (path === 'plain' ? fp('a') : fp('c'));
  const ROWS: [Path, TrustPolicy, Partial<ContactKeyRecord>, string][] = [
    ['plain', 'tofu', { trust: 'unverified' }, 'trusted'],
    ['plain', 'btbv', { trust: 'unverified' }, 'trusted'],
    ['changed', 'tofu', { trust: 'changed', replaces: [fp('a')] }, 'changed'],
    ['changed', 'btbv', { trust: 'changed', replaces: [fp('a')] }, 'changed'],
    ['changed, accepted', 'tofu', { trust: 'unverified', acceptedAt: day(3).toISOString() }, 'trusted'],
    ['changed, accepted', 'btbv', { trust: 'unverified', acceptedAt: day(3).toISOString() }, 'trusted'],
    ['seen after another key was verified', 'btbv', { trust: 'unverified' }, 'untrusted'],
    ['seen after another key was verified', 'tofu', { trust: 'unverified' }, 'trusted'],
    ['changed, after another key was verified', 'btbv', { trust: 'changed', replaces: [fp('a')] }, 'changed'],
  ];

  it.each(ROWS)('%s, under %s: verify then unverify gives %o, %s', (path, policy, record, decision) => {
    const { keys, firstVerifiedAt } = history(path);
    const before = keys.find((k) => k.fingerprint === target(path));
    const verified = markVerified(keys, target(path), day(5));
    const shown = verified.find((k) => k.fingerprint === target(path));
    // A verified key shows no change and no acceptance.
    expect(shown).toMatchObject({ trust: 'verified', verifiedAt: day(5).toISOString() });
    expect(shown?.replaces).toBeUndefined();
    expect(shown?.acceptedAt).toBeUndefined();
    expect(ContactKeyListSchema.parse(verified)).toEqual(verified);

    const back = markUnverified(verified, target(path)).find((k) => k.fingerprint === target(path));
    expect(back).toMatchObject(record);
    // Exactly where it was: the same record as before the verification.
    expect(back).toEqual(before);
    expect(decideTrust(policy, back as ContactKeyRecord, { firstVerifiedAt })).toBe(decision);
  });

  it('a key verified in a vault written before the change was kept goes back to plain unverified, as it always did', () => {
    const old = ContactKeyListSchema.parse([{ fingerprint: fp('c'), firstSeen: day(2).toISOString(), lastSeen: day(2).toISOString(), trust: 'verified', verifiedAt: day(3).toISOString() }]);
    expect(markUnverified(old, fp('c'))).toEqual([{ fingerprint: fp('c'), firstSeen: day(2).toISOString(), lastSeen: day(2).toISOString(), trust: 'unverified' }]);
  });

  it('a verified key withdrawn and published again is judged afresh: what its verification cleared is gone', () => {
    const changed = mergeFullKeySet(mergeFullKeySet([], [{ fingerprint: fp('a') }], day(1)).keys, [{ fingerprint: fp('c') }], day(2)).keys;
    const withdrawn = markRetracted(markVerified(changed, fp('c'), day(3)), fp('c'), day(4)).keys;
    const back = mergeFullKeySet(withdrawn, [{ fingerprint: fp('c') }], day(5)).keys.find((k) => k.fingerprint === fp('c'));
    expect(back).toMatchObject({ trust: 'unverified' });
    expect(back?.clearedByVerification).toBeUndefined();
  });
});

describe('a key shown as a change keeps that standing until the user compares or accepts it', () => {
  const tofu = (keys: readonly ContactKeyRecord[], f: string) => {
    const k = keys.find((r) => r.fingerprint === f);
    if (!k) throw new Error(`no record of ${f}`);
    return decideTrust('tofu', k, {});
  };
  const swapped = () => {
    const verified = markVerified(mergeFullKeySet([], [{ fingerprint: fp('a') }], day(1)).keys, fp('a'), day(2));
    const keys = mergeFullKeySet(verified, [{ fingerprint: fp('b') }], day(3)).keys;
    expect(tofu(keys, fp('b'))).toBe('changed');
    return keys;
  };

  it('withdrawn by a retract notification and published again: still changed, naming what it replaced', () => {
    const withdrawn = markRetracted(swapped(), fp('b'), day(4)).keys;
    const back = mergeFullKeySet(withdrawn, [{ fingerprint: fp('b') }], day(5));
    expect(tofu(back.keys, fp('b'))).toBe('changed');
    expect(back.keys.find((k) => k.fingerprint === fp('b'))?.replaces).toEqual([fp('a')]);
  });

  it('gone from one complete fetch (an empty node) and back in the next: still changed', () => {
    const empty = mergeFullKeySet(swapped(), [], day(4)).keys;
    const back = mergeFullKeySet(empty, [{ fingerprint: fp('b') }], day(5)).keys;
    expect(tofu(back, fp('b'))).toBe('changed');
  });

  it('however often it comes and goes', () => {
    let keys = swapped();
    for (let n = 4; n < 12; n += 2) {
      keys = mergeFullKeySet(keys, [], day(n)).keys;
      keys = mergeFullKeySet(keys, [{ fingerprint: fp('b') }], day(n + 1)).keys;
    }
    expect(tofu(keys, fp('b'))).toBe('changed');
  });

  it('accepted, then withdrawn and published again: the acceptance still counts (no warning)', () => {
    const accepted = markAccepted(swapped(), fp('b'), day(4));
    const withdrawn = markRetracted(accepted, fp('b'), day(5)).keys;
    const back = mergeFullKeySet(withdrawn, [{ fingerprint: fp('b') }], day(6)).keys;
    expect(tofu(back, fp('b'))).toBe('trusted');
  });
});

describe('order decisions after the clock jumped back', () => {
  const at = (iso: string) => new Date(iso);
  const find = (keys: readonly ContactKeyRecord[], f: string): ContactKeyRecord => {
    const k = keys.find((r) => r.fingerprint === f);
    if (!k) throw new Error(`no record of ${f}`);
    return k;
  };
  const verifiedOn2026 = () => markVerified(mergeFullKeySet([], [{ fingerprint: fp('a') }], at('2026-11-01T00:00:00Z')).keys, fp('a'), at('2026-11-02T00:00:00Z'));

  it('btbv: a key first seen after the first verification still needs verifying, whatever the clock says', () => {
    // The clock now says 2025: a new key appears beside the verified one.
    const withNew = mergeFullKeySet(verifiedOn2026(), [{ fingerprint: fp('a') }, { fingerprint: fp('b') }], at('2025-01-01T00:00:00Z')).keys;
    expect(decideTrust('btbv', find(withNew, fp('b')), { firstVerifiedAt: '2026-11-02T00:00:00.000Z' })).toBe('untrusted');
  });

  it('btbv: a key seen before the first verification stays trusted, and the service’s word on it counts', () => {
    const keys = mergeFullKeySet([], [{ fingerprint: fp('a') }, { fingerprint: fp('b') }], at('2026-11-01T00:00:00Z')).keys;
    const verified = markVerified(keys, fp('a'), at('2020-01-01T00:00:00Z'));
    expect(decideTrust('btbv', find(verified, fp('b')), { firstVerifiedAt: '2020-01-01T00:00:00.000Z' })).toBe('trusted');
    const told = mergeFullKeySet([], [{ fingerprint: fp('c') }], at('2020-01-01T00:00:00Z'), { contactVerified: true }).keys;
    expect(decideTrust('btbv', find(told, fp('c')), { firstVerifiedAt: '2026-11-02T00:00:00.000Z' })).toBe('untrusted');
  });

  it('tofu: a key that stands in for a withdrawn verified key is a change', () => {
    const beside = mergeFullKeySet(verifiedOn2026(), [{ fingerprint: fp('a') }, { fingerprint: fp('b') }], at('2025-01-01T00:00:00Z')).keys;
    const replaced = mergeFullKeySet(beside, [{ fingerprint: fp('b') }], at('2025-01-02T00:00:00Z'));
    expect(decideTrust('tofu', find(replaced.keys, fp('b')), {})).toBe('changed');
    expect(replaced.changes).toContainEqual({ kind: 'changed', fingerprint: fp('b'), replaces: [fp('a')] });
  });

  it('tofu: a key first seen in the same fetch as the verified one is not a change when it is withdrawn', () => {
    const both = mergeFullKeySet([], [{ fingerprint: fp('a') }, { fingerprint: fp('b') }], at('2026-11-01T00:00:00Z')).keys;
    const verified = markVerified(both, fp('a'), at('2026-11-02T00:00:00Z'));
    expect(find(markRetracted(verified, fp('a'), at('2026-11-03T00:00:00Z')).keys, fp('b')).trust).toBe('unverified');
  });
});

describe('a revocation outlives its key’s withdrawal', () => {
  const revocation = { reason: 'compromised' as const, date: day(1).toISOString(), publicKeyDigest: 'f'.repeat(64) };
  const hex = (n: number) => n.toString(16).padStart(64, '0');
  const withdrawnRecord = (f: string, extra: Partial<ContactKeyRecord> = {}): ContactKeyRecord => ({
    fingerprint: f,
    firstSeen: day(1).toISOString(),
    lastSeen: day(1).toISOString(),
    trust: 'retracted',
    retractedAt: day(2).toISOString(),
    ...extra,
  });

  it('no number of plain keys withdrawn after it pushes out a revoked key', () => {
    let keys = [withdrawnRecord(fp('a'), { revocation })];
    for (let n = 1; n <= MAX_WITHDRAWN_KEYS + 4; n++) {
      keys = mergeFullKeySet(keys, [{ fingerprint: hex(n) }], day(3 + n)).keys;
    }
    keys = mergeFullKeySet(keys, [], day(30)).keys;
    expect(keys.find((k) => k.fingerprint === fp('a'))?.revocation).toEqual(revocation);
    expect(keys.filter((k) => k.revocation === undefined).length).toBe(MAX_WITHDRAWN_KEYS);
  });

  it('a flood of self-revoked keys pushes out only itself: the keys the user relied on, then the earliest seen, stay', () => {
    const relied = withdrawnRecord(fp('b'), { revocation, verifiedAt: day(1).toISOString() });
    const earliest = withdrawnRecord(fp('c'), { revocation });
    const unseen = withdrawnRecord(fp('d'), { revocation, revokedUnseen: true });
    const flood = Array.from({ length: MAX_REVOKED_KEYS + 8 }, (_, n) => withdrawnRecord(hex(n + 1), { revocation, retractedAt: day(20).toISOString() }));
    // The verified one is seen last of all: its having been relied on counts, not when.
    const keys = mergeFullKeySet([earliest, unseen, ...flood, relied], [], day(21)).keys;
    expect(keys.length).toBe(MAX_REVOKED_KEYS);
    expect(keys.map((k) => k.fingerprint)).toEqual(expect.arrayContaining([fp('b'), fp('c')]));
    expect(keys.map((k) => k.fingerprint)).not.toContain(fp('d'));
    expect(keys.map((k) => k.fingerprint)).not.toContain(hex(MAX_REVOKED_KEYS + 8));
  });
});
