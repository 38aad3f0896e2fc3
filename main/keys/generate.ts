/**
 * RSA key pairs for the account's certificate. Node's `crypto.generateKeyPair` runs the prime search on
 * libuv's thread pool, so a 4096-bit key (seconds of work) never blocks the main process's event loop;
 * forge's JavaScript generator would.
 */
import { generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { KeyringError } from '../errors.js';

const generateKeyPairAsync = promisify(generateKeyPair);

/** The sizes the app offers. 2048 is the floor NIST SP 800-57 allows past 2030 only for legacy use. */
export const RSA_KEY_SIZES = [2048, 3072, 4096] as const;
export type RsaKeySize = (typeof RSA_KEY_SIZES)[number];

export interface RsaKeyPair {
  publicKey: KeyObject;
  /** Private key material: never log it, never send it over IPC. */
  privateKey: KeyObject;
}

export function isRsaKeySize(bits: unknown): bits is RsaKeySize {
  return RSA_KEY_SIZES.some((size) => size === bits);
}

export async function generateRsaKeyPair(bits: RsaKeySize): Promise<RsaKeyPair> {
  if (!isRsaKeySize(bits)) {
    throw new KeyringError('invalid-argument', `RSA keys can be ${RSA_KEY_SIZES.join(', ')} bits long.`, 'bits');
  }
  // F4 (65537) is the exponent every implementation expects (RFC 8017 §3.1 allows others; nobody uses them).
  return generateKeyPairAsync('rsa', { modulusLength: bits, publicExponent: 0x10001 });
}
