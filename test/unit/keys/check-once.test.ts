/**
 * Checking a contact's certificate does each costly step once (validate.ts): the strict parse of the DER
 * (shared by the quick path's key and dates, the names and the signature algorithm), and, for a
 * certificate already checked, nothing but the cache lookup.
 */
import { beforeAll, expect, it, vi } from 'vitest';
import { createSelfSignedCertificate } from '../../../main/keys/certificate.js';
import { certificateFingerprint } from '../../../main/keys/fingerprint.js';
import * as der from '../../../main/keys/der.js';
import { generateRsaKeyPair } from '../../../main/keys/generate.js';
import { CertificateChecker, checkPublishedCertificate } from '../../../main/keys/validate.js';

// Counts the DER parses while keeping them real.
vi.mock('../../../main/keys/der.js', async (importOriginal) => {
  const original = await importOriginal<typeof der>();
  return { ...original, parseDer: vi.fn(original.parseDer) };
});

const JULIET = 'juliet@capulet.lit';
let certificate: Buffer;

beforeAll(async () => {
  const { privateKey } = await generateRsaKeyPair(2048);
  certificate = await createSelfSignedCertificate({ bareJid: JULIET, privateKey });
}, 60_000);

it('parses a certificate once, plus its RSA key and subjectAltName extension, and a known one not at all', () => {
  const parses = vi.mocked(der.parseDer);
  parses.mockClear();
  const input = { der: certificate, publisherJid: JULIET, itemId: certificateFingerprint(certificate) };
  expect(checkPublishedCertificate(input).status).toBe('valid');
  // The certificate, then the RSAPublicKey inside its key's BIT STRING, then the extension's own DER (the names).
  expect(parses).toHaveBeenCalledTimes(3);

  const checker = new CertificateChecker();
  parses.mockClear();
  expect(checker.check(input).status).toBe('valid');
  expect(parses).toHaveBeenCalledTimes(3);
  parses.mockClear();
  expect(checker.check({ ...input, der: Buffer.from(certificate) }).status).toBe('valid');
  expect(parses).not.toHaveBeenCalled();
});
