/**
 * CertificateChecker remembers what cannot change about a certificate (its parse, signature and names)
 * so contacts' keys are not checked again at every fetch and view. It must answer exactly as
 * checkPublishedCertificate does, and still look at the clock every time.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createSelfSignedCertificate } from '../../../main/keys/certificate.js';
import { certificateFingerprint } from '../../../main/keys/fingerprint.js';
import { generateRsaKeyPair, type RsaKeyPair } from '../../../main/keys/generate.js';
import { CertificateChecker, checkPublishedCertificate, type PublishedCertificate } from '../../../main/keys/validate.js';

const JULIET = 'juliet@capulet.lit';
const DAY_MS = 86_400_000;
const start = new Date(Date.UTC(2026, 0, 1));
let keys: RsaKeyPair;
let good: Buffer;

beforeAll(async () => {
  keys = await generateRsaKeyPair(2048);
  good = await createSelfSignedCertificate({ bareJid: JULIET, privateKey: keys.privateKey, notBefore: start, validityDays: 30 });
}, 30_000);

const input = (overrides: Partial<PublishedCertificate> = {}): PublishedCertificate => ({
  der: good,
  publisherJid: JULIET,
  itemId: certificateFingerprint(good),
  now: new Date(start.getTime() + DAY_MS),
  ...overrides,
});

describe('a certificate checker with memory', () => {
  it('answers as checkPublishedCertificate does, for every kind of answer, the first time and again', () => {
    const checker = new CertificateChecker();
    const cases: PublishedCertificate[] = [
      input(),
      input({ publisherJid: 'romeo@montague.lit' }),
      input({ itemId: 'a'.repeat(64) }),
      input({ der: Buffer.from('not a certificate') }),
      input({ der: Buffer.concat([good, Buffer.from([0])]) }),
      input({ der: 'not bytes' as unknown as Uint8Array }),
    ];
    for (const c of cases) {
      const expected = checkPublishedCertificate(c);
      expect(checker.check(c)).toEqual(expected);
      expect(checker.check(c)).toEqual(expected);
    }
    expect(checker.check(cases[0] as PublishedCertificate).status).toBe('valid');
  });

  it('still compares the validity period with the clock at every call', () => {
    const checker = new CertificateChecker();
    const at = (days: number) => checker.check(input({ now: new Date(start.getTime() + days * DAY_MS) })).status;
    expect(at(1)).toBe('valid');
    expect(at(-1)).toBe('valid'); // a day behind the owner's clock: clock-tolerance.ts
    expect(at(-2)).toBe('not-yet-valid');
    expect(at(31)).toBe('expired');
    expect(at(2)).toBe('valid');
  });

  it('does not mix up publishers or item ids for the same certificate bytes', () => {
    const checker = new CertificateChecker();
    expect(checker.check(input()).status).toBe('valid');
    expect(checker.check(input({ publisherJid: 'romeo@montague.lit' })).status).toBe('jid-mismatch');
    expect(checker.check(input({ itemId: 'b'.repeat(64) })).status).toBe('fingerprint-mismatch');
    expect(checker.check(input()).status).toBe('valid');
  });

  it('hands out copies: changing an answer does not change the next one', () => {
    const checker = new CertificateChecker();
    const first = checker.check(input({ publisherJid: 'romeo@montague.lit' }));
    first.reason = 'tampered';
    first.status = 'valid';
    expect(checker.check(input({ publisherJid: 'romeo@montague.lit' }))).toMatchObject({ status: 'jid-mismatch' });
    expect(checker.check(input({ publisherJid: 'romeo@montague.lit' })).reason).not.toBe('tampered');
  });

  it('keeps answering correctly past its size limit', () => {
    const checker = new CertificateChecker(2);
    const publishers = ['a@x.lit', 'b@x.lit', 'c@x.lit', JULIET];
    for (let round = 0; round < 2; round++) {
      for (const publisherJid of publishers) {
        expect(checker.check(input({ publisherJid }))).toEqual(checkPublishedCertificate(input({ publisherJid })));
      }
    }
  });
});
