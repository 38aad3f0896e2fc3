/**
 * What deciding a new key's continuity costs when there is nothing to continue: a contact's first key
 * (every contact of a first sign-in) must not parse its certificate for a comparison with nothing.
 * Parsing it twice per contact (the merge runs before the write and again inside it) was half of the
 * app's CPU time when fetching 2,000 new contacts (npm run bench, CPU profile).
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type * as SignedStatement from '../../../main/keys/signed-statement.js';
import { decideSuccessorTrust } from '../../../main/vault/key-continuity.js';
import { contactRecord, makeKey, makeRotation, type OwnKey } from './support.js';

const digests = vi.hoisted(() => ({ calls: 0 }));
vi.mock('../../../main/keys/signed-statement.js', async (original) => {
  const real = await original<typeof SignedStatement>();
  return {
    ...real,
    publicKeyDigest: (der: Uint8Array) => {
      digests.calls++;
      return real.publicKeyDigest(der);
    },
  };
});

let first: OwnKey;
let rotation: Awaited<ReturnType<typeof makeRotation>>;
beforeAll(async () => {
  first = await makeKey();
  rotation = await makeRotation();
}, 30_000);

describe('continuity of a new key', () => {
  it("reads no certificate for a contact's first key", () => {
    digests.calls = 0;
    const decision = decideSuccessorTrust({
      publisherJid: 'juliet@capulet.lit',
      known: [contactRecord(first, 'unverified')],
      newKey: { fingerprint: first.fingerprint, certificateDer: first.der, status: 'valid' },
    });
    expect(decision).toMatchObject({ kind: 'no-continuity', cause: 'no-claim' });
    expect(digests.calls).toBe(0);
  });

  it('still compares public keys when an earlier key is known (a renewal is found)', async () => {
    const renewed = await makeKey('juliet@capulet.lit', { privateKey: rotation.oldKey.privateKey });
    digests.calls = 0;
    const decision = decideSuccessorTrust({
      publisherJid: 'juliet@capulet.lit',
      known: [contactRecord(rotation.oldKey, 'verified', { verifiedAt: new Date().toISOString() }), contactRecord(renewed, 'unverified')],
      newKey: { fingerprint: renewed.fingerprint, certificateDer: renewed.der, status: 'valid' },
    });
    expect(decision).toMatchObject({ kind: 'continues', basis: 'same-key', from: rotation.oldKey.fingerprint });
    expect(digests.calls).toBeGreaterThan(0);
  });
});
