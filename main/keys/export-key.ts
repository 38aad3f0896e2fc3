/**
 * Exporting the account's key material. The certificate is public and exports freely. The private key
 * leaves the app only encrypted under a passphrase the user types for this export, never in clear and
 * never under a stored secret.
 */
import { createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { KeyringError } from '../errors.js';
import { buildPkcs12 } from './pkcs12.js';
import { toPem } from './pem.js';

export const MIN_EXPORT_PASSPHRASE_LENGTH = 8;
const MAX_EXPORT_PASSPHRASE_LENGTH = 1024;

export function exportCertificatePem(certificateDer: Uint8Array): string {
  return toPem('CERTIFICATE', certificateDer);
}

export function exportCertificateDer(certificateDer: Uint8Array): Buffer {
  return Buffer.from(certificateDer);
}

/** Encrypted PKCS#8 (RFC 5958 EncryptedPrivateKeyInfo, PBES2 with AES-256-CBC), PEM. */
export function exportPrivateKeyPem(privateKey: KeyObject, passphrase: string): string {
  const pass = requirePassphrase(passphrase);
  // Private key material passes here, and leaves only encrypted: never log it.
  return privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: pass }).toString();
}

/** PKCS#12 with the key and its certificate, readable by OpenSSL 3, browsers and mail clients. */
export function exportPkcs12(privateKey: KeyObject, certificateDer: Uint8Array, passphrase: string): Buffer {
  const password = requirePassphrase(passphrase);
  const certificatePublicKey = new X509Certificate(certificateDer).publicKey.export({ type: 'spki', format: 'der' });
  if (!createPublicKey(privateKey).export({ type: 'spki', format: 'der' }).equals(certificatePublicKey)) {
    throw new KeyringError('invalid-argument', 'The private key does not belong to this certificate.');
  }
  return buildPkcs12({ privateKey, certificates: [certificateDer], password });
}

function requirePassphrase(passphrase: unknown): string {
  if (typeof passphrase !== 'string' || passphrase.length === 0) {
    throw new KeyringError('invalid-argument', 'Choose a passphrase to protect the exported private key.', 'passphrase');
  }
  // Counted in characters (code points), as the user sees them.
  const length = [...passphrase].length;
  if (length < MIN_EXPORT_PASSPHRASE_LENGTH) {
    throw new KeyringError(
      'invalid-argument',
      `The passphrase must be at least ${MIN_EXPORT_PASSPHRASE_LENGTH} characters long.`,
      'passphrase',
    );
  }
  if (length > MAX_EXPORT_PASSPHRASE_LENGTH) {
    throw new KeyringError('invalid-argument', 'The passphrase is too long.', 'passphrase');
  }
  return passphrase;
}
