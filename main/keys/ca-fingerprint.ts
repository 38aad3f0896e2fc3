/**
 * A CA file's fingerprint, as people compare it with `openssl x509 -noout -fingerprint -sha256`:
 * SHA-256 over each certificate's DER, uppercase hex with colons, ' + ' between the certificates of a
 * bundle (so a certificate added to a bundle changes it too).
 */
import { X509Certificate } from 'node:crypto';
import { KeyringError } from '../errors.js';

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

export function caFileFingerprint(pem: string): { fingerprint: string; subjects: string[]; notAuthorities?: { subject: string; issuer: string }[] } {
  const certificates = (pem.match(PEM_BLOCK) ?? []).map((block) => {
    try {
      return new X509Certificate(block);
    } catch {
      throw new KeyringError('invalid-argument', 'The CA file holds a certificate that cannot be read.', 'caFile');
    }
  });
  if (certificates.length === 0) throw new KeyringError('invalid-argument', 'The CA file holds no PEM certificate.', 'caFile');
  // A server's own certificate, issued by an authority (CA:FALSE, or no basicConstraints, and another
  // issuer), is no trust anchor: chosen as the "CA", the connection is still refused as signed by an
  // authority the app does not trust, which reads as "do what you just did" (the user walk). Named, so
  // the field says which certificate to ask for instead. A self-signed one is left alone: a server's
  // self-signed certificate pinned this way is what some admins hand out.
  const oneLine = (name: string) => name.replace(/\n/g, ', ');
  const notAuthorities = certificates.filter((c) => !c.ca && c.issuer !== c.subject).map((c) => ({ subject: oneLine(c.subject), issuer: oneLine(c.issuer) }));
  return {
    fingerprint: certificates.map((c) => c.fingerprint256).join(' + '),
    subjects: certificates.map((c) => oneLine(c.subject)),
    ...(notAuthorities.length > 0 ? { notAuthorities } : {}),
  };
}

/** Compares fingerprints as typed or pasted: case, spaces and colons do not matter. */
export function sameCaFingerprint(a: string, b: string): boolean {
  const norm = (text: string) => text.toUpperCase().replace(/[\s:]/g, '');
  return norm(a) === norm(b);
}
