/**
 * The node-forge function that exists at runtime but that @types/node-forge does not declare,
 * given its real signature once here so the rest of main/keys stays free of casts; and the
 * conversions to forge's "binary strings" (one char per byte).
 */
import forge from 'node-forge';

interface ForgeUndeclared {
  pki: { getTBSCertificate(cert: forge.pki.Certificate): forge.asn1.Asn1 };
}

// The cast only adds a declaration: node-forge 1.4.3 lib/x509.js defines the function.
const undeclared = forge as unknown as ForgeUndeclared;

export function bytesToBinary(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('binary');
}

export function binaryToBuffer(binary: string): Buffer {
  return Buffer.from(binary, 'binary');
}

export function asn1ToBuffer(node: forge.asn1.Asn1): Buffer {
  return binaryToBuffer(forge.asn1.toDer(node).getBytes());
}

/** The certificate's TBSCertificate (RFC 5280 §4.1.1.1) as forge would sign it. */
export function getTBSCertificate(cert: forge.pki.Certificate): forge.asn1.Asn1 {
  return undeclared.pki.getTBSCertificate(cert);
}
