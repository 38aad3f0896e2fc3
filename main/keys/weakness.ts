/**
 * Whether a contact's genuine RSA certificate is too weak to rely on. Each rule that applies gives one
 * phrase for the user, so the status 'weak' always says which rule:
 *
 * - an RSA modulus under 2048 bits: the least the app makes for its own keys (`keys:generate`);
 *   512-bit keys have been factored on rented machines in hours;
 * - a signature made with MD2, MD4, MD5 or SHA-1 (RFC 6151 for MD5; RFC 9155 deprecates MD5 and SHA-1
 *   signatures): with a collision, one signature serves two different certificates;
 * - a public exponent other than 65537: 1 leaves the "encryption" as the identity, an even exponent is no
 *   RSA key at all, and small ones (3) are what signature forgeries against sloppy padding checks use.
 *
 * Only RSA is judged: validate.ts refuses every other key type before asking (the app's format is RSA).
 */
import { childrenOf, type DerNode, parseDer, readOid, sequenceOf } from './der.js';

export const MIN_RSA_BITS = 2048;
const F4 = 65537n;

/** Signature algorithm OIDs whose hash is broken for signatures. */
export const WEAK_SIGNATURES: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.2': 'MD2', // md2WithRSAEncryption
  '1.2.840.113549.1.1.3': 'MD4', // md4WithRSAEncryption
  '1.2.840.113549.1.1.4': 'MD5', // md5WithRSAEncryption
  '1.2.840.113549.1.1.5': 'SHA-1', // sha1WithRSAEncryption
  '1.3.14.3.2.3': 'MD5', // md5WithRSA (OIW)
  '1.3.14.3.2.29': 'SHA-1', // sha1WithRSASignature (OIW)
};
/** Hash OIDs inside RSASSA-PSS parameters (RFC 4055 §3.1). */
export const WEAK_HASHES: Readonly<Record<string, string>> = {
  '1.2.840.113549.2.2': 'MD2',
  '1.2.840.113549.2.5': 'MD5',
  '1.3.14.3.2.26': 'SHA-1',
};
export const RSASSA_PSS = '1.2.840.113549.1.1.10';

export interface RsaKeyFacts {
  /** Modulus length; undefined when the key does not say. */
  bits: number | undefined;
  publicExponent: bigint | undefined;
  /** The certificate's DER, for its signature algorithm. */
  der: Uint8Array;
  /** The same DER already parsed (xmpp-addr.ts parseCertificateDer), so it is not parsed again. */
  parsed?: DerNode;
}

/** The weaknesses found, as phrases for a sentence; empty when none. Never throws. */
export function findWeaknesses(key: RsaKeyFacts): string[] {
  const found: string[] = [];
  if (key.bits === undefined) found.push('an RSA key of unknown size');
  else if (key.bits < MIN_RSA_BITS) found.push(`an RSA key of only ${key.bits} bits (${MIN_RSA_BITS} is the least)`);

  const hash = weakSignatureHash(key.parsed ?? key.der);
  if (hash !== undefined) found.push(`a signature made with ${hash}, which is broken`);

  const e = key.publicExponent;
  if (e === undefined) found.push('an unreadable public exponent');
  else if (e === 1n) found.push('the public exponent 1, which encrypts nothing');
  else if (e % 2n === 0n) found.push('an even public exponent, which is not RSA');
  else if (e !== F4) found.push(`the public exponent ${e > 1_000_000n ? 'of unusual size' : e.toString()} (only 65537 is accepted)`);
  return found;
}

/**
 * The broken hash the certificate's signature uses, if any. RFC 5280 §4.1.1.2: Certificate ::=
 * SEQUENCE { tbsCertificate, signatureAlgorithm AlgorithmIdentifier, signatureValue }; OpenSSL refuses
 * a certificate whose tbsCertificate.signature differs, so the outer one is the one that counts.
 * A structure this cannot read has already failed the checks before it (validate.ts).
 */
function weakSignatureHash(der: Uint8Array | DerNode): string | undefined {
  try {
    const certificate = der instanceof Uint8Array ? parseDer(der, 'certificate') : der;
    const [, algorithm] = sequenceOf(certificate, 'Certificate');
    const [oidNode, parameters] = sequenceOf(algorithm, 'signatureAlgorithm');
    const oid = readOid(oidNode, 'signature algorithm');
    if (oid !== RSASSA_PSS) return WEAK_SIGNATURES[oid];
    // RSASSA-PSS-params ::= SEQUENCE { hashAlgorithm [0] HashAlgorithm DEFAULT sha1, … } (RFC 4055 §3.1)
    // Absent or unstructured parameters leave every field at its default.
    const fields = parameters?.constructed === true ? childrenOf(parameters, 'RSASSA-PSS-params') : [];
    const hashField = fields.find((f) => f.isContext(0));
    if (hashField === undefined) return 'SHA-1';
    // [0] EXPLICIT HashAlgorithm: an AlgorithmIdentifier inside the context tag.
    const [hashAlgorithm] = childrenOf(hashField, 'hashAlgorithm');
    const [hashOid] = sequenceOf(hashAlgorithm, 'hashAlgorithm');
    return WEAK_HASHES[readOid(hashOid, 'hash algorithm')];
  } catch {
    return undefined;
  }
}
