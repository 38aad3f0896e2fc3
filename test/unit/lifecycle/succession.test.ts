/** Succession statements: signed by the key being replaced, checked against the certificate known before. */
import { constants, generateKeyPairSync, sign } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { KeyringError } from '../../../main/errors.js';
import { createSelfSignedCertificate } from '../../../main/keys/certificate.js';
import { canonicalStatementBytes, statementDate } from '../../../main/keys/signed-statement.js';
import {
  createSuccession,
  successionSignedBytes,
  verifySuccession,
  type SuccessionContext,
  type SuccessionStatement,
} from '../../../main/keys/succession.js';
import { HOSTILE_VALUES, JULIET, makeKey, ROMEO, VECTOR_NOW, vectors, type OwnKey } from './support.js';

let oldKey: OwnKey;
let newKey: OwnKey;
let mallory: OwnKey;
let statement: SuccessionStatement;

beforeAll(async () => {
  [oldKey, newKey, mallory] = await Promise.all([makeKey(), makeKey(), makeKey()]);
  statement = await createSuccession({
    bareJid: JULIET,
    oldCertificateDer: oldKey.der,
    oldPrivateKey: oldKey.privateKey,
    newCertificateDer: newKey.der,
  });
}, 30_000);

const context = (overrides: Partial<SuccessionContext> = {}): SuccessionContext => ({
  publisherJid: JULIET,
  newFingerprint: newKey.fingerprint,
  oldCertificateDer: oldKey.der,
  ...overrides,
});

describe('the signed bytes', () => {
  it('are each field length-prefixed (4 bytes, big-endian), so no two field lists share an encoding', () => {
    expect(canonicalStatementBytes(['a', 'bc']).toString('hex')).toBe('00000001' + '61' + '00000002' + '6263');
    expect(canonicalStatementBytes(['ab', 'c']).equals(canonicalStatementBytes(['a', 'bc']))).toBe(false);
    // XEP-0189 §4's plain concatenation would make these two the same string.
    expect(canonicalStatementBytes(['juliet@capulet.lit2', '025-06-01']).equals(canonicalStatementBytes(['juliet@capulet.lit', '2025-06-01']))).toBe(false);
    // UTF-8 length in bytes, not in UTF-16 units.
    expect(canonicalStatementBytes(['é']).toString('hex')).toBe('00000002c3a9');
  });

  it('start with the succession namespace, then jid, old, new and date', () => {
    const bytes = successionSignedBytes({ jid: 'j', old: 'o', new: 'n', date: 'd' });
    expect(bytes.equals(canonicalStatementBytes(['urn:keyring-xmpp:succession:0', 'j', 'o', 'n', 'd']))).toBe(true);
  });
});

describe('the committed test vector', () => {
  const { statement: fixed, signedBytesHex } = vectors.succession;
  const oldDer = Buffer.from(vectors.oldCertificate, 'base64');

  it('encodes to exactly the bytes that were signed when it was made', () => {
    expect(successionSignedBytes(fixed).toString('hex')).toBe(signedBytesHex);
  });

  it('still verifies against the old certificate', () => {
    const check = verifySuccession(fixed, {
      publisherJid: vectors.jid,
      newFingerprint: fixed.new,
      oldCertificateDer: oldDer,
      now: VECTOR_NOW,
    });
    expect(check).toEqual({ valid: true, old: fixed.old, new: fixed.new, date: '2025-06-01T12:00:00Z' });
  });
});

describe('making and checking a succession', () => {
  it('names the account, both fingerprints and the date to the second, signed with RSA-PSS', () => {
    expect(statement).toMatchObject({ jid: JULIET, old: oldKey.fingerprint, new: newKey.fingerprint, algorithm: 'rsa-pss-sha256' });
    expect(statement.date).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(Buffer.from(statement.signature, 'base64')).toHaveLength(256);
    expect(verifySuccession(statement, context())).toMatchObject({ valid: true });
  });

  it('writes the JID in its comparable form and accepts a publisher JID with a resource or other case', async () => {
    const mixed = await createSuccession({ bareJid: 'Juliet@Capulet.lit', oldCertificateDer: oldKey.der, oldPrivateKey: oldKey.privateKey, newCertificateDer: newKey.der });
    expect(mixed.jid).toBe(JULIET);
    expect(verifySuccession(mixed, context({ publisherJid: 'JULIET@capulet.lit/balcony' }))).toMatchObject({ valid: true });
  });

  it('covers a renewal: a new certificate for the same key', async () => {
    const renewed = await makeKey(JULIET, { privateKey: oldKey.privateKey });
    const renewal = await createSuccession({ bareJid: JULIET, oldCertificateDer: oldKey.der, oldPrivateKey: oldKey.privateKey, newCertificateDer: renewed.der });
    expect(verifySuccession(renewal, context({ newFingerprint: renewed.fingerprint }))).toMatchObject({ valid: true });
  });

  it('refuses to sign with a key that is not the old certificate’s, or a certificate succeeding itself', async () => {
    await expect(
      createSuccession({ bareJid: JULIET, oldCertificateDer: oldKey.der, oldPrivateKey: mallory.privateKey, newCertificateDer: newKey.der }),
    ).rejects.toThrow(KeyringError);
    await expect(
      createSuccession({ bareJid: JULIET, oldCertificateDer: oldKey.der, oldPrivateKey: oldKey.privateKey, newCertificateDer: oldKey.der }),
    ).rejects.toThrow(/succeed itself/);
    await expect(
      createSuccession({ bareJid: 'not a jid', oldCertificateDer: oldKey.der, oldPrivateKey: oldKey.privateKey, newCertificateDer: newKey.der }),
    ).rejects.toThrow(KeyringError);
  });
});

describe('forged and misused statements are refused, with the reason', () => {
  it('a statement signed by another key (mallory claims juliet’s old key vouches for hers)', async () => {
    const forged = await createSuccession({ bareJid: JULIET, oldCertificateDer: mallory.der, oldPrivateKey: mallory.privateKey, newCertificateDer: newKey.der });
    // Relabelled as if from the old key: the signature is mallory's.
    const relabelled = { ...forged, old: oldKey.fingerprint };
    expect(verifySuccession(relabelled, context())).toMatchObject({ valid: false, problem: 'bad-signature' });
  });

  it.each([
    ['the new fingerprint', (s: SuccessionStatement) => ({ ...s, new: 'ab'.repeat(32) }), 'wrong-new-key'],
    ['the date', (s: SuccessionStatement) => ({ ...s, date: '2020-01-01T00:00:00Z' }), 'bad-signature'],
    ['the old fingerprint', (s: SuccessionStatement) => ({ ...s, old: 'ab'.repeat(32) }), 'wrong-old-key'],
    ['one bit of the signature', (s: SuccessionStatement) => ({ ...s, signature: flipBit(s.signature) }), 'bad-signature'],
    ['the signature, truncated', (s: SuccessionStatement) => ({ ...s, signature: s.signature.slice(0, 40) }), 'bad-signature'],
    ['the algorithm', (s: SuccessionStatement) => ({ ...s, algorithm: 'rsa-pkcs1-sha256' }), 'unsupported-algorithm'],
  ])('a statement with %s changed', (_what, change, problem) => {
    expect(verifySuccession(change(statement), context())).toMatchObject({ valid: false, problem });
  });

  it('a statement whose JID is changed to the publisher’s (replayed for another account holding the same key)', () => {
    expect(verifySuccession({ ...statement, jid: ROMEO }, context({ publisherJid: ROMEO }))).toMatchObject({
      valid: false,
      problem: 'old-key-unusable', // juliet's certificate does not bind romeo
    });
    expect(verifySuccession(statement, context({ publisherJid: ROMEO }))).toMatchObject({ valid: false, problem: 'wrong-account' });
  });

  it('a statement copied into another key’s item', () => {
    expect(verifySuccession(statement, context({ newFingerprint: mallory.fingerprint }))).toMatchObject({ valid: false, problem: 'wrong-new-key' });
  });

  it('a PKCS#1 v1.5 signature over the same bytes (only PSS counts)', () => {
    const pkcs1 = sign('sha256', successionSignedBytes(statement), { key: oldKey.privateKey, padding: constants.RSA_PKCS1_PADDING });
    expect(verifySuccession({ ...statement, signature: pkcs1.toString('base64') }, context())).toMatchObject({ valid: false, problem: 'bad-signature' });
  });

  it('a statement dated more than a day ahead', async () => {
    const later = await createSuccession({
      bareJid: JULIET,
      oldCertificateDer: oldKey.der,
      oldPrivateKey: oldKey.privateKey,
      newCertificateDer: newKey.der,
      date: new Date(Date.now() + 3 * 86_400_000),
    });
    expect(verifySuccession(later, context())).toMatchObject({ valid: false, problem: 'dated-in-future' });
    expect(verifySuccession(later, context({ now: new Date(Date.now() + 3 * 86_400_000) }))).toMatchObject({ valid: true });
  });

  it('a statement signed by a weak (1024-bit) old key', async () => {
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    const weakDer = await createSelfSignedCertificate({ bareJid: JULIET, privateKey: weak });
    const signed = await createSuccession({ bareJid: JULIET, oldCertificateDer: weakDer, oldPrivateKey: weak, newCertificateDer: newKey.der });
    expect(verifySuccession(signed, context({ oldCertificateDer: weakDer }))).toMatchObject({ valid: false, problem: 'old-key-weak' });
  });

  it('an old certificate that is not one', () => {
    for (const der of [Buffer.alloc(0), Buffer.from('garbage'), Buffer.alloc(70_000, 0x30)]) {
      expect(verifySuccession(statement, context({ oldCertificateDer: der }))).toMatchObject({ valid: false, problem: 'old-key-unusable' });
    }
  });

  it('hostile values in place of a statement or its context: never thrown, always malformed', () => {
    for (const value of HOSTILE_VALUES) {
      expect(verifySuccession(value, context())).toMatchObject({ valid: false, problem: 'malformed' });
    }
    for (const date of ['2025-02-30T00:00:00Z', '2025-06-01T12:00:00.000Z', '2025-06-01T12:00:00+00:00', ' 2025-06-01T12:00:00Z']) {
      expect(verifySuccession({ ...statement, date }, context())).toMatchObject({ valid: false, problem: 'malformed' });
    }
    expect(verifySuccession({ ...statement, extra: 1 }, context())).toMatchObject({ valid: false, problem: 'malformed' });
    expect(verifySuccession({ ...statement, old: statement.old.toUpperCase() }, context())).toMatchObject({ valid: false, problem: 'malformed' });
    const broken = { publisherJid: 42, newFingerprint: null, oldCertificateDer: 'x' } as unknown as SuccessionContext;
    expect(verifySuccession(statement, broken)).toMatchObject({ valid: false });
  });
});

it('statementDate writes UTC to the second', () => {
  expect(statementDate(new Date('2025-06-01T12:00:00.987+02:00'))).toBe('2025-06-01T10:00:00Z');
});

function flipBit(base64: string): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[100] = (bytes[100] ?? 0) ^ 0x01;
  return bytes.toString('base64');
}
