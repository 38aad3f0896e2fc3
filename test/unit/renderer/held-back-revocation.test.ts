/**
 * A revocation held back when its key was revoked (the key node set, outside the app, to an audience it
 * cannot publish to) goes out at a later sign-in, where no screen asked for it. My keys' card warns
 * while it is held back; once a new list shows it published, Activity says so
 * (renderer/src/lib/own-keys.ts heldBackRevocationsPublished, used by KeysStore for every new list).
 */
import { describe, expect, it } from 'vitest';
import type { OwnKeyView } from '../../../contract/index.js';
import { heldBackRevocationsPublished } from '../../../renderer/src/lib/own-keys.js';

const key = (fingerprint: string, extra: Partial<OwnKeyView> = {}): OwnKeyView => ({
  fingerprint,
  current: false,
  bits: 2048,
  notBefore: '2026-01-01T00:00:00.000Z',
  notAfter: '2027-01-01T00:00:00.000Z',
  expiry: { level: 'none', daysLeft: 300 },
  createdAt: '2026-01-01T00:00:00.000Z',
  publications: [],
  ...extra,
});
const revoked = { reason: 'compromised' as const, date: '2026-03-01T00:00:00.000Z' };
const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

describe('a held-back revocation published later', () => {
  it('is found when the same revoked key no longer says it is held back', () => {
    const before = [key(A, { revoked, revocationUnpublished: true }), key(B)];
    expect(heldBackRevocationsPublished(before, [key(A, { revoked }), key(B)])).toEqual([A]);
  });

  it('is not found while it is still held back, for a key revoked and published at once, or for another account’s list', () => {
    const held = [key(A, { revoked, revocationUnpublished: true })];
    expect(heldBackRevocationsPublished(held, held)).toEqual([]);
    expect(heldBackRevocationsPublished([key(A)], [key(A, { revoked })])).toEqual([]);
    // Another account's keys (a switch): none of these fingerprints, nothing said.
    expect(heldBackRevocationsPublished(held, [key(B, { revoked })])).toEqual([]);
  });
});
