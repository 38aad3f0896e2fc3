/**
 * The certificate reading as it was before main/keys/der.ts: forge's strict parse (which still takes
 * BER) and walks over forge's tree, kept verbatim as the reference that test/unit/keys/der.test.ts
 * compares the DER reader with, and as the old side of test/bench/certificate-check.test.ts.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { binaryToBuffer, bytesToBinary } from '../../../main/keys/forge-typed.js';
import type { OpenedCertificate } from '../../../main/keys/common-certificate.js';
import { RSASSA_PSS, WEAK_HASHES, WEAK_SIGNATURES } from '../../../main/keys/weakness.js';
import { MalformedCertificateError, type CertificateIdentities } from '../../../main/keys/xmpp-addr.js';

const { Class, Type } = forge.asn1;
const utf8 = new TextDecoder('utf-8', { fatal: true });
const ID_ON_XMPP_ADDR = '1.3.6.1.5.5.7.8.5';
const OID_SUBJECT_ALT_NAME = '2.5.29.17';
const OID_COMMON_NAME = '2.5.4.3';

interface FromDerOptions {
  strict: boolean;
  parseAllBytes: boolean;
  decodeBitStrings: boolean;
  maxDepth?: number;
}
// @types/node-forge knows only a boolean `strict`; node-forge 1.4.3 lib/asn1.js takes these options.
const forgeAsn1 = forge.asn1 as unknown as { fromDer(bytes: string, options: FromDerOptions): forge.asn1.Asn1 };

export function asn1FromDer(bytes: Uint8Array, options: FromDerOptions): forge.asn1.Asn1 {
  return forgeAsn1.fromDer(bytesToBinary(bytes), options);
}

const HOSTILE_DER: FromDerOptions = { strict: true, parseAllBytes: true, decodeBitStrings: false, maxDepth: 32 };

/** forge's strict parse of a certificate, as parseCertificateDer was. */
export function forgeParseCertificateDer(der: Uint8Array): forge.asn1.Asn1 {
  return parse(der, 'certificate');
}

/**
 * Reads the JIDs a certificate names (its DER, or the tree parseCertificateDer made of it). Throws
 * MalformedCertificateError on any unexpected shape.
 */
export function forgeReadCertificateIdentities(der: Uint8Array | forge.asn1.Asn1): CertificateIdentities {
  const certificate = der instanceof Uint8Array ? parse(der, 'certificate') : der;
  const [tbs] = sequence(certificate, 'Certificate');
  if (tbs === undefined) throw new MalformedCertificateError('The certificate is empty.');
  const fields = sequence(tbs, 'TBSCertificate');
  // RFC 5280 §4.1: version [0] EXPLICIT is optional; then serial, signature, issuer, validity, subject.
  const first = fields[0];
  const offset = first !== undefined && isContext(first, 0) ? 1 : 0;
  const subject = fields[offset + 4];
  if (subject === undefined) throw new MalformedCertificateError('The certificate has no subject.');
  const extensions = fields.find((f) => isContext(f, 3));
  return {
    xmppAddrs: extensions === undefined ? [] : readXmppAddrs(extensions),
    commonNames: readCommonNames(subject),
  };
}

function readXmppAddrs(extensionsTag: forge.asn1.Asn1): string[] {
  const [extensionList] = children(extensionsTag, 'extensions');
  if (extensionList === undefined) throw new MalformedCertificateError('The extensions field is empty.');
  const altNameValues = sequence(extensionList, 'Extensions')
    .map((extension) => sequence(extension, 'Extension'))
    .filter(([id]) => id !== undefined && oidOf(id, 'extnID') === OID_SUBJECT_ALT_NAME);
  // RFC 5280 §4.2: "A certificate MUST NOT include more than one instance of a particular extension."
  if (altNameValues.length > 1) throw new MalformedCertificateError('The certificate has two subjectAltName extensions.');
  const altName = altNameValues[0];
  if (altName === undefined) return [];
  const extnValue = altName[altName.length - 1];
  if (extnValue === undefined || !isUniversalNode(extnValue, Type.OCTETSTRING)) {
    throw new MalformedCertificateError('The subjectAltName extension has no value.');
  }
  const generalNames = parse(binaryToBuffer(primitiveValue(extnValue, 'extnValue')), 'subjectAltName');
  const found: string[] = [];
  for (const name of sequence(generalNames, 'GeneralNames')) {
    if (!isContext(name, 0)) continue; // dNSName, URI…: not ours to read.
    const [typeId, explicitValue] = children(name, 'otherName');
    if (typeId === undefined || oidOf(typeId, 'otherName type-id') !== ID_ON_XMPP_ADDR) continue;
    if (explicitValue === undefined || !isContext(explicitValue, 0)) {
      throw new MalformedCertificateError('An xmppAddr has no [0] EXPLICIT value.');
    }
    const [utf8, extra] = children(explicitValue, 'xmppAddr value');
    if (utf8 === undefined || extra !== undefined || !isUniversalNode(utf8, Type.UTF8)) {
      throw new MalformedCertificateError('An xmppAddr is not a UTF8String (RFC 6120 §13.7.1.4).');
    }
    found.push(decodeUtf8(primitiveValue(utf8, 'xmppAddr')));
  }
  return found;
}

function readCommonNames(subject: forge.asn1.Asn1): string[] {
  const names: string[] = [];
  for (const rdn of sequence(subject, 'subject Name')) {
    for (const attribute of children(rdn, 'RelativeDistinguishedName')) {
      const [type, value] = sequence(attribute, 'AttributeTypeAndValue');
      if (type === undefined || value === undefined || oidOf(type, 'attribute type') !== OID_COMMON_NAME) continue;
      names.push(decodeDirectoryString(value));
    }
  }
  return names;
}

/** RFC 5280 §4.1.2.4 DirectoryString, as far as a JID can be spelled in it. */
function decodeDirectoryString(value: forge.asn1.Asn1): string {
  const bytes = primitiveValue(value, 'commonName');
  if (value.tagClass === Class.UNIVERSAL) {
    switch (value.type) {
      case Type.UTF8:
      case Type.PRINTABLESTRING:
      case Type.IA5STRING:
        return decodeUtf8(bytes);
      case Type.BMPSTRING:
        return new TextDecoder('utf-16be', { fatal: true }).decode(binaryToBuffer(bytes));
    }
  }
  throw new MalformedCertificateError('The commonName uses a string type a JID cannot be read from.');
}


function decodeUtf8(binary: string): string {
  try {
    return utf8.decode(binaryToBuffer(binary));
  } catch {
    throw new MalformedCertificateError('A name is not valid UTF-8.');
  }
}

function parse(der: Uint8Array, what: string): forge.asn1.Asn1 {
  try {
    return asn1FromDer(der, HOSTILE_DER);
  } catch {
    throw new MalformedCertificateError(`The ${what} is not valid DER.`);
  }
}

function isUniversalNode(node: forge.asn1.Asn1, type: forge.asn1.Type): boolean {
  return node.tagClass === Class.UNIVERSAL && node.type === type;
}

function isContext(node: forge.asn1.Asn1, tag: number): boolean {
  return node.tagClass === Class.CONTEXT_SPECIFIC && (node.type as number) === tag;
}

function children(node: forge.asn1.Asn1, what: string): forge.asn1.Asn1[] {
  if (!node.constructed || !Array.isArray(node.value)) throw new MalformedCertificateError(`The ${what} is not constructed.`);
  return node.value;
}

function sequence(node: forge.asn1.Asn1, what: string): forge.asn1.Asn1[] {
  if (!isUniversalNode(node, Type.SEQUENCE) && !isUniversalNode(node, Type.SET)) {
    throw new MalformedCertificateError(`The ${what} is not a SEQUENCE.`);
  }
  return children(node, what);
}

function primitiveValue(node: forge.asn1.Asn1, what: string): string {
  if (node.constructed || typeof node.value !== 'string') throw new MalformedCertificateError(`The ${what} is not primitive.`);
  return node.value;
}

function oidOf(node: forge.asn1.Asn1, what: string): string {
  if (!isUniversalNode(node, Type.OID)) throw new MalformedCertificateError(`The ${what} is not an OBJECT IDENTIFIER.`);
  return forge.asn1.derToOid(primitiveValue(node, what));
}


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

/**
 * `parsed` is forge's strict parse of `der` (xmpp-addr.ts parseCertificateDer). Returns undefined for
 * every certificate not of the common shape: OpenSSL's path then gives the answer and its reason. One of
 * that shape whose signature does not verify is answered here too (OpenSSL would parse it, and verify
 * the same signature over the same bytes with the same key), so damaged certificates, the usual hostile
 * input, cost no second parse.
 */
export function forgeOpenCommonCertificate(der: Buffer, parsed: forge.asn1.Asn1): OpenedCertificate | undefined {
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

// The tables of weak algorithms are data, not the reading: the same ones as main/keys/weakness.ts's.

/**
 * The broken hash the certificate's signature uses, if any. RFC 5280 §4.1.1.2: Certificate ::=
 * SEQUENCE { tbsCertificate, signatureAlgorithm AlgorithmIdentifier, signatureValue }; OpenSSL refuses
 * a certificate whose tbsCertificate.signature differs, so the outer one is the one that counts.
 * A structure this cannot read has already failed the checks before it (validate.ts).
 */
export function forgeWeakSignatureHash(der: Uint8Array | forge.asn1.Asn1): string | undefined {
  let algorithm: forge.asn1.Asn1 | undefined;
  try {
    const certificate = der instanceof Uint8Array ? asn1FromDer(der, { strict: true, parseAllBytes: true, decodeBitStrings: false, maxDepth: 32 }) : der;
    algorithm = Array.isArray(certificate.value) ? certificate.value[1] : undefined;
  } catch {
    return undefined;
  }
  const [oidNode, parameters] = Array.isArray(algorithm?.value) ? algorithm.value : [];
  const oid = readForgeOid(oidNode);
  if (oid === undefined) return undefined;
  if (oid !== RSASSA_PSS) return WEAK_SIGNATURES[oid];
  // RSASSA-PSS-params ::= SEQUENCE { hashAlgorithm [0] HashAlgorithm DEFAULT sha1, … } (RFC 4055 §3.1)
  const fields = Array.isArray(parameters?.value) ? parameters.value : [];
  // [0] EXPLICIT: a context-specific tag number 0 (forge keeps the tag number in `type`).
  const hashField = fields.find((f) => f.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC && (f.type as number) === 0);
  if (hashField === undefined) return 'SHA-1';
  const hashAlgorithm = Array.isArray(hashField.value) ? hashField.value[0] : undefined;
  const hashOid = readForgeOid(Array.isArray(hashAlgorithm?.value) ? hashAlgorithm.value[0] : undefined);
  return hashOid === undefined ? undefined : WEAK_HASHES[hashOid];
}

function readForgeOid(node: forge.asn1.Asn1 | undefined): string | undefined {
  if (node === undefined || node.tagClass !== forge.asn1.Class.UNIVERSAL || node.type !== forge.asn1.Type.OID) return undefined;
  if (typeof node.value !== 'string') return undefined;
  try {
    return forge.asn1.derToOid(node.value);
  } catch {
    return undefined;
  }
}
