/**
 * A CA file's fingerprint, as people compare it with `openssl x509 -noout -fingerprint -sha256`:
 * SHA-256 over each certificate's DER, uppercase hex with colons, ' + ' between the certificates of a
 * bundle (so a certificate added to a bundle changes it too).
 */
import { X509Certificate } from 'node:crypto';
import { KeyringError } from '../errors.js';

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

export function caFileFingerprint(pem: string): { fingerprint: string; subjects: string[] } {
  const certificates = (pem.match(PEM_BLOCK) ?? []).map((block) => {
    try {
      return new X509Certificate(block);
    } catch {
      throw new KeyringError('invalid-argument', 'The CA file holds a certificate that cannot be read.', 'caFile');
    }
  });
  if (certificates.length === 0) throw new KeyringError('invalid-argument', 'The CA file holds no PEM certificate.', 'caFile');
  return {
    fingerprint: certificates.map((c) => c.fingerprint256).join(' + '),
    subjects: certificates.map((c) => c.subject.replace(/\n/g, ', ')),
  };
}

/** Compares fingerprints as typed or pasted: case, spaces and colons do not matter. */
export function sameCaFingerprint(a: string, b: string): boolean {
  const norm = (text: string) => text.toUpperCase().replace(/[\s:]/g, '');
  return norm(a) === norm(b);
}
