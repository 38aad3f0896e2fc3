/** Revocation statements: signed by the revoked key itself, honoured by readers (revoked, never valid). */
import { beforeAll, describe, expect, it } from 'vitest';
import { KeyringError } from '../../../main/errors.js';
import {
  createRevocation,
  prepareRevocations,
  REVOCATION_REASONS,
  revocationSignedBytes,
  verifyRevocation,
  withRevocations,
  type RevocationStatement,
  type VerifiedRevocation,
} from '../../../main/keys/revocation.js';
import { canonicalStatementBytes } from '../../../main/keys/signed-statement.js';
import { checkPublishedCertificate } from '../../../main/keys/validate.js';
import { HOSTILE_VALUES, JULIET, makeKey, ROMEO, VECTOR_NOW, vectors, type OwnKey } from './support.js';

let key: OwnKey;
let renewed: OwnKey;
let other: OwnKey;
let romeo: OwnKey;
let statement: RevocationStatement;

beforeAll(async () => {
  [key, other, romeo] = await Promise.all([makeKey(), makeKey(), makeKey(ROMEO)]);
  renewed = await makeKey(JULIET, { privateKey: key.privateKey });
  statement = await createRevocation({ bareJid: JULIET, certificateDer: key.der, privateKey: key.privateKey, reason: 'compromised' });
}, 30_000);

const verified = (s: RevocationStatement): VerifiedRevocation => {
  const check = verifyRevocation(s, { publisherJid: JULIET });
  if (!check.valid) throw new Error(check.reason);
  return check;
};

describe('the committed test vector', () => {
  const { statement: fixed, signedBytesHex } = vectors.revocation;

  it('encodes to exactly the bytes that were signed when it was made', () => {
    expect(revocationSignedBytes(fixed).toString('hex')).toBe(signedBytesHex);
    expect(revocationSignedBytes(fixed).equals(canonicalStatementBytes(['urn:keyring-xmpp:revocation:0', fixed.jid, fixed.fingerprint, 'superseded', fixed.date]))).toBe(true);
  });

  it('still verifies against the certificate it carries', () => {
    expect(verifyRevocation(fixed, { publisherJid: vectors.jid, now: VECTOR_NOW })).toMatchObject({
      valid: true,
      fingerprint: fixed.fingerprint,
      reason: 'superseded',
      date: '2025-06-01T12:00:00Z',
    });
  });
});

describe('making and checking a revocation', () => {
  it('is signed by the key itself and carries its certificate', () => {
    expect(statement).toMatchObject({ jid: JULIET, fingerprint: key.fingerprint, reason: 'compromised', algorithm: 'rsa-pss-sha256' });
    expect(Buffer.from(statement.certificate, 'base64').equals(key.der)).toBe(true);
    expect(verifyRevocation(statement, { publisherJid: JULIET })).toMatchObject({ valid: true, reason: 'compromised' });
  });

  it('is prepared for every reason when the key is made, all dated then, all valid', async () => {
    const made = new Date('2025-03-01T08:00:00Z');
    const prepared = await prepareRevocations({ bareJid: JULIET, certificateDer: key.der, privateKey: key.privateKey, date: made });
    expect(prepared.map((r) => r.reason)).toEqual([...REVOCATION_REASONS]);
    for (const r of prepared) {
      expect(r.date).toBe('2025-03-01T08:00:00Z');
      expect(verifyRevocation(r, { publisherJid: JULIET })).toMatchObject({ valid: true, reason: r.reason });
    }
  });

  it('refuses to sign with another key or for an unknown reason', async () => {
    await expect(createRevocation({ bareJid: JULIET, certificateDer: key.der, privateKey: other.privateKey, reason: 'retired' })).rejects.toThrow(KeyringError);
    await expect(
      createRevocation({ bareJid: JULIET, certificateDer: key.der, privateKey: key.privateKey, reason: 'bored' as unknown as 'retired' }),
    ).rejects.toThrow(/reason/);
  });
});

describe('forged revocations are refused, with the reason', () => {
  it('signed by another key, with the victim’s certificate put in (someone silencing juliet’s key)', async () => {
    const byOther = await createRevocation({ bareJid: JULIET, certificateDer: other.der, privateKey: other.privateKey, reason: 'compromised' });
    const forged = { ...byOther, fingerprint: key.fingerprint, certificate: key.der.toString('base64') };
    expect(verifyRevocation(forged, { publisherJid: JULIET })).toMatchObject({ valid: false, problem: 'bad-signature' });
  });

  it.each([
    ['the reason', (s: RevocationStatement) => ({ ...s, reason: 'retired' as const }), 'bad-signature'],
    ['the date', (s: RevocationStatement) => ({ ...s, date: '2020-01-01T00:00:00Z' }), 'bad-signature'],
    ['the fingerprint', (s: RevocationStatement) => ({ ...s, fingerprint: other.fingerprint }), 'certificate-mismatch'],
    ['the certificate', (s: RevocationStatement) => ({ ...s, certificate: other.der.toString('base64') }), 'certificate-mismatch'],
    ['the algorithm', (s: RevocationStatement) => ({ ...s, algorithm: 'none' }), 'unsupported-algorithm'],
    ['the signature', (s: RevocationStatement) => ({ ...s, signature: Buffer.alloc(256, 7).toString('base64') }), 'bad-signature'],
  ])('a revocation with %s changed', (_what, change, problem) => {
    expect(verifyRevocation(change(statement), { publisherJid: JULIET })).toMatchObject({ valid: false, problem });
  });

  it('a revocation republished by another account', async () => {
    expect(verifyRevocation(statement, { publisherJid: ROMEO })).toMatchObject({ valid: false, problem: 'wrong-account' });
    // …even with the JID rewritten: the certificate binds juliet, and the signature covers the JID.
    expect(verifyRevocation({ ...statement, jid: ROMEO }, { publisherJid: ROMEO })).toMatchObject({ valid: false, problem: 'certificate-unusable' });
    const romeos = await createRevocation({ bareJid: ROMEO, certificateDer: romeo.der, privateKey: romeo.privateKey, reason: 'retired' });
    expect(verifyRevocation({ ...romeos, jid: JULIET }, { publisherJid: JULIET })).toMatchObject({ valid: false });
  });

  it('a revocation dated days ahead (the revoker’s clock ran ahead) still revokes: only the key could sign it', async () => {
    const date = new Date(Date.now() + 3 * 86_400_000);
    const later = await createRevocation({ bareJid: JULIET, certificateDer: key.der, privateKey: key.privateKey, reason: 'compromised', date });
    expect(verifyRevocation(later, { publisherJid: JULIET })).toMatchObject({ valid: true, reason: 'compromised', fingerprint: key.fingerprint });
    // Its date is still what the key signed: moved, the signature no longer holds.
    expect(verifyRevocation({ ...later, date: new Date(Date.now() + 4 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z') }, { publisherJid: JULIET })).toMatchObject({
      valid: false,
      problem: 'bad-signature',
    });
  });

  it('hostile values: never thrown, always malformed', () => {
    for (const value of HOSTILE_VALUES) {
      expect(verifyRevocation(value, { publisherJid: JULIET })).toMatchObject({ valid: false, problem: 'malformed' });
    }
    expect(verifyRevocation({ ...statement, reason: 'Compromised' }, { publisherJid: JULIET })).toMatchObject({ valid: false, problem: 'malformed' });
    expect(verifyRevocation({ ...statement, certificate: 'not base64!' }, { publisherJid: JULIET })).toMatchObject({ valid: false, problem: 'malformed' });
    expect(verifyRevocation({ ...statement, certificate: Buffer.from('garbage').toString('base64') }, { publisherJid: JULIET })).toMatchObject({
      valid: false,
      problem: 'certificate-unusable',
    });
    expect(verifyRevocation(statement, { publisherJid: undefined } as unknown as { publisherJid: string })).toMatchObject({ valid: false });
  });
});

describe('readers honour a revocation: the key shows revoked, never valid', () => {
  const checkOf = (k: OwnKey) => checkPublishedCertificate({ der: k.der, publisherJid: JULIET, itemId: k.fingerprint });

  it('a valid certificate with a verified revocation is revoked, with the reason and date', () => {
    const before = checkOf(key);
    expect(before.status).toBe('valid');
    const after = withRevocations(before, key.der, [verified(statement)]);
    expect(after.status).toBe('revoked');
    expect(after.reason).toMatch(/compromised/);
    expect(after.revocation?.fingerprint).toBe(key.fingerprint);
  });

  it('a compromised key’s revocation also covers its other certificates; a superseded one does not', async () => {
    expect(withRevocations(checkOf(renewed), renewed.der, [verified(statement)]).status).toBe('revoked');
    const superseded = await createRevocation({ bareJid: JULIET, certificateDer: key.der, privateKey: key.privateKey, reason: 'superseded' });
    expect(withRevocations(checkOf(renewed), renewed.der, [verified(superseded)]).status).toBe('valid');
    expect(withRevocations(checkOf(key), key.der, [verified(superseded)]).status).toBe('revoked');
  });

  it('another key’s revocation changes nothing', () => {
    const check = checkOf(other);
    expect(withRevocations(check, other.der, [verified(statement)])).toEqual(check);
  });
});
