/**
 * The few node-forge functions that exist at runtime but that @types/node-forge does not declare,
 * given their real signatures once here so the rest of main/keys stays free of casts; and the
 * conversions to forge's "binary strings" (one char per byte).
 */
import forge from 'node-forge';

export interface FromDerOptions {
  /** Refuse some malformed input (lengths past the end, trailing bytes); it still takes BER leniencies such as long-form and indefinite lengths, so it is no DER check. */
  strict: boolean;
  /** Fail when bytes follow the outermost element. */
  parseAllBytes: boolean;
  /** forge otherwise tries to parse every BIT STRING's payload as ASN.1: pointless work on hostile input. */
  decodeBitStrings: boolean;
  /** Recursion limit; forge's default is 256. */
  maxDepth?: number;
}

interface ForgeUndeclared {
  asn1: { fromDer(bytes: string, options: FromDerOptions): forge.asn1.Asn1 };
  pki: { getTBSCertificate(cert: forge.pki.Certificate): forge.asn1.Asn1 };
}

// The cast only adds declarations: node-forge 1.4.3 lib/asn1.js and lib/x509.js define both functions.
const undeclared = forge as unknown as ForgeUndeclared;

export function bytesToBinary(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('binary');
}

export function binaryToBuffer(binary: string): Buffer {
  return Buffer.from(binary, 'binary');
}

/** `forge.asn1.fromDer` with its options object (the typings only know a boolean `strict`). */
export function asn1FromDer(bytes: Uint8Array, options: FromDerOptions): forge.asn1.Asn1 {
  return undeclared.asn1.fromDer(bytesToBinary(bytes), options);
}

export function asn1ToBuffer(node: forge.asn1.Asn1): Buffer {
  return binaryToBuffer(forge.asn1.toDer(node).getBytes());
}

/** The certificate's TBSCertificate (RFC 5280 §4.1.1.1) as forge would sign it. */
export function getTBSCertificate(cert: forge.pki.Certificate): forge.asn1.Asn1 {
  return undeclared.pki.getTBSCertificate(cert);
}
