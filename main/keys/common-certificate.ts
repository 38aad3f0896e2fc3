/**
 * A quick way to open the certificates the app and its peers publish, without OpenSSL 3.0's X.509
 * decoder. `new X509Certificate` costs ~0.3 ms per certificate under Node 20, nearly all of it OpenSSL
 * 3.0 decoding the public key through its provider framework (the same key from a JWK takes ~0.01 ms).
 * Checking a contact's certificate already parses it with forge for the names, so this reads the few
 * remaining fields from that same tree and gives OpenSSL only the RSA numbers and the signature.
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
import forge from 'node-forge';
import { asn1FromDer, binaryToBuffer } from './forge-typed.js';

const { Class, Type } = forge.asn1;

/** OID contents (forge binary strings) of the signature algorithms read here, with their hashes. */
const SIGNATURE_HASHES: ReadonlyMap<string, string> = new Map([
  ['\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0b', 'sha256'], // 1.2.840.113549.1.1.11
  ['\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0c', 'sha384'], // 1.2.840.113549.1.1.12
  ['\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0d', 'sha512'], // 1.2.840.113549.1.1.13
]);
/** The same, by hash: the algorithm's OID contents, to write the certificate's DER back. */
const SIGNATURE_OIDS: ReadonlyMap<string, string> = new Map([...SIGNATURE_HASHES].map(([oid, hash]) => [hash, oid]));
const RSA_ENCRYPTION = '\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01'; // 1.2.840.113549.1.1.1
const NAME_STRING_TYPES: ReadonlySet<number> = new Set([Type.UTF8, Type.PRINTABLESTRING, Type.IA5STRING]);
const utf8 = new TextDecoder('utf-8', { fatal: true });

export interface OpenedCertificate {
  /** The RSA public key. */
  key: KeyObject;
  notBeforeMs: number;
  notAfterMs: number;
  /** Whether the key made the self-signature (RFC 5280 §4.1.1.3). */
  selfSigned: boolean;
}

/**
 * `parsed` is forge's strict parse of `der` (xmpp-addr.ts parseCertificateDer). Returns undefined for
 * every certificate not of the common shape: OpenSSL's path then gives the answer and its reason. One of
 * that shape whose signature does not verify is answered here too (OpenSSL would parse it, and verify
 * the same signature over the same bytes with the same key), so damaged certificates, the usual hostile
 * input, cost no second parse.
 */
export function openCommonCertificate(der: Buffer, parsed: forge.asn1.Asn1): OpenedCertificate | undefined {
  // Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue } (RFC 5280 §4.1)
  const [tbs, outerAlgorithm, signatureValue, extra] = constructed(parsed, Type.SEQUENCE) ?? [];
  if (tbs === undefined || outerAlgorithm === undefined || signatureValue === undefined || extra !== undefined) return undefined;
  const hash = signatureHash(outerAlgorithm);
  const signature = bitString(signatureValue);
  const fields = constructed(tbs, Type.SEQUENCE);
  if (hash === undefined || signature === undefined || fields === undefined) return undefined;
  const [version, serial, innerAlgorithm, issuer, validity, subject, spki, extensions, more] = fields;
  if (!isVersion3(version) || !isPositiveInteger(serial) || more !== undefined) return undefined;
  // OpenSSL's X509_verify refuses a certificate whose two signature algorithms differ.
  if (innerAlgorithm === undefined || signatureHash(innerAlgorithm) !== hash) return undefined;
  if (!isName(issuer) || !isName(subject) || !areExtensions(extensions)) return undefined;
  const period = readValidity(validity);
  const key = rsaKey(spki);
  const signed = tbsBytes(der);
  if (period === undefined || key === undefined || signed === undefined) return undefined;
  // The signature covers the tbsCertificate only. Around it, forge's strict parse still takes BER
  // (long-form or indefinite lengths), so anyone could wrap the same signed bytes many ways, each with
  // a fingerprint of its own, valid without the private key. OpenSSL's path refuses those (its DER
  // re-encoding differs from the bytes); here the bytes must be the one DER encoding of what was read.
  if (!der.equals(certificateDer(signed, hash, signature))) return undefined;
  return { key, ...period, selfSigned: verify(hash, signed, key, signature) };
}

/** Certificate ::= SEQUENCE { tbs as received, AlgorithmIdentifier { oid, NULL }, BIT STRING } in DER. */
function certificateDer(tbs: Buffer, hash: string, signature: Buffer): Buffer {
  const oidContents = binaryToBuffer(SIGNATURE_OIDS.get(hash) ?? '');
  const algorithm = derElement(0x30, Buffer.concat([derElement(0x06, oidContents), Buffer.from([0x05, 0x00])]));
  const bits = derElement(0x03, Buffer.concat([Buffer.from([0x00]), signature]));
  return derElement(0x30, Buffer.concat([tbs, algorithm, bits]));
}

/** One DER element: the tag, the length in its shortest form (X.690 §10.1), the contents. */
function derElement(tag: number, contents: Buffer): Buffer {
  const length = contents.length;
  const lengthOctets: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) lengthOctets.unshift(rest % 256);
  const header = length < 0x80 ? [tag, length] : [tag, 0x80 | lengthOctets.length, ...lengthOctets];
  return Buffer.concat([Buffer.from(header), contents]);
}

function constructed(node: forge.asn1.Asn1 | undefined, type: number, tagClass: forge.asn1.Class = Class.UNIVERSAL): forge.asn1.Asn1[] | undefined {
  if (node === undefined || node.tagClass !== tagClass || (node.type as number) !== type || !node.constructed) return undefined;
  return Array.isArray(node.value) ? node.value : undefined;
}

function primitive(node: forge.asn1.Asn1 | undefined, type: number): string | undefined {
  if (node === undefined || node.tagClass !== Class.UNIVERSAL || (node.type as number) !== type || node.constructed) return undefined;
  return typeof node.value === 'string' ? node.value : undefined;
}

/**
 * An OBJECT IDENTIFIER's contents as OpenSSL accepts them (c2i_ASN1_OBJECT): the last octet ends a
 * subidentifier, and none starts with the padding octet 0x80 (X.690 §8.19.2).
 */
function oid(node: forge.asn1.Asn1 | undefined): string | undefined {
  const value = primitive(node, Type.OID);
  if (value === undefined || value.length === 0 || value.charCodeAt(value.length - 1) >= 0x80) return undefined;
  for (let i = 0; i < value.length; i++) {
    if (value.charCodeAt(i) === 0x80 && (i === 0 || value.charCodeAt(i - 1) < 0x80)) return undefined;
  }
  return value;
}

/** AlgorithmIdentifier { one of SIGNATURE_HASHES, NULL }: its hash, else undefined. */
function signatureHash(node: forge.asn1.Asn1): string | undefined {
  const [algorithm, parameters, extra] = constructed(node, Type.SEQUENCE) ?? [];
  const id = primitive(algorithm, Type.OID);
  if (id === undefined || primitive(parameters, Type.NULL) !== '' || extra !== undefined) return undefined;
  return SIGNATURE_HASHES.get(id);
}

/** A BIT STRING with no unused bits (OpenSSL refuses a signature with any), as bytes. */
function bitString(node: forge.asn1.Asn1 | undefined): Buffer | undefined {
  const value = primitive(node, Type.BITSTRING);
  if (value === undefined || value.length < 2 || value.charCodeAt(0) !== 0) return undefined;
  return binaryToBuffer(value.slice(1));
}

/** version [0] EXPLICIT INTEGER { v3(2) }. */
function isVersion3(node: forge.asn1.Asn1 | undefined): boolean {
  const [value, extra] = constructed(node, 0, Class.CONTEXT_SPECIFIC) ?? [];
  return primitive(value, Type.INTEGER) === '\x02' && extra === undefined;
}

/** A DER INTEGER (minimal: X.690 §8.3.2, which OpenSSL enforces) that is positive. */
function isPositiveInteger(node: forge.asn1.Asn1 | undefined): boolean {
  const value = primitive(node, Type.INTEGER);
  if (value === undefined || value.length === 0) return false;
  const first = value.charCodeAt(0);
  if (first >= 0x80) return false; // negative
  return !(first === 0 && (value.length === 1 || value.charCodeAt(1) < 0x80));
}

/** Name ::= SEQUENCE OF SET OF { type OID, value }, values in a string type OpenSSL reads without complaint. */
function isName(node: forge.asn1.Asn1 | undefined): boolean {
  const rdns = constructed(node, Type.SEQUENCE);
  if (rdns === undefined) return false;
  return rdns.every((rdn) => {
    const attributes = constructed(rdn, Type.SET);
    return attributes !== undefined && attributes.length > 0 && attributes.every(isAttribute);
  });
}

function isAttribute(node: forge.asn1.Asn1): boolean {
  const [type, value, extra] = constructed(node, Type.SEQUENCE) ?? [];
  if (oid(type) === undefined || value === undefined || extra !== undefined) return false;
  if (!NAME_STRING_TYPES.has(value.type)) return false;
  const text = primitive(value, value.type);
  if (text === undefined) return false;
  // OpenSSL converts names to UTF-8 as it parses (x509_name_canon), and refuses a UTF8String that is not.
  if (value.type === Type.UTF8) {
    try {
      utf8.decode(binaryToBuffer(text));
    } catch {
      return false;
    }
  }
  return true;
}

/** extensions [3] EXPLICIT SEQUENCE SIZE (1..MAX) OF Extension { extnID, critical BOOLEAN DEFAULT FALSE, extnValue }. */
function areExtensions(node: forge.asn1.Asn1 | undefined): boolean {
  if (node === undefined) return true;
  const [list, extra] = constructed(node, 3, Class.CONTEXT_SPECIFIC) ?? [];
  const extensions = constructed(list, Type.SEQUENCE);
  if (extensions === undefined || extensions.length === 0 || extra !== undefined) return false;
  return extensions.every((extension) => {
    const parts = constructed(extension, Type.SEQUENCE) ?? [];
    const [id, critical, value] = parts.length === 3 ? parts : [parts[0], undefined, parts[1]];
    if (parts.length !== 2 && parts.length !== 3) return false;
    // DER leaves a DEFAULT value out, so an explicit critical flag is TRUE (X.690 §11.5).
    if (critical !== undefined && primitive(critical, Type.BOOLEAN) !== '\xff') return false;
    return oid(id) !== undefined && primitive(value, Type.OCTETSTRING) !== undefined;
  });
}

/** Validity { notBefore, notAfter }, each in the forms RFC 5280 §4.1.2.5 allows (Z, with seconds). */
function readValidity(node: forge.asn1.Asn1 | undefined): { notBeforeMs: number; notAfterMs: number } | undefined {
  const [notBefore, notAfter, extra] = constructed(node, Type.SEQUENCE) ?? [];
  const notBeforeMs = readTime(notBefore);
  const notAfterMs = readTime(notAfter);
  if (notBeforeMs === undefined || notAfterMs === undefined || extra !== undefined) return undefined;
  return { notBeforeMs, notAfterMs };
}

const UTC_TIME = /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/;
const GENERALIZED_TIME = /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/;

function readTime(node: forge.asn1.Asn1 | undefined): number | undefined {
  const utc = UTC_TIME.exec(primitive(node, Type.UTCTIME) ?? '');
  const generalized = utc === null ? GENERALIZED_TIME.exec(primitive(node, Type.GENERALIZEDTIME) ?? '') : null;
  const digits = (utc ?? generalized)?.slice(1).map(Number);
  if (digits === undefined) return undefined;
  const [yearField = 0, month = 0, day = 0, hours = 0, minutes = 0, seconds = 0] = digits;
  // RFC 5280 §4.1.2.5.1: a two-digit year of 50 or more is 19YY, below 50 it is 20YY.
  const year = utc === null ? yearField : yearField >= 50 ? 1900 + yearField : 2000 + yearField;
  // Years before 100 would be shifted by Date.UTC; leave such oddities to OpenSSL.
  if (year < 1000) return undefined;
  const ms = Date.UTC(year, month - 1, day, hours, minutes, seconds);
  const back = new Date(ms);
  // Date.UTC rolls over (month 13, 31 April, second 60); OpenSSL refuses such a time, so no answer here.
  const same =
    back.getUTCFullYear() === year && back.getUTCMonth() === month - 1 && back.getUTCDate() === day &&
    back.getUTCHours() === hours && back.getUTCMinutes() === minutes && back.getUTCSeconds() === seconds;
  return same ? ms : undefined;
}

/** SubjectPublicKeyInfo { { rsaEncryption, NULL }, BIT STRING RSAPublicKey { n, e } } as a KeyObject. */
function rsaKey(node: forge.asn1.Asn1 | undefined): KeyObject | undefined {
  const [algorithm, keyBits, extra] = constructed(node, Type.SEQUENCE) ?? [];
  const [algorithmId, parameters, more] = constructed(algorithm, Type.SEQUENCE) ?? [];
  if (extra !== undefined || more !== undefined || primitive(algorithmId, Type.OID) !== RSA_ENCRYPTION || primitive(parameters, Type.NULL) !== '') return undefined;
  const encoded = bitString(keyBits);
  if (encoded === undefined) return undefined;
  let numbers: forge.asn1.Asn1;
  try {
    numbers = asn1FromDer(encoded, { strict: true, parseAllBytes: true, decodeBitStrings: false, maxDepth: 4 });
  } catch {
    return undefined;
  }
  const [n, e, tail] = constructed(numbers, Type.SEQUENCE) ?? [];
  if (tail !== undefined || !isPositiveInteger(n) || !isPositiveInteger(e)) return undefined;
  try {
    return createPublicKey({ key: { kty: 'RSA', n: base64url(n), e: base64url(e) }, format: 'jwk' });
  } catch {
    return undefined;
  }
}

/** A positive INTEGER's magnitude (its DER sign octet dropped) in base64url, as a JWK writes it (RFC 7518 §6.3.1). */
function base64url(node: forge.asn1.Asn1 | undefined): string {
  const value = typeof node?.value === 'string' ? node.value : '';
  return binaryToBuffer(value.charCodeAt(0) === 0 ? value.slice(1) : value).toString('base64url');
}

/** The tbsCertificate's own bytes, as signed, read from the DER headers (definite lengths only). */
function tbsBytes(der: Buffer): Buffer | undefined {
  const outer = header(der, 0);
  if (outer === undefined || outer.end !== der.length) return undefined;
  const tbs = header(der, outer.contentAt);
  return tbs === undefined || tbs.end > outer.end ? undefined : der.subarray(outer.contentAt, tbs.end);
}

function header(der: Buffer, at: number): { contentAt: number; end: number } | undefined {
  const first = der[at + 1];
  if (der[at] !== 0x30 || first === undefined || first === 0x80) return undefined;
  if (first < 0x80) return { contentAt: at + 2, end: at + 2 + first };
  const count = first & 0x7f;
  if (count > 3) return undefined; // over 16 MiB: never a certificate of at most 64 KiB
  let length = 0;
  for (let i = 0; i < count; i++) length = length * 256 + (der[at + 2 + i] ?? 0);
  return { contentAt: at + 2 + count, end: at + 2 + count + length };
}
