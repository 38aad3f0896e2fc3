/**
 * A certificate's fingerprint: SHA-256 over its DER, lowercase hex. It is also the id of the PEP item
 * that carries the certificate, so a reader can check that an item holds what its id promises.
 */
import { createHash } from 'node:crypto';

const SHA256_HEX = /^[0-9a-f]{64}$/;

export function certificateFingerprint(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex');
}

/** True for 64 hex digits, either case. */
export function isFingerprint(value: string): boolean {
  return SHA256_HEX.test(value.toLowerCase());
}

/** Hex is case-insensitive; both must be well-formed fingerprints. */
export function sameFingerprint(a: string, b: string): boolean {
  return isFingerprint(a) && isFingerprint(b) && a.toLowerCase() === b.toLowerCase();
}
