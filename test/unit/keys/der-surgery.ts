/**
 * Tools for damaging certificates reproducibly, shared by the tests that feed the certificate checks
 * hostile bytes: a seeded PRNG, and cutting a DER certificate apart and signing it again.
 */
import { sign, type KeyObject } from 'node:crypto';

/** mulberry32: a tiny seeded PRNG, so a failure can be replayed. */
export function prng(seed: number): { int(n: number): number; bytes(n: number): Buffer } {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  return { int, bytes: (n) => Buffer.from(Array.from({ length: n }, () => int(256))) };
}

/** DER length octets (X.690 §8.1.3). */
function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export const tlv = (tag: number, content: Buffer): Buffer => Buffer.concat([Buffer.from([tag]), derLength(content.length), content]);

/** The TBSCertificate's element boundaries in a DER certificate with long-form lengths. */
export function splitCertificate(der: Buffer): { tbs: Buffer; signatureAlgorithm: Buffer } {
  const headerLength = (at: number): { header: number; length: number } => {
    const first = der[at + 1] ?? 0;
    if (first < 0x80) return { header: 2, length: first };
    let length = 0;
    for (let i = 0; i < (first & 0x7f); i++) length = length * 256 + (der[at + 2 + i] ?? 0);
    return { header: 2 + (first & 0x7f), length };
  };
  const outer = headerLength(0);
  const tbsAt = outer.header;
  const tbs = headerLength(tbsAt);
  const algAt = tbsAt + tbs.header + tbs.length;
  const alg = headerLength(algAt);
  return { tbs: der.subarray(tbsAt, algAt), signatureAlgorithm: der.subarray(algAt, algAt + alg.header + alg.length) };
}


/** A certificate of these TBSCertificate bytes under this algorithm, signed (RSASSA-PKCS1-v1_5) again. */
export function signedCertificate(tbs: Buffer, signatureAlgorithm: Buffer, privateKey: KeyObject, hash = 'sha256'): Buffer {
  // Private key material passes here (a throwaway test key): never log it.
  const signature = sign(hash, tbs, privateKey);
  return tlv(0x30, Buffer.concat([tbs, signatureAlgorithm, tlv(0x03, Buffer.concat([Buffer.from([0]), signature]))]));
}
