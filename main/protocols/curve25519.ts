/**
 * One OMEMO identity key has two forms: the Curve25519 (Montgomery) u coordinate that libsignal-based
 * clients (Conversations, Gajim, Profanity) publish and show, and the Ed25519 (Edwards) form that
 * urn:xmpp:omemo:2 publishes (XEP-0384 §4.2 "Encode(PK)"). RFC 7748 §4.1 gives the birational map
 * between them: u = (1 + y) / (1 - y), y = (u - 1) / (u + 1) (mod p = 2^255 - 19).
 *
 * Signatures: urn:xmpp:omemo:2 bundles carry plain Ed25519 signatures. libsignal's (the
 * eu.siacs.conversations.axolotl bundles) are Ed25519 signatures made with the Curve25519 key turned
 * into Edwards form, with the sign of the Edwards x coordinate carried in the top bit of the signature's
 * last byte (libsignal's curve25519_verify; XEdDSA always makes that bit zero). Verifying needs only the
 * map above and Node's Ed25519.
 *
 * Every input is a contact's published bytes: no function here throws on them.
 */
import { createPublicKey, verify } from 'node:crypto';

const P = 2n ** 255n - 19n;
const LOW_255_BITS = (1n << 255n) - 1n;
/** The DER SubjectPublicKeyInfo header of an Ed25519 key (RFC 8410 §4), before the 32 key bytes. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

const mod = (a: bigint): bigint => ((a % P) + P) % P;

function power(base: bigint, exponent: bigint): bigint {
  let result = 1n;
  let b = mod(base);
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % P;
    b = (b * b) % P;
  }
  return result;
}

/** Fermat: a^(p-2) is a's inverse modulo the prime p (a ≠ 0). */
const inverse = (a: bigint): bigint => power(a, P - 2n);

function fromLittleEndian(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i] ?? 0);
  return n;
}

function toLittleEndian(n: bigint): Buffer {
  const out = Buffer.alloc(32);
  let v = n;
  for (let i = 0; i < 32; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** The Curve25519 u coordinate (32 bytes) of an Ed25519 public key, or undefined for bytes that are none. */
export function edwardsToMontgomery(edwards: Uint8Array): Buffer | undefined {
  if (edwards.length !== 32) return undefined;
  const y = fromLittleEndian(edwards) & LOW_255_BITS; // RFC 8032 §5.1.3: the top bit is x's sign
  if (y >= P) return undefined; // not canonical
  const denominator = mod(1n - y);
  if (denominator === 0n) return undefined; // y = 1: the neutral point, no u
  return toLittleEndian(mod((1n + y) * inverse(denominator)));
}

/** The Ed25519 public key for a Curve25519 u coordinate, with the given sign of x; undefined if none. */
export function montgomeryToEdwards(montgomery: Uint8Array, signBit: 0 | 1): Buffer | undefined {
  if (montgomery.length !== 32) return undefined;
  const u = mod(fromLittleEndian(montgomery) & LOW_255_BITS); // RFC 7748 §5: the top bit is ignored
  const denominator = mod(u + 1n);
  if (denominator === 0n) return undefined; // u = -1 has no Edwards point
  const edwards = toLittleEndian(mod((u - 1n) * inverse(denominator)));
  edwards[31] = ((edwards[31] ?? 0) & 0x7f) | (signBit << 7);
  return edwards;
}

/** RFC 8032 Ed25519 verification; false for anything malformed. */
export function verifyEd25519(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  try {
    const key = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
    return verify(null, message, key, signature);
  } catch {
    return false;
  }
}

/** libsignal's curve25519_verify: the signature by a Curve25519 key, the sign bit in signature[63]. */
export function verifyCurve25519Signature(montgomery: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== 64) return false;
  const signBit = ((signature[63] ?? 0) & 0x80) === 0 ? 0 : 1;
  const edwards = montgomeryToEdwards(montgomery, signBit);
  if (!edwards) return false;
  const plain = Buffer.from(signature);
  plain[63] = (plain[63] ?? 0) & 0x7f;
  return verifyEd25519(edwards, message, plain);
}
