/**
 * Trust for other apps' keys (main/vault/other-keys-trust.ts): the same policy table as X.509 keys
 * (main/keys/trust-policy.ts), applied to OMEMO devices and OpenPGP keys as change detection records
 * them (main/vault/other-keys.ts), and what verifying, taking a verification back and accepting do to
 * the records.
 */
import { describe, expect, it } from 'vitest';
import { openMismatches } from '../../../contract/comparison.js';
import type { KeyTrustDecision, TrustPolicy } from '../../../contract/index.js';
import { decideTrust } from '../../../main/keys/trust-policy.js';
import { mergeReading, stateOf, type Reading } from '../../../main/vault/other-keys.js';
import { acceptFingerprint, historyOf, unverifyFingerprint, verifyFingerprint } from '../../../main/vault/other-keys-trust.js';
import { OtherKeysOfAccount, type OtherKeysRecord } from '../../../main/vault/schema.js';

import { DAY, FP_A, FP_B, PGP_1, PGP_2, T0 } from './other-keys-fixtures.js';

const at = (days: number) => new Date(T0.getTime() + days * DAY);

const device = (fingerprint: string): Reading => ({ omemo: [{ protocol: 'omemo', deviceId: 7, fingerprint }] });
const pgp = (fingerprint: string): Reading => ({ openpgp: [{ protocol: 'openpgp', fingerprint }] });

/** Readings (and the user's decisions) in turn, one a day from T0; the record as it ends. */
type Step = Reading | { verify: string } | { unverify: string } | { accept: string };
function history(steps: Step[]): OtherKeysRecord {
  let record: OtherKeysRecord | undefined;
  steps.forEach((step, day) => {
    if ('verify' in step) record = verifyFingerprint(record as OtherKeysRecord, step.verify, at(day)).record;
    else if ('unverify' in step) record = unverifyFingerprint(record as OtherKeysRecord, step.unverify).record;
    else if ('accept' in step) record = acceptFingerprint(record as OtherKeysRecord, step.accept, at(day)).record;
    else record = mergeReading(record, step, at(day)).record;
  });
  return record as OtherKeysRecord;
}

/** What `policy` makes of the last key in `record`; `firstVerified`: the contact's first verification (day). */
function decision(policy: TrustPolicy, record: OtherKeysRecord, firstVerified?: number): KeyTrustDecision {
  const key = record.keys[record.keys.length - 1];
  if (!key) throw new Error('no key');
  return decideTrust(policy, historyOf(key), { firstVerifiedAt: firstVerified === undefined ? undefined : at(firstVerified).toISOString() });
}

type Row = [string, Step[], number | undefined, Record<TrustPolicy, KeyTrustDecision>];
const TABLE: Row[] = [
  ['an OMEMO device seen at the first reading', [device(FP_A)], undefined, { tofu: 'trusted', btbv: 'trusted', manual: 'untrusted' }],
  ['an OMEMO device verified', [device(FP_A), { verify: FP_A }], 1, { tofu: 'verified', btbv: 'verified', manual: 'verified' }],
  ['a device whose identity key changed', [device(FP_A), device(FP_B)], undefined, { tofu: 'changed', btbv: 'changed', manual: 'changed' }],
  ['a changed device, accepted', [device(FP_A), device(FP_B), { accept: FP_B }], undefined, { tofu: 'trusted', btbv: 'trusted', manual: 'untrusted' }],
  ['a changed device, verified', [device(FP_A), device(FP_B), { verify: FP_B }], 2, { tofu: 'verified', btbv: 'verified', manual: 'verified' }],
  ['a verified device whose key then changed', [device(FP_A), { verify: FP_A }, device(FP_B)], 1, { tofu: 'changed', btbv: 'changed', manual: 'changed' }],
  // What was verified was the old key: accepting the new one does not make it verified.
  ['a verified device whose key changed, then accepted', [device(FP_A), { verify: FP_A }, device(FP_B), { accept: FP_B }], 1, { tofu: 'trusted', btbv: 'trusted', manual: 'untrusted' }],
  ['a device taken off the list', [device(FP_A), { omemo: [] }], undefined, { tofu: 'withdrawn', btbv: 'withdrawn', manual: 'withdrawn' }],
  ['a verified device taken off the list', [device(FP_A), { verify: FP_A }, { omemo: [] }], 1, { tofu: 'withdrawn', btbv: 'withdrawn', manual: 'withdrawn' }],
  // Blind trust before verification: a key first seen after the user verified one of the contact's.
  ['a later OpenPGP key, after the contact was verified', [pgp(PGP_1), { verify: PGP_1 }, { openpgp: [{ protocol: 'openpgp', fingerprint: PGP_1 }, { protocol: 'openpgp', fingerprint: PGP_2 }] }], 1, { tofu: 'trusted', btbv: 'untrusted', manual: 'untrusted' }],
  ['an OpenPGP key that replaced another', [pgp(PGP_1), pgp(PGP_2)], undefined, { tofu: 'changed', btbv: 'changed', manual: 'changed' }],
  ['an OpenPGP key that replaced another, accepted', [pgp(PGP_1), pgp(PGP_2), { accept: PGP_2 }], undefined, { tofu: 'trusted', btbv: 'trusted', manual: 'untrusted' }],
  // A verification taken back: the policy decides as if it never happened.
  ['a device verified, then the verification taken back', [device(FP_A), { verify: FP_A }, { unverify: FP_A }], 1, { tofu: 'trusted', btbv: 'trusted', manual: 'untrusted' }],
  // The verification was what cleared the warning; the user never accepted the change, so it warns again.
  ['a changed device, verified, then taken back', [device(FP_A), device(FP_B), { verify: FP_B }, { unverify: FP_B }], 2, { tofu: 'changed', btbv: 'changed', manual: 'changed' }],
  ['an OpenPGP key that replaced another, verified, then taken back', [pgp(PGP_1), pgp(PGP_2), { verify: PGP_2 }, { unverify: PGP_2 }], 2, { tofu: 'changed', btbv: 'changed', manual: 'changed' }],
  // Accepted before it was verified: the acceptance stands.
  ['a changed device, accepted, verified, then taken back', [device(FP_A), device(FP_B), { accept: FP_B }, { verify: FP_B }, { unverify: FP_B }], 3, { tofu: 'trusted', btbv: 'trusted', manual: 'untrusted' }],
  ['a changed device, verified, taken back, then accepted', [device(FP_A), device(FP_B), { verify: FP_B }, { unverify: FP_B }, { accept: FP_B }], 2, { tofu: 'trusted', btbv: 'trusted', manual: 'untrusted' }],
  // Blind trust before verification: a key first seen after the contact's first verification needs one.
  ['a later OpenPGP key verified, then taken back', [pgp(PGP_1), { verify: PGP_1 }, { openpgp: [{ protocol: 'openpgp', fingerprint: PGP_1 }, { protocol: 'openpgp', fingerprint: PGP_2 }] }, { verify: PGP_2 }, { unverify: PGP_2 }], 1, { tofu: 'trusted', btbv: 'untrusted', manual: 'untrusted' }],
];

describe('other apps’ keys follow the contact’s trust policy', () => {
  for (const [what, steps, firstVerified, expected] of TABLE) {
    it(`${what}: ${Object.entries(expected).map(([p, d]) => `${p} ${d}`).join(', ')}`, () => {
      const record = history(steps);
      for (const policy of ['tofu', 'btbv', 'manual'] as const) expect([policy, decision(policy, record, firstVerified)]).toEqual([policy, expected[policy]]);
    });
  }
});

describe('verifying and accepting other apps’ keys', () => {
  it('a fingerprint that matches no current key is recorded as a mismatch and verifies nothing', () => {
    const record = history([device(FP_A), device(FP_B)]);
    const { record: after, matched } = verifyFingerprint(record, FP_A, at(3));
    expect(matched).toBe(false);
    expect(after.mismatches).toEqual([{ offered: FP_A, at: at(3).toISOString(), via: 'typed' }]);
    expect(after.keys).toEqual(record.keys);
    expect(stateOf(after.keys[0] as never, after, at(3))).toBe('changed');
  });

  it('a removed key is never verified', () => {
    const record = history([device(FP_A), { omemo: [] }]);
    expect(verifyFingerprint(record, FP_A, at(3)).matched).toBe(false);
  });

  it('one comparison verifies the identity key on both OMEMO lists', () => {
    const record = history([{ omemo: [{ protocol: 'omemo', deviceId: 7, fingerprint: FP_A }], omemo2: [{ protocol: 'omemo2', deviceId: 9, fingerprint: FP_A }] }]);
    const after = verifyFingerprint(record, FP_A, at(1)).record;
    expect(after.keys.map((k) => k.verifiedAt)).toEqual([at(1).toISOString(), at(1).toISOString()]);
  });

  it('accepting clears the warning only of a changed key; an unchanged one has nothing to accept', () => {
    const changed = history([device(FP_A), device(FP_B)]);
    const accepted = acceptFingerprint(changed, FP_B, at(2));
    expect(accepted.accepted).toBe(true);
    expect(stateOf(accepted.record.keys[0] as never, accepted.record, at(2))).toBe('known');
    expect(accepted.record.keys[0]?.acceptedAt).toBe(at(2).toISOString());
    expect(acceptFingerprint(history([device(FP_A)]), FP_A, at(1)).accepted).toBe(false);
  });

  it('taking back a cleared change restores the warning as it was, with when it changed', () => {
    const verified = history([device(FP_A), device(FP_B), { verify: FP_B }]);
    expect(stateOf(verified.keys[0] as never, verified, at(2))).toBe('known');
    const { record, outcome } = unverifyFingerprint(verified, FP_B);
    expect(outcome).toBe('unverified');
    expect(record.keys[0]).toMatchObject({ changedAt: at(1).toISOString(), previous: [FP_A] });
    expect(record.keys[0]).not.toHaveProperty('verifiedAt');
    expect(record.keys[0]).not.toHaveProperty('clearedChangeAt');
    expect(stateOf(record.keys[0] as never, record, at(3))).toBe('changed');
  });

  it('a key that changes again after a verification over a change warns for the new change only', () => {
    const record = history([device(FP_A), device(FP_B), { verify: FP_B }, device(FP_A)]);
    expect(record.keys[0]).toMatchObject({ changedAt: at(3).toISOString() });
    expect(record.keys[0]).not.toHaveProperty('clearedChangeAt');
    expect(unverifyFingerprint(record, FP_A).outcome).toBe('not-verified');
  });

  it('taking back refuses a fingerprint no current key has, a removed key, and a key not verified, changing nothing', () => {
    const record = history([device(FP_A), { verify: FP_A }]);
    expect(unverifyFingerprint(record, FP_B)).toEqual({ record, outcome: 'unknown' });
    const removed = history([device(FP_A), { verify: FP_A }, { omemo: [] }]);
    expect(unverifyFingerprint(removed, FP_A)).toEqual({ record: removed, outcome: 'unknown' });
    const plain = history([device(FP_A)]);
    expect(unverifyFingerprint(plain, FP_A)).toEqual({ record: plain, outcome: 'not-verified' });
  });

  it('taking back the verification of an identity key on both OMEMO lists takes back both', () => {
    const record = history([{ omemo: [{ protocol: 'omemo', deviceId: 7, fingerprint: FP_A }], omemo2: [{ protocol: 'omemo2', deviceId: 9, fingerprint: FP_A }] }, { verify: FP_A }]);
    const after = unverifyFingerprint(record, FP_A).record;
    expect(after.keys.map((k) => k.verifiedAt)).toEqual([undefined, undefined]);
  });

  it('mismatches survive later readings', () => {
    const record = verifyFingerprint(history([device(FP_A)]), FP_B, at(1)).record;
    expect(mergeReading(record, device(FP_A), at(2)).record.mismatches).toHaveLength(1);
  });

  it('a comparison that matched is remembered past its verification taken back, and past later readings: the mismatch before it stays answered', () => {
    // Day 1 the wrong fingerprint, day 2 the right one, then the verification taken back.
    const record = history([device(FP_A), { verify: FP_B }, { verify: FP_A }, { unverify: FP_A }]);
    expect(record.mismatches).toEqual([{ offered: FP_B, at: at(1).toISOString(), via: 'typed' }]);
    expect(record.keys[0]).not.toHaveProperty('verifiedAt');
    expect(record.lastMatchAt).toBe(at(2).toISOString());
    expect(openMismatches(record.mismatches ?? [], record.keys, record.lastMatchAt)).toEqual([]);
    expect(mergeReading(record, device(FP_A), at(4)).record.lastMatchAt).toBe(at(2).toISOString());
    // The vault keeps it (its schema is strict), and a vault written before it existed still loads.
    expect(OtherKeysOfAccount.parse(record).lastMatchAt).toBe(at(2).toISOString());
    const { lastMatchAt: _gone, ...older } = record;
    expect(OtherKeysOfAccount.safeParse(older).success).toBe(true);
  });

  it('a mismatch after the last match is open again; one that matched nothing moves no match', () => {
    const record = history([device(FP_A), { verify: FP_A }, { unverify: FP_A }, { verify: FP_B }]);
    expect(record.lastMatchAt).toBe(at(1).toISOString());
    expect(openMismatches(record.mismatches ?? [], record.keys, record.lastMatchAt)).toEqual([{ offered: FP_B, at: at(3).toISOString(), via: 'typed' }]);
  });
});
