/**
 * The account's JID inside an X.509 certificate, both ways.
 *
 * RFC 6120 §13.7.1.4 (and XEP-0178 for client certificates) binds an XMPP address to a certificate with
 * a subjectAltName (RFC 5280 §4.2.1.6) entry of the otherName form:
 *
 *   GeneralName ::= CHOICE { otherName [0] IMPLICIT OtherName, … }
 *   OtherName   ::= SEQUENCE { type-id OBJECT IDENTIFIER, value [0] EXPLICIT ANY DEFINED BY type-id }
 *   id-on-xmppAddr OBJECT IDENTIFIER ::= { id-on 5 }  -- 1.3.6.1.5.5.7.8.5
 *   XmppAddr ::= UTF8String
 *
 * forge cannot encode otherName, so the extension value is built here with forge.asn1. Reading walks the
 * DER by hand because certificates reach us from the network: every step checks the shape it expects
 * and throws MalformedCertificateError otherwise, never a TypeError.
 */
import forge from 'node-forge';
import { asn1FromDer, binaryToBuffer, type FromDerOptions } from './forge-typed.js';

export const ID_ON_XMPP_ADDR = '1.3.6.1.5.5.7.8.5';
const OID_SUBJECT_ALT_NAME = '2.5.29.17';
const OID_COMMON_NAME = '2.5.4.3';

const { Class, Type } = forge.asn1;

/** A certificate's structure is not what RFC 5280 says; the message says where. */
export class MalformedCertificateError extends Error {
  override name = 'MalformedCertificateError';
}

/**
 * Strict DER with a small depth limit: a certificate nests about eight levels deep, and recursion is
 * what a hostile input would try to exhaust.
 */
const HOSTILE_DER: FromDerOptions = { strict: true, parseAllBytes: true, decodeBitStrings: false, maxDepth: 32 };

/** The DER (forge binary string) of a subjectAltName extension value holding one xmppAddr. */
export function xmppAddrSubjectAltName(bareJid: string): string {
  const { create } = forge.asn1;
  const generalNames = create(Class.UNIVERSAL, Type.SEQUENCE, true, [
    // otherName [0] IMPLICIT OtherName: the context tag replaces OtherName's SEQUENCE tag, so it is constructed.
    create(Class.CONTEXT_SPECIFIC, 0, true, [
      create(Class.UNIVERSAL, Type.OID, false, forge.asn1.oidToDer(ID_ON_XMPP_ADDR).getBytes()),
      // value [0] EXPLICIT: a real wrapper around the UTF8String.
      create(Class.CONTEXT_SPECIFIC, 0, true, [
        create(Class.UNIVERSAL, Type.UTF8, false, forge.util.encodeUtf8(bareJid)),
      ]),
    ]),
  ]);
  return forge.asn1.toDer(generalNames).getBytes();
}

export interface CertificateIdentities {
  /** id-on-xmppAddr values from subjectAltName, in certificate order. */
  xmppAddrs: string[];
  /** commonName values from the subject, in certificate order. */
  commonNames: string[];
}

/**
 * A DER certificate parsed (strictly) into forge's ASN.1 tree, once for every reader that needs it:
 * parsing costs ~0.25 ms per certificate, the largest part of checking one after OpenSSL's own parse.
 * Throws MalformedCertificateError.
 */
export function parseCertificateDer(der: Uint8Array): forge.asn1.Asn1 {
  return parse(der, 'certificate');
}

/**
 * Reads the JIDs a certificate names (its DER, or the tree parseCertificateDer made of it). Throws
 * MalformedCertificateError on any unexpected shape.
 */
export function readCertificateIdentities(der: Uint8Array | forge.asn1.Asn1): CertificateIdentities {
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
    .filter(([id]) => id !== undefined && oid(id, 'extnID') === OID_SUBJECT_ALT_NAME);
  // RFC 5280 §4.2: "A certificate MUST NOT include more than one instance of a particular extension."
  if (altNameValues.length > 1) throw new MalformedCertificateError('The certificate has two subjectAltName extensions.');
  const altName = altNameValues[0];
  if (altName === undefined) return [];
  const extnValue = altName[altName.length - 1];
  if (extnValue === undefined || !isUniversal(extnValue, Type.OCTETSTRING)) {
    throw new MalformedCertificateError('The subjectAltName extension has no value.');
  }
  const generalNames = parse(binaryToBuffer(primitive(extnValue, 'extnValue')), 'subjectAltName');
  const found: string[] = [];
  for (const name of sequence(generalNames, 'GeneralNames')) {
    if (!isContext(name, 0)) continue; // dNSName, URI…: not ours to read.
    const [typeId, explicitValue] = children(name, 'otherName');
    if (typeId === undefined || oid(typeId, 'otherName type-id') !== ID_ON_XMPP_ADDR) continue;
    if (explicitValue === undefined || !isContext(explicitValue, 0)) {
      throw new MalformedCertificateError('An xmppAddr has no [0] EXPLICIT value.');
    }
    const [utf8, extra] = children(explicitValue, 'xmppAddr value');
    if (utf8 === undefined || extra !== undefined || !isUniversal(utf8, Type.UTF8)) {
      throw new MalformedCertificateError('An xmppAddr is not a UTF8String (RFC 6120 §13.7.1.4).');
    }
    found.push(decodeUtf8(primitive(utf8, 'xmppAddr')));
  }
  return found;
}

function readCommonNames(subject: forge.asn1.Asn1): string[] {
  const names: string[] = [];
  for (const rdn of sequence(subject, 'subject Name')) {
    for (const attribute of children(rdn, 'RelativeDistinguishedName')) {
      const [type, value] = sequence(attribute, 'AttributeTypeAndValue');
      if (type === undefined || value === undefined || oid(type, 'attribute type') !== OID_COMMON_NAME) continue;
      names.push(decodeDirectoryString(value));
    }
  }
  return names;
}

/** RFC 5280 §4.1.2.4 DirectoryString, as far as a JID can be spelled in it. */
function decodeDirectoryString(value: forge.asn1.Asn1): string {
  const bytes = primitive(value, 'commonName');
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

/** One decoder for every name: making one per call was a visible part of checking a certificate. */
const utf8 = new TextDecoder('utf-8', { fatal: true });

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

function isUniversal(node: forge.asn1.Asn1, type: forge.asn1.Type): boolean {
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
  if (!isUniversal(node, Type.SEQUENCE) && !isUniversal(node, Type.SET)) {
    throw new MalformedCertificateError(`The ${what} is not a SEQUENCE.`);
  }
  return children(node, what);
}

function primitive(node: forge.asn1.Asn1, what: string): string {
  if (node.constructed || typeof node.value !== 'string') throw new MalformedCertificateError(`The ${what} is not primitive.`);
  return node.value;
}

function oid(node: forge.asn1.Asn1, what: string): string {
  if (!isUniversal(node, Type.OID)) throw new MalformedCertificateError(`The ${what} is not an OBJECT IDENTIFIER.`);
  return forge.asn1.derToOid(primitive(node, what));
}

/**
 * Bare JIDs compare case-insensitively: RFC 7622 §3.3 maps the localpart's case (UsernameCaseMapped)
 * and §3.2 domain labels are case-insensitive. A resource, if any, is not part of the binding.
 */
export function bareJidKey(jid: string): string {
  const slash = jid.indexOf('/');
  return (slash === -1 ? jid : jid.slice(0, slash)).normalize('NFC').toLowerCase();
}

/**
 * A light check that a string can be a bare JID (RFC 7622 §3): something before and after one '@' at
 * most, no resource, no whitespace or control characters, at most 2047 bytes (two 1023-byte parts and '@').
 */
export function isBareJid(jid: string): boolean {
  if (jid.length === 0 || Buffer.byteLength(jid, 'utf8') > 2047) return false;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what we refuse
  if (/[\s\u0000-\u001f\u007f/]/u.test(jid)) return false;
  const parts = jid.split('@');
  return parts.length <= 2 && parts.every((p) => p.length > 0);
}
