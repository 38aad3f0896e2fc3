/**
 * What each trust policy makes of a contact's key (main/keys/trust-policy.ts), as a table: the stored
 * state, when it was first seen, whether it was accepted, and when the user first verified any key of
 * the contact.
 */
import { describe, expect, it } from 'vitest';
import type { KeyTrustDecision, TrustPolicy, TrustState } from '../../../contract/index.js';
import { decideTrust, effectivePolicy } from '../../../main/keys/trust-policy.js';

const JAN = '2026-01-01T00:00:00.000Z';
const MAR = '2026-03-01T00:00:00.000Z';
const JUN = '2026-06-01T00:00:00.000Z';

type Row = [TrustPolicy, TrustState, string /* firstSeen */, string | undefined /* accepted */, string | undefined /* first verified */, KeyTrustDecision];

const TABLE: Row[] = [
  // Trust on first use: trusted when seen, never when it replaced a key, never when withdrawn.
  ['tofu', 'unverified', JAN, undefined, undefined, 'trusted'],
  ['tofu', 'unverified', JUN, undefined, MAR, 'trusted'],
  ['tofu', 'verified', JAN, undefined, JAN, 'verified'],
  ['tofu', 'changed', JUN, undefined, undefined, 'changed'],
  ['tofu', 'retracted', JAN, undefined, JAN, 'withdrawn'],
  ['tofu', 'unverified', JUN, JUN, undefined, 'trusted'],
  // Blind trust before verification: trusted until the user verifies one of the contact's keys; keys
  // first seen after that must be verified.
  ['btbv', 'unverified', JAN, undefined, undefined, 'trusted'],
  ['btbv', 'unverified', JAN, undefined, MAR, 'trusted'],
  ['btbv', 'unverified', JUN, undefined, MAR, 'untrusted'],
  ['btbv', 'unverified', MAR, undefined, MAR, 'untrusted'],
  ['btbv', 'verified', JUN, undefined, MAR, 'verified'],
  ['btbv', 'changed', JUN, undefined, MAR, 'changed'],
  ['btbv', 'retracted', JAN, undefined, MAR, 'withdrawn'],
  ['btbv', 'unverified', JUN, JUN, MAR, 'trusted'],
  // Manual: only what the user verified.
  ['manual', 'unverified', JAN, undefined, undefined, 'untrusted'],
  ['manual', 'unverified', JAN, JUN, undefined, 'untrusted'],
  ['manual', 'verified', JAN, undefined, JAN, 'verified'],
  ['manual', 'changed', JAN, undefined, undefined, 'changed'],
  ['manual', 'retracted', JAN, undefined, JAN, 'withdrawn'],
];

describe('trust policy decisions', () => {
  it.each(TABLE)('%s, stored %s, first seen %s, accepted %s, first verification %s → %s', (policy, trust, firstSeen, acceptedAt, firstVerifiedAt, expected) => {
    expect(decideTrust(policy, { trust, firstSeen, acceptedAt }, { firstVerifiedAt })).toBe(expected);
  });

  it('a key issued for another address is never trusted, even verified or accepted; withdrawn or revoked it says so', () => {
    const base = { firstSeen: '2026-01-01T00:00:00.000Z', forAnotherAddress: true };
    for (const policy of ['tofu', 'btbv', 'manual'] as const) {
      expect(decideTrust(policy, { ...base, trust: 'verified' }, {})).toBe('untrusted');
      expect(decideTrust(policy, { ...base, trust: 'unverified', acceptedAt: '2026-01-02T00:00:00.000Z' }, {})).toBe('untrusted');
      expect(decideTrust(policy, { ...base, trust: 'retracted' }, {})).toBe('withdrawn');
      expect(decideTrust(policy, { ...base, trust: 'unverified', revoked: true }, {})).toBe('revoked');
    }
  });

  it('a contact’s own policy overrides the account’s, and the account’s defaults to trust on first use', () => {
    expect(effectivePolicy(undefined, undefined)).toEqual({ policy: 'tofu', source: 'account' });
    expect(effectivePolicy('manual', undefined)).toEqual({ policy: 'manual', source: 'account' });
    expect(effectivePolicy('manual', 'btbv')).toEqual({ policy: 'btbv', source: 'contact' });
  });

  it('a key that appeared as a change and was never accepted is a change, whatever state its record says', () => {
    // A record can say 'unverified' with what it replaced still on it (a withdrawn change published again).
    for (const policy of ['tofu', 'btbv', 'manual'] as const) {
      expect(decideTrust(policy, { trust: 'unverified', firstSeen: JAN, replaces: ['a'.repeat(64)] }, {})).toBe('changed');
      expect(decideTrust(policy, { trust: 'verified', firstSeen: JAN, replaces: ['a'.repeat(64)] }, {})).toBe('verified');
    }
    expect(decideTrust('tofu', { trust: 'unverified', firstSeen: JAN, replaces: [], acceptedAt: JUN }, {})).toBe('trusted');
  });

  it('btbv: the order the records were written in decides before or after the first verification, not the clock', () => {
    // Seen after the first verification though its date is earlier (the clock had jumped back), and the reverse.
    expect(decideTrust('btbv', { trust: 'unverified', firstSeen: JAN, seenAfterFirstVerification: true }, { firstVerifiedAt: MAR })).toBe('untrusted');
    expect(decideTrust('btbv', { trust: 'unverified', firstSeen: JUN, seenAfterFirstVerification: false }, { firstVerifiedAt: MAR })).toBe('trusted');
    // A record written before the order was kept: the dates, as before.
    expect(decideTrust('btbv', { trust: 'unverified', firstSeen: JUN }, { firstVerifiedAt: MAR })).toBe('untrusted');
  });
});
