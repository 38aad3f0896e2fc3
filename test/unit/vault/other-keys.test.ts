/**
 * Change detection for other apps' keys (main/vault/other-keys.ts), trust on first use: what a reading
 * makes of the stored records, and which states the contact view then shows.
 */
import { describe, expect, it } from 'vitest';
import { OTHER_KEY_LIMITS } from '../../../contract/limits.js';
import { decideTrust } from '../../../main/keys/trust-policy.js';
import { LAST_SEEN_RESOLUTION_MS, mergeReading, staleness, stateOf, type Reading, type Sighting } from '../../../main/vault/other-keys.js';
import { historyOf, verifyFingerprint } from '../../../main/vault/other-keys-trust.js';
import type { OtherKeysRecord } from '../../../main/vault/schema.js';

import { DAY, FP_A, FP_B, PGP_1, PGP_2, T0 } from './other-keys-fixtures.js';

const later = (ms: number) => new Date(T0.getTime() + ms);

function read(stored: OtherKeysRecord | undefined, reading: Reading, at: Date) {
  return mergeReading(stored, reading, at);
}

describe('other apps’ keys: trust on first use and change warnings', () => {
  it('trusts what the first reading finds: every device and key is known, nothing warns', () => {
    const first = read(undefined, { omemo: [{ protocol: 'omemo', deviceId: 7, fingerprint: FP_A }], openpgp: [{ protocol: 'openpgp', fingerprint: PGP_1 }] }, T0);
    expect(first.changes).toEqual([]);
    expect(first.dirty).toBe(true);
    expect(first.record.keys.map((k) => stateOf(k, first.record, T0))).toEqual(['known', 'known']);
  });

  it('warns when a device id comes back with another identity key, naming the old fingerprint', () => {
    const first = read(undefined, { omemo: [{ protocol: 'omemo', deviceId: 7, fingerprint: FP_A }] }, T0);
    const second = read(first.record, { omemo: [{ protocol: 'omemo', deviceId: 7, fingerprint: FP_B }] }, later(DAY));
    expect(second.changes).toEqual([{ kind: 'changed', protocol: 'omemo', deviceId: 7, fingerprint: FP_B, previous: [FP_A] }]);
    const [device] = second.record.keys;
    expect(device && stateOf(device, second.record, later(DAY))).toBe('changed');
    expect(device?.fingerprint).toBe(FP_B);
  });

  it('still warns when the bundle was taken away first and another identity key published later', () => {
    const first = read(undefined, { omemo: [{ protocol: 'omemo', deviceId: 7, fingerprint: FP_A }] }, T0);
    const blank = read(first.record, { omemo: [{ protocol: 'omemo', deviceId: 7, fingerprint: '' }] }, later(DAY));
    expect(blank.changes).toEqual([]);
    expect(blank.record.keys[0]?.fingerprint).toBe(FP_A);
    const swapped = read(blank.record, { omemo: [{ protocol: 'omemo', deviceId: 7, fingerprint: FP_B }] }, later(2 * DAY));
    expect(swapped.changes.map((c) => c.kind)).toEqual(['changed']);
  });

  it('a device added after the first reading is new (for a week), then known; the same id in the other OMEMO version is another device', () => {
    const first = read(undefined, { omemo: [{ protocol: 'omemo', deviceId: 7, fingerprint: FP_A }], omemo2: [] }, T0);
    const second = read(
      first.record,
      { omemo: [{ protocol: 'omemo', deviceId: 7, fingerprint: FP_A }], omemo2: [{ protocol: 'omemo2', deviceId: 7, fingerprint: FP_B }] },
      later(DAY),
    );
    expect(second.changes).toEqual([{ kind: 'new', protocol: 'omemo2', deviceId: 7, fingerprint: FP_B }]);
    const added = second.record.keys.find((k) => k.protocol === 'omemo2');
    expect(added && stateOf(added, second.record, later(2 * DAY))).toBe('new');
    expect(added && stateOf(added, second.record, later((OTHER_KEY_LIMITS.newForDays + 2) * DAY))).toBe('known');
  });

  it('a device the list no longer names is removed, and reappears if listed again', () => {
    const first = read(undefined, { omemo: [{ protocol: 'omemo', deviceId: 7, fingerprint: FP_A }, { protocol: 'omemo', deviceId: 8, fingerprint: FP_B }] }, T0);
    const second = read(first.record, { omemo: [{ protocol: 'omemo', deviceId: 7, fingerprint: FP_A }] }, later(DAY));
    expect(second.changes).toEqual([{ kind: 'removed', protocol: 'omemo', deviceId: 8, fingerprint: FP_B }]);
    const gone = second.record.keys.find((k) => k.deviceId === 8);
    expect(gone && stateOf(gone, second.record, later(DAY))).toBe('removed');
    const third = read(second.record, { omemo: [{ protocol: 'omemo', deviceId: 7, fingerprint: FP_A }, { protocol: 'omemo', deviceId: 8, fingerprint: FP_B }] }, later(2 * DAY));
    expect(third.changes.map((c) => c.kind)).toEqual(['reappeared']);
  });

  it('a list that could not be read (server unreachable, refused) removes nothing', () => {
    const first = read(undefined, { omemo: [{ protocol: 'omemo', deviceId: 7, fingerprint: FP_A }] }, T0);
    const second = read(first.record, {}, later(DAY));
    expect(second.changes).toEqual([]);
    expect(second.record.keys[0]?.removedAt).toBeUndefined();
  });

  it('a first reading that could read no list writes nothing; the first that reads one is still first use', () => {
    // Every list refused, failed or unreachable (a sign-in reading 5,000 contacts whose server answers none).
    const unread = read(undefined, {}, T0);
    expect(unread.dirty).toBe(false);
    expect(unread.changes).toEqual([]);
    const first = read(undefined, { omemo: [{ protocol: 'omemo', deviceId: 7, fingerprint: FP_A }] }, later(DAY));
    expect(first.dirty).toBe(true);
    expect(first.record.keys.map((k) => stateOf(k, first.record, later(DAY)))).toEqual(['known']);
    // An account that publishes nothing was read: that is a first reading, and what comes later is new.
    const none = read(undefined, { omemo: [], omemo2: [], openpgp: [] }, T0);
    expect(none.dirty).toBe(true);
  });

  it('an OpenPGP key that takes the place of one that left the list in the same reading is a change', () => {
    const first = read(undefined, { openpgp: [{ protocol: 'openpgp', fingerprint: PGP_1 }] }, T0);
    const second = read(first.record, { openpgp: [{ protocol: 'openpgp', fingerprint: PGP_2 }] }, later(DAY));
    expect(second.changes).toEqual([
      { kind: 'removed', protocol: 'openpgp', fingerprint: PGP_1 },
      { kind: 'changed', protocol: 'openpgp', fingerprint: PGP_2, previous: [PGP_1] },
    ]);
  });

  it('an OpenPGP key whose User IDs do not name the account is recorded so, untrusted even once verified; a later reading that finds its User ID clears it', () => {
    const pgp = (namesAccount?: boolean): Sighting => ({ protocol: 'openpgp', fingerprint: PGP_1, ...(namesAccount === undefined ? {} : { namesAccount }) });
    const first = read(undefined, { openpgp: [pgp(false)] }, T0);
    const stored = first.record.keys[0];
    expect(stored?.forAnotherAddress).toBe(true);
    expect(stored && decideTrust('tofu', historyOf(stored), {})).toBe('untrusted');
    // A fingerprint compared anyway does not make it the contact's.
    const compared = verifyFingerprint(first.record, PGP_1, later(1000));
    expect(compared.matched).toBe(false);
    // Its data not read this time: nothing known about its User IDs, nothing changes.
    const unread = read(first.record, { openpgp: [pgp()] }, later(DAY));
    expect(unread.record.keys[0]?.forAnotherAddress).toBe(true);
    // The owner added the User ID (the fingerprint stays): the key is judged as any other.
    const fixed = read(unread.record, { openpgp: [pgp(true)] }, later(2 * DAY));
    expect(fixed.dirty).toBe(true);
    expect(fixed.record.keys[0]?.forAnotherAddress).toBeUndefined();
    expect(fixed.record.keys[0] && decideTrust('tofu', historyOf(fixed.record.keys[0]), {})).toBe('trusted');
  });

  it('an added OpenPGP key beside the old one is new, not a change', () => {
    const first = read(undefined, { openpgp: [{ protocol: 'openpgp', fingerprint: PGP_1 }] }, T0);
    const second = read(first.record, { openpgp: [{ protocol: 'openpgp', fingerprint: PGP_1 }, { protocol: 'openpgp', fingerprint: PGP_2 }] }, later(DAY));
    expect(second.changes).toEqual([{ kind: 'new', protocol: 'openpgp', fingerprint: PGP_2 }]);
  });

  it('an OpenPGP key swapped in two readings (the list emptied, then another key listed) is a change too', () => {
    const first = read(undefined, { openpgp: [{ protocol: 'openpgp', fingerprint: PGP_1 }] }, T0);
    const verified = verifyFingerprint(first.record, PGP_1, later(1)).record;
    const emptied = read(verified, { openpgp: [] }, later(DAY));
    const swapped = read(emptied.record, { openpgp: [{ protocol: 'openpgp', fingerprint: PGP_2 }] }, later(DAY + 60_000));
    expect(swapped.changes).toEqual([{ kind: 'changed', protocol: 'openpgp', fingerprint: PGP_2, previous: [PGP_1] }]);
    const key = swapped.record.keys.find((k) => k.fingerprint === PGP_2);
    expect(key && stateOf(key, swapped.record, later(DAY + 60_000))).toBe('changed');
    expect(key && decideTrust('tofu', historyOf(key), {})).toBe('changed');
  });

  it('a key listed again beside a new one is no swap: the new one is new', () => {
    const first = read(undefined, { openpgp: [{ protocol: 'openpgp', fingerprint: PGP_1 }] }, T0);
    const emptied = read(first.record, { openpgp: [] }, later(DAY));
    const both = read(emptied.record, { openpgp: [{ protocol: 'openpgp', fingerprint: PGP_1 }, { protocol: 'openpgp', fingerprint: PGP_2 }] }, later(2 * DAY));
    expect(both.changes).toEqual([
      { kind: 'reappeared', protocol: 'openpgp', fingerprint: PGP_1 },
      { kind: 'new', protocol: 'openpgp', fingerprint: PGP_2 },
    ]);
  });

  it('an OMEMO device removed, then listed again with another identity key, is a change (its record keeps the old key)', () => {
    const first = read(undefined, { omemo: [{ protocol: 'omemo', deviceId: 7, fingerprint: FP_A }] }, T0);
    const emptied = read(first.record, { omemo: [] }, later(DAY));
    const back = read(emptied.record, { omemo: [{ protocol: 'omemo', deviceId: 7, fingerprint: FP_B }] }, later(2 * DAY));
    expect(back.changes.map((c) => c.kind)).toEqual(['reappeared', 'changed']);
    const device = back.record.keys[0];
    expect(device && stateOf(device, back.record, later(2 * DAY))).toBe('changed');
  });

  it('the same reading within the hour writes nothing (lastSeen kept to the hour)', () => {
    const reading: Reading = { omemo: [{ protocol: 'omemo', deviceId: 7, fingerprint: FP_A, bundleDigest: 'd1' }] };
    const first = read(undefined, reading, T0);
    expect(read(first.record, reading, later(LAST_SEEN_RESOLUTION_MS / 2)).dirty).toBe(false);
    expect(read(first.record, reading, later(LAST_SEEN_RESOLUTION_MS)).dirty).toBe(true);
  });

  it('keeps at most the most recent removed devices, however many come and go', () => {
    let record = read(undefined, { omemo: [] }, T0).record;
    for (let i = 1; i <= 100; i++) {
      record = read(record, { omemo: [{ protocol: 'omemo', deviceId: i, fingerprint: FP_A }] }, later(i * LAST_SEEN_RESOLUTION_MS)).record;
    }
    expect(record.keys.filter((k) => k.removedAt !== undefined)).toHaveLength(OTHER_KEY_LIMITS.removedKeys);
    expect(record.keys.filter((k) => k.removedAt === undefined).map((k) => k.deviceId)).toEqual([100]);
  });

  describe('a flood of throw-away devices, listed and dropped, does not erase a device the user relied on', () => {
    const junk = (from: number, fingerprint: string): Sighting[] =>
      Array.from({ length: OTHER_KEY_LIMITS.removedKeys * 4 }, (_, i) => ({ protocol: 'omemo' as const, deviceId: from + i, fingerprint }));
    /** Device 7 leaves with `flood` in its place, the list is emptied, device 7 comes back with another key. */
    function floodedThenBack(start: OtherKeysRecord, flood: Sighting[]) {
      const flooded = read(start, { omemo: flood }, later(DAY)).record;
      const emptied = read(flooded, { omemo: [] }, later(2 * DAY)).record;
      return read(emptied, { omemo: [{ protocol: 'omemo', deviceId: 7, fingerprint: FP_B }] }, later(3 * DAY));
    }

    it.each([
      ['without an identity key', ''],
      ['each with an identity key', FP_A.replace(/^a/, 'c')],
    ])('a verified device comes back as CHANGED after %s', (_what, fingerprint) => {
      const first = read(undefined, { omemo: [{ protocol: 'omemo', deviceId: 7, fingerprint: FP_A }] }, T0);
      const verified = verifyFingerprint(first.record, FP_A, later(1)).record;
      const back = floodedThenBack(verified, junk(1000, fingerprint));
      const device = back.record.keys.find((k) => k.deviceId === 7);
      expect(device && stateOf(device, back.record, later(3 * DAY))).toBe('changed');
      expect(device && decideTrust('tofu', historyOf(device), {})).toBe('changed');
      expect(device?.previous).toEqual([FP_A]);
    });

    it('a device trusted on first use (never verified) comes back as CHANGED too', () => {
      const first = read(undefined, { omemo: [{ protocol: 'omemo', deviceId: 7, fingerprint: FP_A }] }, T0);
      const back = floodedThenBack(first.record, junk(1000, FP_B));
      const device = back.record.keys.find((k) => k.deviceId === 7);
      expect(device && stateOf(device, back.record, later(3 * DAY))).toBe('changed');
    });

    it('the removed records stay bounded: of many verified ones, the most recently removed are kept', () => {
      let record = read(undefined, { omemo: [] }, T0).record;
      const count = OTHER_KEY_LIMITS.removedKeys + 4;
      for (let id = 1; id <= count; id++) {
        const at = later(id * DAY);
        const fingerprint = id.toString(16).padStart(64, '0');
        record = read(record, { omemo: [{ protocol: 'omemo', deviceId: id, fingerprint }] }, at).record;
        record = verifyFingerprint(record, fingerprint, at).record;
      }
      record = read(record, { omemo: junk(1000, FP_B) }, later((count + 1) * DAY)).record;
      record = read(record, { omemo: [] }, later((count + 2) * DAY)).record;
      const kept = record.keys.map((k) => k.deviceId);
      expect(kept).toHaveLength(OTHER_KEY_LIMITS.removedKeys);
      expect(kept).toEqual(Array.from({ length: OTHER_KEY_LIMITS.removedKeys }, (_, i) => count - OTHER_KEY_LIMITS.removedKeys + 1 + i));
    });
  });

  it('an own device is stale with no bundle, or when its bundle has not changed for the stale period', () => {
    const first = read(undefined, { omemo: [{ protocol: 'omemo', deviceId: 7, fingerprint: FP_A, bundleDigest: 'd1' }] }, T0);
    const device = first.record.keys[0];
    if (!device) throw new Error('no device');
    expect(staleness(device, false, T0)).toBe('no-bundle');
    expect(staleness(device, true, later(DAY))).toBeUndefined();
    expect(staleness(device, true, later(OTHER_KEY_LIMITS.staleAfterDays * DAY))).toBe('quiet');
    // A new bundle (prekeys used, signed prekey rotated) shows the device is in use.
    const used = read(first.record, { omemo: [{ protocol: 'omemo', deviceId: 7, fingerprint: FP_A, bundleDigest: 'd2' }] }, later((OTHER_KEY_LIMITS.staleAfterDays - 1) * DAY));
    const again = used.record.keys[0];
    expect(again && staleness(again, true, later(OTHER_KEY_LIMITS.staleAfterDays * DAY))).toBeUndefined();
  });
});
