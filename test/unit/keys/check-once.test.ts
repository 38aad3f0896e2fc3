/**
 * Checking a contact's certificate does each costly step once (validate.ts): forge's parse of the DER
 * (shared by the quick path's key and dates, the names and the signature algorithm), and, for a
 * certificate already checked, nothing but the cache lookup.
 */
import { beforeAll, expect, it, vi } from 'vitest';
import { createSelfSignedCertificate } from '../../../main/keys/certificate.js';
import { certificateFingerprint } from '../../../main/keys/fingerprint.js';
import * as forgeTyped from '../../../main/keys/forge-typed.js';
import { generateRsaKeyPair } from '../../../main/keys/generate.js';
import { CertificateChecker, checkPublishedCertificate } from '../../../main/keys/validate.js';

// Counts forge's parses while keeping them real.
vi.mock('../../../main/keys/forge-typed.js', async (importOriginal) => {
  const original = await importOriginal<typeof forgeTyped>();
  return { ...original, asn1FromDer: vi.fn(original.asn1FromDer) };
});

const JULIET = 'juliet@capulet.lit';
let der: Buffer;

beforeAll(async () => {
  const { privateKey } = await generateRsaKeyPair(2048);
  der = await createSelfSignedCertificate({ bareJid: JULIET, privateKey });
}, 60_000);

it('parses a certificate with forge once, plus its RSA key and subjectAltName extension, and a known one not at all', () => {
  const parses = vi.mocked(forgeTyped.asn1FromDer);
  parses.mockClear();
  const input = { der, publisherJid: JULIET, itemId: certificateFingerprint(der) };
  expect(checkPublishedCertificate(input).status).toBe('valid');
  // The certificate, then the RSAPublicKey inside its key's BIT STRING, then the extension's own DER (the names).
  expect(parses).toHaveBeenCalledTimes(3);

  const checker = new CertificateChecker();
  parses.mockClear();
  expect(checker.check(input).status).toBe('valid');
  expect(parses).toHaveBeenCalledTimes(3);
  parses.mockClear();
  expect(checker.check({ ...input, der: Buffer.from(der) }).status).toBe('valid');
  expect(parses).not.toHaveBeenCalled();
});
