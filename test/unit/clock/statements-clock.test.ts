/**
 * Signed statements made on devices whose clocks disagree (main/keys/clock-tolerance.ts): a rotation and
 * the revocation after it from two devices of one account hours apart, a revocation read by a clock days
 * behind the revoker's, a renewal from a clock days ahead. Each asserts what is true for the reader.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createRevocation, verifyRevocation, withRevocations, type VerifiedRevocation } from '../../../main/keys/revocation.js';
import { createSuccession, type SuccessionStatement } from '../../../main/keys/succession.js';
import { checkPublishedCertificate } from '../../../main/keys/validate.js';
import { createSelfSignedCertificate } from '../../../main/keys/certificate.js';
import { certificateFingerprint } from '../../../main/keys/fingerprint.js';
import { generateRsaKeyPair } from '../../../main/keys/generate.js';
import { mergeFullKeySet } from '../../../main/vault/contact-keys.js';
import { applyKeyStatements } from '../../../main/vault/contact-key-lifecycle.js';
import type { ContactKeyRecord } from '../../../main/vault/schema.js';
import { JULIET, type OwnKey } from '../lifecycle/support.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

async function keyMadeAt(notBefore: Date): Promise<OwnKey> {
  const { privateKey } = await generateRsaKeyPair(2048);
  const der = await createSelfSignedCertificate({ bareJid: JULIET, privateKey, notBefore });
  return { privateKey, der, fingerprint: certificateFingerprint(der) };
}

let oldKey: OwnKey;
let newKey: OwnKey;
const T0 = new Date('2026-01-10T12:00:00Z');
beforeAll(async () => {
  oldKey = await keyMadeAt(T0);
  newKey = await keyMadeAt(new Date('2026-12-01T12:00:00Z'));
}, 60_000);

describe('a rotation then a revocation, made on two devices of one account whose clocks disagree by hours', () => {
  it('the revocation that really came after the succession does not void it (no false "changed" warning)', async () => {
    // 12:00 UTC on the laptop (clock right): Juliet rotates to a new key; the old key signs the succession.
    const rotatedAt = new Date('2026-12-01T12:00:00Z');
    const succession: SuccessionStatement = await createSuccession({
      bareJid: JULIET,
      oldCertificateDer: oldKey.der,
      oldPrivateKey: oldKey.privateKey,
      newCertificateDer: newKey.der,
      date: rotatedAt,
    });
    // An hour later (13:00 UTC) on her desktop, whose hardware clock keeps local time (UTC-5) and is
    // read as UTC, so it says 08:00Z: she revokes the old key as superseded, as the app suggests.
    const desktopClock = new Date(rotatedAt.getTime() + 1 * HOUR - 5 * HOUR);
    const revocation = await createRevocation({ bareJid: JULIET, certificateDer: oldKey.der, privateKey: oldKey.privateKey, reason: 'superseded', date: desktopClock });

    // Romeo verified the old key long ago and fetches both at 14:00 UTC.
    const now = new Date('2026-12-01T14:00:00Z');
    const checked = verifyRevocation(revocation, { publisherJid: JULIET, now });
    if (!checked.valid) throw new Error(checked.reason);
    const { valid: _valid, ...verified } = checked;
    const before: ContactKeyRecord[] = [
      { fingerprint: oldKey.fingerprint, certificate: oldKey.der.toString('base64'), firstSeen: T0.toISOString(), lastSeen: T0.toISOString(), trust: 'verified', verifiedAt: T0.toISOString() },
    ];
    const seen = [{ fingerprint: newKey.fingerprint, certificate: newKey.der.toString('base64') }];
    const full = mergeFullKeySet(before, seen, now, { contactVerified: true });
    const applied = applyKeyStatements(before, full, { successions: new Map([[newKey.fingerprint, succession]]), revocations: [{ revocation: verified, certificate: revocation.certificate }] }, {
      publisherJid: JULIET,
      now,
      statusOf: (record, revocations: readonly VerifiedRevocation[]) => {
        const der = Buffer.from(record.certificate ?? '', 'base64');
        return withRevocations(checkPublishedCertificate({ der, publisherJid: JULIET, itemId: record.fingerprint, now }), der, revocations).status;
      },
    });
    const shown = applied.keys.find((k) => k.fingerprint === newKey.fingerprint);
    // TRUE: the new key continues the verified one (the old key vouched for it before it was retired).
    expect({ trust: shown?.trust, continuityProblem: shown?.continuityProblem, changes: applied.changes.map((c) => c.kind) }).toEqual({
      trust: 'verified',
      continuityProblem: undefined,
      changes: expect.not.arrayContaining(['changed']) as unknown,
    });
  }, 30_000);
});

describe('a revocation read on a device or by a contact whose clock is behind the revoker’s by more than a day', () => {
  it('a compromised key, validly revoked by itself, is not shown valid', async () => {
    // Juliet revokes the old key as compromised on 4 Dec (her clock right).
    const revokedAt = new Date('2026-12-04T09:00:00Z');
    const revocation = await createRevocation({ bareJid: JULIET, certificateDer: oldKey.der, privateKey: oldKey.privateKey, reason: 'compromised', date: revokedAt });
    // Romeo's clock (or Juliet's other device's: own-revocations.ts uses the same check) is 2 days behind.
    const readerNow = new Date(revokedAt.getTime() - 2 * DAY);
    const checked = verifyRevocation(revocation, { publisherJid: JULIET, now: readerNow });
    const revocations = checked.valid ? [(({ valid: _v, ...r }) => r)(checked)] : [];
    const shown = withRevocations(checkPublishedCertificate({ der: oldKey.der, publisherJid: JULIET, itemId: oldKey.fingerprint, now: readerNow }), oldKey.der, revocations);
    // TRUE: the key signed its own revocation; whoever holds the key could not be more trusted by a later date.
    expect(shown.status).toBe('revoked');
  }, 30_000);
});

describe('a renewal made on a device whose clock runs 2 days ahead, first seen by a contact with the right time', () => {
  it('once the new certificate is valid, it continues the verified key (the first sight does not decide forever)', async () => {
    const skew = 2 * DAY;
    const realTime = new Date('2026-12-04T09:00:00Z');
    const herClock = new Date(realTime.getTime() + skew);
    // Renewal: the same key, a new certificate starting at her clock's now, and the succession dated then.
    const renewed = await createSelfSignedCertificate({ bareJid: JULIET, privateKey: oldKey.privateKey, notBefore: herClock });
    const renewedFp = certificateFingerprint(renewed);
    const succession = await createSuccession({ bareJid: JULIET, oldCertificateDer: oldKey.der, oldPrivateKey: oldKey.privateKey, newCertificateDer: renewed, date: herClock });
    const seen = [{ fingerprint: renewedFp, certificate: renewed.toString('base64') }];
    const statusOf = (now: Date) => (record: ContactKeyRecord, revocations: readonly VerifiedRevocation[]) => {
      const der = Buffer.from(record.certificate ?? '', 'base64');
      return withRevocations(checkPublishedCertificate({ der, publisherJid: JULIET, itemId: record.fingerprint, now }), der, revocations).status;
    };
    const fetchAt = (before: ContactKeyRecord[], now: Date) => {
      const full = mergeFullKeySet(before, seen, now, { contactVerified: true });
      return applyKeyStatements(before, full, { successions: new Map([[renewedFp, succession]]), revocations: [] }, { publisherJid: JULIET, now, statusOf: statusOf(now) }).keys;
    };
    const verified: ContactKeyRecord[] = [
      { fingerprint: oldKey.fingerprint, certificate: oldKey.der.toString('base64'), firstSeen: T0.toISOString(), lastSeen: T0.toISOString(), trust: 'verified', verifiedAt: T0.toISOString() },
    ];
    const first = fetchAt(verified, realTime);
    const threeDaysLater = fetchAt(first, new Date(realTime.getTime() + 3 * DAY));
    const shown = threeDaysLater.find((k) => k.fingerprint === renewedFp);
    expect({ firstSight: first.find((k) => k.fingerprint === renewedFp)?.trust, threeDaysLater: shown?.trust, continuityProblem: shown?.continuityProblem }).toEqual({
      firstSight: expect.anything() as unknown,
      threeDaysLater: 'verified',
      continuityProblem: undefined,
    });
  }, 30_000);
});
