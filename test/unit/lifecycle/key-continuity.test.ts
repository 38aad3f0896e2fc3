/** What trust a contact's new key starts with, given what we knew and the succession it carries. */
import { beforeAll, describe, expect, it } from 'vitest';
import { createRevocation, verifyRevocation, type VerifiedRevocation } from '../../../main/keys/revocation.js';
import { createSuccession, type SuccessionStatement } from '../../../main/keys/succession.js';
import { mergeFullKeySet } from '../../../main/vault/contact-keys.js';
import { decideSuccessorTrust, type SuccessorInput } from '../../../main/vault/key-continuity.js';
import type { ContactKeyRecord } from '../../../main/vault/schema.js';
import { contactRecord, JULIET, makeKey, makeRotation, T0, type OwnKey } from './support.js';

let oldKey: OwnKey;
let newKey: OwnKey;
let renewed: OwnKey;
let mallory: OwnKey;
let succession: SuccessionStatement;
let forged: SuccessionStatement;

beforeAll(async () => {
  ({ oldKey, newKey, mallory, succession, forged } = await makeRotation());
  renewed = await makeKey(JULIET, { privateKey: oldKey.privateKey });
}, 30_000);

const DAY_MS = 86_400_000;
const record = contactRecord;
const decide = (known: ContactKeyRecord[], overrides: Partial<SuccessorInput> = {}) =>
  decideSuccessorTrust({
    publisherJid: JULIET,
    known,
    newKey: { fingerprint: newKey.fingerprint, certificateDer: newKey.der, status: 'valid' },
    succession,
    ...overrides,
  });
const revoked = async (reason: 'compromised' | 'superseded' | 'unspecified'): Promise<VerifiedRevocation> => {
  const check = verifyRevocation(await createRevocation({ bareJid: JULIET, certificateDer: oldKey.der, privateKey: oldKey.privateKey, reason }), { publisherJid: JULIET });
  if (!check.valid) throw new Error(check.reason);
  return check;
};

describe('a good succession keeps the trust of the key it continues', () => {
  it('from a verified key: "continues a key you verified"', () => {
    expect(decide([record(oldKey, 'verified', { verifiedAt: T0 })])).toEqual({
      kind: 'continues',
      from: oldKey.fingerprint,
      basis: 'succession',
      trust: 'verified',
      continuesVerified: true,
    });
  });

  it('from a verified key already withdrawn (the records after the new set was merged)', () => {
    const known = [record(oldKey, 'verified', { verifiedAt: T0 })];
    const merged = mergeFullKeySet(known, [{ fingerprint: newKey.fingerprint, certificate: newKey.der.toString('base64') }], new Date());
    // The ordinary merge sees an unexplained change…
    expect(merged.keys.find((k) => k.fingerprint === newKey.fingerprint)?.trust).toBe('changed');
    // …which the succession explains.
    expect(decide(merged.keys)).toMatchObject({ kind: 'continues', trust: 'verified', continuesVerified: true });
  });

  it('from a key only seen: unverified, without a change warning', () => {
    expect(decide([record(oldKey, 'unverified')])).toMatchObject({ kind: 'continues', trust: 'unverified', continuesVerified: false });
  });

  it('from a key that was itself an unexplained change: the warning carries over', () => {
    expect(decide([record(oldKey, 'changed', { replaces: ['ab'.repeat(32)] })])).toMatchObject({ kind: 'continues', trust: 'changed' });
    expect(decide([record(oldKey, 'retracted', { replaces: ['ab'.repeat(32)], retractedAt: T0 })])).toMatchObject({ kind: 'continues', trust: 'changed' });
  });

  it('from a key its owner revoked as superseded (the normal rotation)', async () => {
    expect(decide([record(oldKey, 'verified', { verifiedAt: T0 })], { revocations: [await revoked('superseded')] })).toMatchObject({
      kind: 'continues',
      trust: 'verified',
    });
  });
});

describe('a renewal (same key, new certificate) continues without a statement', () => {
  it('keeps a verified key verified', () => {
    expect(
      decide([record(oldKey, 'verified', { verifiedAt: T0 })], {
        newKey: { fingerprint: renewed.fingerprint, certificateDer: renewed.der, status: 'valid' },
        succession: undefined,
      }),
    ).toEqual({ kind: 'continues', from: oldKey.fingerprint, basis: 'same-key', trust: 'verified', continuesVerified: true });
  });

  it('not when that key was revoked as compromised', async () => {
    expect(
      decide([record(oldKey, 'verified', { verifiedAt: T0 })], {
        newKey: { fingerprint: renewed.fingerprint, certificateDer: renewed.der, status: 'valid' },
        succession: undefined,
        revocations: [await revoked('compromised')],
      }),
    ).toMatchObject({ kind: 'no-continuity', cause: 'predecessor-compromised' });
  });

  /** A verified revocation of the old certificate, dated `daysAgo` days before now. */
  const revokedDaysAgo = async (reason: 'superseded' | 'retired', daysAgo: number) => {
    const statement = await createRevocation({ bareJid: JULIET, certificateDer: oldKey.der, privateKey: oldKey.privateKey, reason, date: new Date(Date.now() - daysAgo * DAY_MS) });
    const check = verifyRevocation(statement, { publisherJid: JULIET });
    if (!check.valid) throw new Error(check.reason);
    const { valid: _valid, ...revocation } = check;
    return revocation;
  };
  const renewal = () => ({ newKey: { fingerprint: renewed.fingerprint, certificateDer: renewed.der, status: 'valid' as const }, succession: undefined });

  it('not when its owner retired or superseded that certificate before the new one begins (whoever found the key minted it)', async () => {
    for (const reason of ['superseded', 'retired'] as const) {
      const revocation = await revokedDaysAgo(reason, 30);
      const withdrawn = record(oldKey, 'retracted', { verifiedAt: T0, retractedAt: T0 });
      expect(decide([withdrawn], { ...renewal(), revocations: [revocation] })).toMatchObject({ kind: 'no-continuity', cause: 'predecessor-superseded' });
      // The same revocation known only from the stored record (its item no longer published).
      const kept = { ...withdrawn, revocation: { reason: revocation.reason, date: revocation.date, publicKeyDigest: revocation.publicKeyDigest } };
      expect(decide([kept], renewal())).toMatchObject({ kind: 'no-continuity', cause: 'predecessor-superseded' });
    }
  }, 30_000);

  it('a renewal begun before its older certificate was revoked as superseded (the owner replacing it by the renewal) still continues it', async () => {
    const revocation = await revokedDaysAgo('superseded', 0);
    expect(decide([record(oldKey, 'verified', { verifiedAt: T0 })], { ...renewal(), revocations: [revocation] })).toMatchObject({
      kind: 'continues',
      basis: 'same-key',
      trust: 'verified',
    });
  });

  it('another certificate of the key that still stands vouches for the new one, though an older one was retired', async () => {
    const revocation = await revokedDaysAgo('retired', 30);
    const standing = await makeKey(JULIET, { privateKey: oldKey.privateKey });
    const known = [record(oldKey, 'retracted', { verifiedAt: T0, retractedAt: T0 }), record(standing, 'verified', { verifiedAt: T0 })];
    expect(decide(known, { ...renewal(), revocations: [revocation] })).toMatchObject({ kind: 'continues', from: standing.fingerprint, basis: 'same-key', trust: 'verified' });
  });
});

describe('anything else is an ordinary change, with the reason', () => {
  const verifiedOld = () => [record(oldKey, 'verified', { verifiedAt: T0 })];

  it('a forged succession (signed by another key)', () => {
    expect(decide(verifiedOld(), { succession: forged })).toMatchObject({ kind: 'no-continuity', cause: 'bad-signature' });
  });

  it('no succession at all', () => {
    expect(decide(verifiedOld(), { succession: undefined })).toMatchObject({ kind: 'no-continuity', cause: 'no-claim' });
  });

  it('a succession from a key never seen from this contact', () => {
    expect(decide([record(mallory, 'verified', { verifiedAt: T0 })])).toMatchObject({ kind: 'no-continuity', cause: 'unknown-predecessor' });
  });

  it('a succession from a key whose certificate was not kept', () => {
    const { certificate: _dropped, ...bare } = record(oldKey, 'verified', { verifiedAt: T0 });
    expect(decide([bare])).toMatchObject({ kind: 'no-continuity', cause: 'predecessor-not-stored' });
  });

  it('a succession from a key revoked as compromised, or for no reason given', async () => {
    for (const reason of ['compromised', 'unspecified'] as const) {
      expect(decide(verifiedOld(), { revocations: [await revoked(reason)] })).toMatchObject({ kind: 'no-continuity', cause: 'predecessor-compromised' });
    }
  });

  it('a new key that is not valid itself (weak, expired, revoked…)', () => {
    for (const status of ['weak', 'expired', 'revoked', 'jid-mismatch'] as const) {
      expect(decide(verifiedOld(), { newKey: { fingerprint: newKey.fingerprint, certificateDer: newKey.der, status } })).toMatchObject({
        kind: 'no-continuity',
        cause: 'new-key-not-valid',
      });
    }
  });

  it('a new key not yet valid (its owner’s clock more than a day ahead) continues the key that vouched for it', () => {
    expect(decide(verifiedOld(), { newKey: { fingerprint: newKey.fingerprint, certificateDer: newKey.der, status: 'not-yet-valid' } })).toMatchObject({
      kind: 'continues',
      from: oldKey.fingerprint,
      continuesVerified: true,
    });
  });

  it('a succession published by another account', () => {
    expect(decide(verifiedOld(), { publisherJid: 'romeo@montague.lit' })).toMatchObject({ kind: 'no-continuity', cause: 'wrong-account' });
  });

  it('hostile records and statements: never thrown', () => {
    const junk = [{ ...record(oldKey, 'verified'), certificate: 'AAAA' }, { ...record(mallory, 'verified'), certificate: '%%%' }];
    expect(decide(junk)).toMatchObject({ kind: 'no-continuity' });
    expect(decide(verifiedOld(), { succession: { ...succession, signature: '@@' } })).toMatchObject({ kind: 'no-continuity', cause: 'malformed' });
    expect(decide(verifiedOld(), { newKey: { fingerprint: newKey.fingerprint, certificateDer: Buffer.from('x'), status: 'valid' } })).toMatchObject({ kind: 'continues' });
    expect(decideSuccessorTrust({ publisherJid: JULIET, known: null, newKey: null } as unknown as SuccessorInput)).toMatchObject({ kind: 'no-continuity' });
  });
});

describe('a key vouches for one successor, and not after its owner revoked it', () => {
  it('a statement dated after the key was revoked as superseded (or retired) gives no continuity', async () => {
    const later = await createSuccession({ bareJid: JULIET, oldCertificateDer: oldKey.der, oldPrivateKey: oldKey.privateKey, newCertificateDer: newKey.der, date: new Date('2026-12-01T00:00:00Z') });
    for (const reason of ['superseded', 'retired'] as const) {
      const statement = await createRevocation({ bareJid: JULIET, certificateDer: oldKey.der, privateKey: oldKey.privateKey, reason, date: new Date('2026-06-01T00:00:00Z') });
      const check = verifyRevocation(statement, { publisherJid: JULIET, now: new Date('2026-12-01T00:00:00Z') });
      if (!check.valid) throw new Error(check.reason);
      const { valid: _valid, ...revocation } = check;
      const withdrawn = record(oldKey, 'retracted', { verifiedAt: T0, retractedAt: '2026-06-01T00:00:00.000Z' });
      expect(decide([withdrawn], { succession: later, revocations: [revocation], now: new Date('2026-12-01T00:00:00Z') })).toMatchObject({
        kind: 'no-continuity',
        cause: 'predecessor-superseded',
      });
      // The same revocation known only from the stored record (its item no longer published).
      expect(decide([{ ...withdrawn, revocation: { reason: revocation.reason, date: revocation.date, publicKeyDigest: revocation.publicKeyDigest } }], { succession: later, now: new Date('2026-12-01T00:00:00Z') })).toMatchObject({
        kind: 'no-continuity',
        cause: 'predecessor-superseded',
      });
    }
  }, 30_000);

  it('a key that already has a successor the user saw vouches for no second one, however it is dated', () => {
    const old = record(oldKey, 'retracted', { verifiedAt: T0, retractedAt: T0 });
    const first = record(mallory, 'verified', { verifiedAt: T0, continues: { fingerprint: oldKey.fingerprint, basis: 'succession', verified: true } });
    expect(decide([old, first])).toMatchObject({ kind: 'no-continuity', cause: 'predecessor-superseded' });
    // A renewal of the old key (the same key, another certificate) is no second successor.
    const renewal = record(mallory, 'verified', { verifiedAt: T0, continues: { fingerprint: oldKey.fingerprint, basis: 'same-key', verified: true } });
    expect(decide([old, renewal])).toMatchObject({ kind: 'continues', from: oldKey.fingerprint, continuesVerified: true });
  });
});
