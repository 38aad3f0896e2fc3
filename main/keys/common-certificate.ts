/**
 * A quick way to open the certificates the app and its peers publish, without OpenSSL 3.0's X.509
 * decoder. `new X509Certificate` costs ~0.3 ms per certificate under Node 20, nearly all of it OpenSSL
 * 3.0 decoding the public key through its provider framework (the same key from a JWK takes ~0.01 ms).
 * Checking a contact's certificate already parses it (strict DER, der.ts) for the names, so this reads
 * the few remaining fields from that same parse and gives OpenSSL only the RSA numbers and the signature.
 *
 * It opens one shape only, the common one: X.509 v3, an RSA key (rsaEncryption, NULL parameters), a
 * sha256/384/512WithRSAEncryption self-signature (RFC 4055 §5) whose inner and outer algorithms are the
 * same, validity times in RFC 5280 §4.1.2.5's own forms, names of UTF8String/PrintableString/IA5String,
 * and well-formed extensions. Anything else, or anything odd inside that shape, returns undefined and
 * the caller takes OpenSSL's path (validate.ts), which decides as before. The shape checks mirror what
 * OpenSSL's parse refuses (DER INTEGERs, times, names it canonicalises), so this path never accepts
 * what OpenSSL would call malformed; test/unit/keys/common-certificate.test.ts compares both paths on
 * damaged, re-signed certificates.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import {
  childrenOf,
  type DerNode,
  isOid,
  MalformedCertificateError,
  parseDer,
  readBoolean,
  readInteger,
  readNull,
  readOctetAlignedBits,
  readTime,
  readUtf8String,
  Tag,
} from './der.js';

/** OID contents (DER, no tag or length) of the signature algorithms read here, with their hashes. */
const SIGNATURE_OIDS: readonly { hash: string; oid: Uint8Array }[] = [
  { hash: 'sha256', oid: Uint8Array.of(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b) }, // 1.2.840.113549.1.1.11
  { hash: 'sha384', oid: Uint8Array.of(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c) }, // 1.2.840.113549.1.1.12
  { hash: 'sha512', oid: Uint8Array.of(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d) }, // 1.2.840.113549.1.1.13
];
const RSA_ENCRYPTION = Uint8Array.of(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01); // 1.2.840.113549.1.1.1
const NAME_STRING_TYPES: ReadonlySet<number> = new Set([Tag.UTF8_STRING, Tag.PRINTABLE_STRING, Tag.IA5_STRING]);
/** Before this, Date and OpenSSL may read a year differently: such oddities go OpenSSL's way. */
const YEAR_1000_MS = Date.parse('1000-01-01T00:00:00Z');

export interface OpenedCertificate {
  /** The RSA public key. */
  key: KeyObject;
  notBeforeMs: number;
  notAfterMs: number;
  /** Whether the key made the self-signature (RFC 5280 §4.1.1.3). */
  selfSigned: boolean;
}

/**
 * `parsed` is the strict DER parse of `der` (xmpp-addr.ts parseCertificateDer). Returns undefined for
 * every certificate not of the common shape: OpenSSL's path then gives the answer and its reason. One of
 * that shape whose signature does not verify is answered here too (OpenSSL would parse it, and verify
 * the same signature over the same bytes with the same key), so damaged certificates, the usual hostile
 * input, cost no second parse.
 */
export function openCommonCertificate(der: Buffer, parsed: DerNode): OpenedCertificate | undefined {
  try {
    return open(der, parsed);
  } catch (error) {
    // A field the DER readers refuse: not the common shape, so OpenSSL's path decides.
    if (error instanceof MalformedCertificateError) return undefined;
    throw error;
  }
}

function open(der: Buffer, parsed: DerNode): OpenedCertificate | undefined {
  // Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue } (RFC 5280 §4.1)
  // Fields are read by index, not destructured: destructuring goes through an iterator, an allocation each.
  const certificate = constructed(parsed, Tag.SEQUENCE);
  if (certificate?.length !== 3) return undefined;
  const tbs = certificate[0] as DerNode;
  const outerAlgorithm = certificate[1] as DerNode;
  const signatureValue = certificate[2];
  const hash = signatureHash(outerAlgorithm);
  const signature = readOctetAlignedBits(signatureValue, 'signature');
  const fields = constructed(tbs, Tag.SEQUENCE);
  if (hash === undefined || fields === undefined) return undefined;
  // version, serial, signature, issuer, validity, subject, subjectPublicKeyInfo, extensions
  if (fields.length < 7 || fields.length > 8 || !isVersion3(fields[0]) || !isPositiveInteger(fields[1])) return undefined;
  // OpenSSL's X509_verify refuses a certificate whose two signature algorithms differ.
  if (signatureHash(fields[2] as DerNode) !== hash) return undefined;
  if (!isName(fields[3]) || !isName(fields[5]) || !areExtensions(fields[7])) return undefined;
  const period = readValidity(fields[4]);
  const key = rsaKey(fields[6]);
  if (period === undefined || key === undefined) return undefined;
  // The signature covers the tbsCertificate's own bytes. The reader takes DER only and the wrapper
  // was read field by field above (one algorithm of three, NULL, a BIT STRING with no unused bits), so
  // `der` is the one encoding of what was read: the same signed bytes wrapped another way (BER
  // lengths, as forge's parse let through) would have another fingerprint, valid without the private
  // key, and never reach this line.
  if (parsed.bytes !== der || parsed.start !== 0 || parsed.end !== der.length) return undefined;
  const signed = tbs.element();
  return { key, ...period, selfSigned: verify(hash, signed, key, signature) };
}

/** The children of a constructed element of this class and tag, else undefined. */
function constructed(node: DerNode | undefined, tag: number, context = false): DerNode[] | undefined {
  if (node === undefined || !node.constructed || (context ? !node.isContext(tag) : !node.isUniversal(tag))) return undefined;
  return childrenOf(node, 'certificate field');
}

/** AlgorithmIdentifier { one of SIGNATURE_OIDS, NULL }: its hash, else undefined. */
function signatureHash(node: DerNode): string | undefined {
  const parts = constructed(node, Tag.SEQUENCE);
  if (parts?.length !== 2) return undefined;
  readNull(parts[1], 'signature algorithm parameters');
  for (let i = 0; i < SIGNATURE_OIDS.length; i++) {
    const known = SIGNATURE_OIDS[i];
    if (known !== undefined && isOid(parts[0], known.oid)) return known.hash;
  }
  return undefined;
}

/** version [0] EXPLICIT INTEGER { v3(2) }. */
function isVersion3(node: DerNode | undefined): boolean {
  const parts = constructed(node, 0, true);
  const value = parts?.length === 1 ? parts[0] : undefined;
  return isInteger(value) && value.contentLength === 1 && value.bytes[value.contentStart] === 2;
}

/**
 * A DER INTEGER that is positive. parseDer already refused every INTEGER not in its shortest form
 * (X.690 §8.3.2, which OpenSSL enforces), so the first octet says it all.
 */
function isPositiveInteger(node: DerNode | undefined): node is DerNode {
  if (!isInteger(node)) return false;
  const first = node.bytes[node.contentStart] ?? 0;
  return first < 0x80 && !(first === 0 && node.contentLength === 1);
}

function isInteger(node: DerNode | undefined): node is DerNode {
  return node !== undefined && node.isUniversal(Tag.INTEGER) && !node.constructed;
}

/** Name ::= SEQUENCE OF SET OF { type OID, value }, values in a string type OpenSSL reads without complaint. */
function isName(node: DerNode | undefined): boolean {
  const rdns = constructed(node, Tag.SEQUENCE);
  if (rdns === undefined) return false;
  for (const rdn of rdns) {
    const attributes = constructed(rdn, Tag.SET);
    if (attributes === undefined || attributes.length === 0) return false;
    for (const attribute of attributes) if (!isAttribute(attribute)) return false;
  }
  return true;
}

function isAttribute(node: DerNode): boolean {
  const parts = constructed(node, Tag.SEQUENCE);
  if (parts?.length !== 2) return false;
  const type = parts[0] as DerNode;
  const value = parts[1] as DerNode;
  // parseDer checked the OID's own form, as OpenSSL's c2i_ASN1_OBJECT does.
  if (!type.isUniversal(Tag.OID)) return false;
  if (!NAME_STRING_TYPES.has(value.tag) || !value.isUniversal(value.tag) || value.constructed) return false;
  // OpenSSL converts names to UTF-8 as it parses (x509_name_canon), and refuses a UTF8String that is not.
  if (value.tag === Tag.UTF8_STRING) readUtf8String(value, 'name');
  return true;
}

/** extensions [3] EXPLICIT SEQUENCE SIZE (1..MAX) OF Extension { extnID, critical BOOLEAN DEFAULT FALSE, extnValue }. */
function areExtensions(node: DerNode | undefined): boolean {
  if (node === undefined) return true;
  const wrapper = constructed(node, 3, true);
  const extensions = wrapper?.length === 1 ? constructed(wrapper[0], Tag.SEQUENCE) : undefined;
  if (extensions === undefined || extensions.length === 0) return false;
  for (const extension of extensions) {
    const parts = constructed(extension, Tag.SEQUENCE);
    if (parts === undefined || (parts.length !== 2 && parts.length !== 3)) return false;
    const id = parts[0] as DerNode;
    const value = parts[parts.length - 1] as DerNode;
    // DER leaves a DEFAULT value out, so an explicit critical flag is TRUE (X.690 §11.5).
    if (parts.length === 3 && !readBoolean(parts[1], 'critical')) return false;
    if (!id.isUniversal(Tag.OID) || !value.isUniversal(Tag.OCTET_STRING)) return false;
  }
  return true;
}

/** Validity { notBefore, notAfter }, each in the forms RFC 5280 §4.1.2.5 allows (Z, with seconds). */
function readValidity(node: DerNode | undefined): { notBeforeMs: number; notAfterMs: number } | undefined {
  const times = constructed(node, Tag.SEQUENCE);
  if (times?.length !== 2) return undefined;
  const notBeforeMs = readTime(times[0], 'notBefore');
  const notAfterMs = readTime(times[1], 'notAfter');
  // Years before 1000 are oddities best left to OpenSSL.
  return notBeforeMs < YEAR_1000_MS || notAfterMs < YEAR_1000_MS ? undefined : { notBeforeMs, notAfterMs };
}

/** SubjectPublicKeyInfo { { rsaEncryption, NULL }, BIT STRING RSAPublicKey { n, e } } as a KeyObject. */
function rsaKey(node: DerNode | undefined): KeyObject | undefined {
  const numbers = rsaNumbers(node);
  if (numbers === undefined) return undefined;
  try {
    return createPublicKey({ key: { kty: 'RSA', n: base64url(readInteger(numbers.n, 'modulus')), e: base64url(readInteger(numbers.e, 'exponent')) }, format: 'jwk' });
  } catch {
    return undefined;
  }
}

/**
 * The modulus and exponent of a SubjectPublicKeyInfo of exactly { { rsaEncryption, NULL }, BIT STRING
 * (no unused bits) holding the DER RSAPublicKey { n, e } and nothing after it }, both positive; else
 * undefined. Throws MalformedCertificateError where a DER reader refuses a field.
 */
function rsaNumbers(node: DerNode | undefined): { n: DerNode; e: DerNode } | undefined {
  const info = constructed(node, Tag.SEQUENCE);
  const algorithm = info?.length === 2 ? constructed(info[0], Tag.SEQUENCE) : undefined;
  if (info === undefined || algorithm?.length !== 2 || !isOid(algorithm[0], RSA_ENCRYPTION)) return undefined;
  readNull(algorithm[1], 'key algorithm parameters');
  const numbers = constructed(parseDer(readOctetAlignedBits(info[1], 'subjectPublicKey'), 'RSAPublicKey'), Tag.SEQUENCE);
  const n = numbers?.length === 2 ? numbers[0] : undefined;
  const e = numbers?.length === 2 ? numbers[1] : undefined;
  return isPositiveInteger(n) && isPositiveInteger(e) ? { n, e } : undefined;
}

/**
 * The bytes of the certificate's SubjectPublicKeyInfo as OpenSSL exports its key
 * (`publicKey.export({ type: 'spki', format: 'der' })`), read from `parsed` (the certificate's strict DER
 * parse) without OpenSSL's decoder, which costs ~0.3 ms a certificate here (see the header comment).
 * Only for an RSA key of the common shape (rsaNumbers): its element is then DER throughout, and DER has
 * one encoding of { rsaEncryption, NULL } and { n, e }, the one OpenSSL writes. Undefined for any other
 * shape: the caller asks OpenSSL. test/unit/keys/common-certificate.test.ts compares the two.
 */
export function commonRsaKeyInfo(parsed: DerNode): Uint8Array | undefined {
  try {
    const certificate = constructed(parsed, Tag.SEQUENCE);
    const fields = certificate?.length === 3 ? constructed(certificate[0], Tag.SEQUENCE) : undefined;
    const info = fields !== undefined && fields.length >= 7 && fields.length <= 8 && isVersion3(fields[0]) ? fields[6] : undefined;
    return info !== undefined && rsaNumbers(info) !== undefined ? info.element() : undefined;
  } catch (error) {
    if (error instanceof MalformedCertificateError) return undefined;
    throw error;
  }
}

/** A positive INTEGER's magnitude (its DER sign octet dropped) in base64url, as a JWK writes it (RFC 7518 §6.3.1). */
function base64url(value: Uint8Array): string {
  const magnitude = value[0] === 0 ? value.subarray(1) : value;
  return Buffer.from(magnitude.buffer, magnitude.byteOffset, magnitude.byteLength).toString('base64url');
}
