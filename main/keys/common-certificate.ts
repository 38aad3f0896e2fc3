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
  readOid,
  readTime,
  readUtf8String,
  Tag,
} from './der.js';

/** OID contents (DER, no tag or length) of the signature algorithms read here, with their hashes. */
const SIGNATURE_OIDS: ReadonlyMap<string, Uint8Array> = new Map([
  ['sha256', Uint8Array.of(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b)], // 1.2.840.113549.1.1.11
  ['sha384', Uint8Array.of(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c)], // 1.2.840.113549.1.1.12
  ['sha512', Uint8Array.of(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d)], // 1.2.840.113549.1.1.13
]);
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
  const [tbs, outerAlgorithm, signatureValue, extra] = constructed(parsed, Tag.SEQUENCE) ?? [];
  if (tbs === undefined || outerAlgorithm === undefined || signatureValue === undefined || extra !== undefined) return undefined;
  const hash = signatureHash(outerAlgorithm);
  const signature = readOctetAlignedBits(signatureValue, 'signature');
  const fields = constructed(tbs, Tag.SEQUENCE);
  if (hash === undefined || fields === undefined) return undefined;
  const [version, serial, innerAlgorithm, issuer, validity, subject, spki, extensions, more] = fields;
  if (!isVersion3(version) || !isPositiveInteger(serial) || more !== undefined) return undefined;
  // OpenSSL's X509_verify refuses a certificate whose two signature algorithms differ.
  if (innerAlgorithm === undefined || signatureHash(innerAlgorithm) !== hash) return undefined;
  if (!isName(issuer) || !isName(subject) || !areExtensions(extensions)) return undefined;
  const period = readValidity(validity);
  const key = rsaKey(spki);
  if (period === undefined || key === undefined) return undefined;
  // The signature covers the tbsCertificate's own bytes. The reader took only DER, so these bytes are
  // the one encoding of what was read; the wrapper is checked again anyway, byte for byte, so no
  // other wrapping of the same signed bytes (another fingerprint, valid without the private key)
  // could ever open here.
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
  const [algorithm, parameters, extra] = constructed(node, Tag.SEQUENCE) ?? [];
  if (parameters === undefined || extra !== undefined) return undefined;
  readNull(parameters, 'signature algorithm parameters');
  for (const [hash, oid] of SIGNATURE_OIDS) if (isOid(algorithm, oid)) return hash;
  return undefined;
}

/** version [0] EXPLICIT INTEGER { v3(2) }. */
function isVersion3(node: DerNode | undefined): boolean {
  const [value, extra] = constructed(node, 0, true) ?? [];
  const version = readInteger(value, 'version');
  return version.length === 1 && version[0] === 2 && extra === undefined;
}

/** A DER INTEGER (minimal: X.690 §8.3.2, which OpenSSL enforces) that is positive. */
function isPositiveInteger(node: DerNode | undefined): boolean {
  const value = readInteger(node, 'INTEGER');
  const first = value[0] ?? 0;
  return first < 0x80 && !(first === 0 && value.length === 1);
}

/** Name ::= SEQUENCE OF SET OF { type OID, value }, values in a string type OpenSSL reads without complaint. */
function isName(node: DerNode | undefined): boolean {
  const rdns = constructed(node, Tag.SEQUENCE);
  if (rdns === undefined) return false;
  return rdns.every((rdn) => {
    const attributes = constructed(rdn, Tag.SET);
    return attributes !== undefined && attributes.length > 0 && attributes.every(isAttribute);
  });
}

function isAttribute(node: DerNode): boolean {
  const [type, value, extra] = constructed(node, Tag.SEQUENCE) ?? [];
  if (type === undefined || value === undefined || extra !== undefined) return false;
  readOid(type, 'attribute type'); // its own form, as OpenSSL's c2i_ASN1_OBJECT checks it
  if (!NAME_STRING_TYPES.has(value.tag) || !value.isUniversal(value.tag) || value.constructed) return false;
  // OpenSSL converts names to UTF-8 as it parses (x509_name_canon), and refuses a UTF8String that is not.
  if (value.tag === Tag.UTF8_STRING) readUtf8String(value, 'name');
  return true;
}

/** extensions [3] EXPLICIT SEQUENCE SIZE (1..MAX) OF Extension { extnID, critical BOOLEAN DEFAULT FALSE, extnValue }. */
function areExtensions(node: DerNode | undefined): boolean {
  if (node === undefined) return true;
  const [list, extra] = constructed(node, 3, true) ?? [];
  const extensions = constructed(list, Tag.SEQUENCE);
  if (extensions === undefined || extensions.length === 0 || extra !== undefined) return false;
  return extensions.every((extension) => {
    const parts = constructed(extension, Tag.SEQUENCE) ?? [];
    if (parts.length !== 2 && parts.length !== 3) return false;
    const [id, critical, value] = parts.length === 3 ? parts : [parts[0], undefined, parts[1]];
    // DER leaves a DEFAULT value out, so an explicit critical flag is TRUE (X.690 §11.5).
    if (critical !== undefined && !readBoolean(critical, 'critical')) return false;
    readOid(id, 'extnID');
    return value !== undefined && value.isUniversal(Tag.OCTET_STRING);
  });
}

/** Validity { notBefore, notAfter }, each in the forms RFC 5280 §4.1.2.5 allows (Z, with seconds). */
function readValidity(node: DerNode | undefined): { notBeforeMs: number; notAfterMs: number } | undefined {
  const [notBefore, notAfter, extra] = constructed(node, Tag.SEQUENCE) ?? [];
  if (extra !== undefined) return undefined;
  const notBeforeMs = readTime(notBefore, 'notBefore');
  const notAfterMs = readTime(notAfter, 'notAfter');
  // Years before 1000 are oddities best left to OpenSSL.
  return notBeforeMs < YEAR_1000_MS || notAfterMs < YEAR_1000_MS ? undefined : { notBeforeMs, notAfterMs };
}

/** SubjectPublicKeyInfo { { rsaEncryption, NULL }, BIT STRING RSAPublicKey { n, e } } as a KeyObject. */
function rsaKey(node: DerNode | undefined): KeyObject | undefined {
  const [algorithm, keyBits, extra] = constructed(node, Tag.SEQUENCE) ?? [];
  const [algorithmId, parameters, more] = constructed(algorithm, Tag.SEQUENCE) ?? [];
  if (extra !== undefined || more !== undefined || !isOid(algorithmId, RSA_ENCRYPTION)) return undefined;
  readNull(parameters, 'key algorithm parameters');
  const numbers = parseDer(readOctetAlignedBits(keyBits, 'subjectPublicKey'), 'RSAPublicKey');
  const [n, e, tail] = constructed(numbers, Tag.SEQUENCE) ?? [];
  if (tail !== undefined || !isPositiveInteger(n) || !isPositiveInteger(e)) return undefined;
  try {
    return createPublicKey({ key: { kty: 'RSA', n: base64url(readInteger(n, 'modulus')), e: base64url(readInteger(e, 'exponent')) }, format: 'jwk' });
  } catch {
    return undefined;
  }
}

/** A positive INTEGER's magnitude (its DER sign octet dropped) in base64url, as a JWK writes it (RFC 7518 §6.3.1). */
function base64url(value: Uint8Array): string {
  const magnitude = value[0] === 0 ? value.subarray(1) : value;
  return Buffer.from(magnitude.buffer, magnitude.byteOffset, magnitude.byteLength).toString('base64url');
}
