/**
 * Tools for damaging certificates reproducibly, shared by the tests that feed the certificate checks
 * hostile bytes: cutting a DER certificate apart and signing it again.
 */
import { sign, type KeyObject } from 'node:crypto';

/** DER length octets (X.690 §8.1.3). */
function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export const tlv = (tag: number, content: Buffer): Buffer => Buffer.concat([Buffer.from([tag]), derLength(content.length), content]);

/** A certificate's TBSCertificate and signatureAlgorithm elements, as they are in its DER. */
export function splitCertificate(der: Buffer): { tbs: Buffer; signatureAlgorithm: Buffer } {
  const [tbs = Buffer.alloc(0), signatureAlgorithm = Buffer.alloc(0)] = elements(contentOf(der));
  return { tbs, signatureAlgorithm };
}

/** A certificate of these TBSCertificate bytes under this algorithm, signed (RSASSA-PKCS1-v1_5) again. */
export function signedCertificate(tbs: Buffer, signatureAlgorithm: Buffer, privateKey: KeyObject, hash = 'sha256'): Buffer {
  // Private key material passes here (a throwaway test key): never log it.
  const signature = sign(hash, tbs, privateKey);
  return tlv(0x30, Buffer.concat([tbs, signatureAlgorithm, tlv(0x03, Buffer.concat([Buffer.from([0]), signature]))]));
}

/** The TLV elements one after another in `content` (definite lengths). */
export function elements(content: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < content.length; ) {
    const { header, length } = readHeader(content, at);
    out.push(content.subarray(at, at + header + length));
    at += header + length;
  }
  return out;
}

/** An element's contents, after its tag and length octets. */
export function contentOf(element: Buffer): Buffer {
  return element.subarray(readHeader(element, 0).header);
}

/** The same element with its length in long form, `octets` length octets where DER wants the fewest. */
export function withLongFormLength(element: Buffer, octets: number): Buffer {
  const content = contentOf(element);
  const length = Buffer.alloc(octets);
  length.writeUIntBE(content.length, 0, octets);
  return Buffer.concat([element.subarray(0, 1), Buffer.from([0x80 | octets]), length, content]);
}

function readHeader(der: Buffer, at: number): { header: number; length: number } {
  const first = der[at + 1] ?? 0;
  if (first < 0x80) return { header: 2, length: first };
  let length = 0;
  for (let i = 0; i < (first & 0x7f); i++) length = length * 256 + (der[at + 2 + i] ?? 0);
  return { header: 2 + (first & 0x7f), length };
}

/** The same TBSCertificate with its field `index` (0 = version) replaced by `element`. */
export function withTbsField(tbs: Buffer, index: number, element: Buffer): Buffer {
  return tlv(0x30, Buffer.concat(elements(contentOf(tbs)).map((field, i) => (i === index ? element : field))));
}

/** A Name of one commonName (2.5.4.3) whose value has this universal tag and these contents. */
export function commonNameDer(tag: number, value: Buffer): Buffer {
  const attribute = tlv(0x30, Buffer.concat([Buffer.from([0x06, 0x03, 0x55, 0x04, 0x03]), tlv(tag, value)]));
  return tlv(0x30, tlv(0x31, attribute));
}
