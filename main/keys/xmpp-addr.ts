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
 * forge cannot encode otherName, so the extension value is built here with forge.asn1. Reading uses the
 * strict DER reader (der.ts) because certificates reach us from the network: every step checks the
 * shape it expects and throws MalformedCertificateError otherwise, never a TypeError.
 */
import forge from 'node-forge';
import {
  childrenOf,
  type DerNode,
  MalformedCertificateError,
  parseDer,
  primitiveOf,
  isOid,
  readDirectoryString,
  readUtf8String,
  sequenceOf,
  Tag,
} from './der.js';

export { MalformedCertificateError } from './der.js';

export const ID_ON_XMPP_ADDR = '1.3.6.1.5.5.7.8.5';
/** The OIDs read here as their DER contents, compared byte for byte rather than decoded. */
const XMPP_ADDR_CONTENTS = Uint8Array.of(0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x08, 0x05); // 1.3.6.1.5.5.7.8.5
const SUBJECT_ALT_NAME_CONTENTS = Uint8Array.of(0x55, 0x1d, 0x11); // 2.5.29.17
const COMMON_NAME_CONTENTS = Uint8Array.of(0x55, 0x04, 0x03); // 2.5.4.3

const { Class, Type } = forge.asn1;

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
 * A DER certificate checked as strict DER (der.ts), once for every reader that needs it. Throws
 * MalformedCertificateError.
 */
export function parseCertificateDer(der: Uint8Array): DerNode {
  return parseDer(der, 'certificate');
}

/**
 * Reads the JIDs a certificate names (its DER, or the node parseCertificateDer made of it). Throws
 * MalformedCertificateError on any unexpected shape.
 */
export function readCertificateIdentities(der: Uint8Array | DerNode): CertificateIdentities {
  const certificate = der instanceof Uint8Array ? parseCertificateDer(der) : der;
  // Fields are read by index, not destructured: destructuring goes through an iterator, an allocation each.
  const tbs = sequenceOf(certificate, 'Certificate')[0];
  if (tbs === undefined) throw new MalformedCertificateError('The certificate is empty.');
  const fields = sequenceOf(tbs, 'TBSCertificate');
  // RFC 5280 §4.1: version [0] EXPLICIT is optional; then serial, signature, issuer, validity, subject.
  const offset = fields[0]?.isContext(0) === true ? 1 : 0;
  const subject = fields[offset + 4];
  if (subject === undefined) throw new MalformedCertificateError('The certificate has no subject.');
  let extensions: DerNode | undefined;
  for (let i = 0; i < fields.length && extensions === undefined; i++) if (fields[i]?.isContext(3) === true) extensions = fields[i];
  return {
    xmppAddrs: extensions === undefined ? [] : readXmppAddrs(extensions),
    commonNames: readCommonNames(subject),
  };
}

function readXmppAddrs(extensionsTag: DerNode): string[] {
  const extensionList = childrenOf(extensionsTag, 'extensions')[0];
  if (extensionList === undefined) throw new MalformedCertificateError('The extensions field is empty.');
  let altName: DerNode[] | undefined;
  for (const extension of sequenceOf(extensionList, 'Extensions')) {
    const parts = sequenceOf(extension, 'Extension');
    const id = parts[0];
    if (id === undefined || !oidIs(id, SUBJECT_ALT_NAME_CONTENTS, 'extnID')) continue;
    // RFC 5280 §4.2: "A certificate MUST NOT include more than one instance of a particular extension."
    if (altName !== undefined) throw new MalformedCertificateError('The certificate has two subjectAltName extensions.');
    altName = parts;
  }
  if (altName === undefined) return [];
  const extnValue = altName[altName.length - 1];
  if (extnValue === undefined || !extnValue.isUniversal(Tag.OCTET_STRING)) {
    throw new MalformedCertificateError('The subjectAltName extension has no value.');
  }
  const generalNames = parseDer(primitiveOf(extnValue, Tag.OCTET_STRING, 'extnValue'), 'subjectAltName');
  const found: string[] = [];
  for (const name of sequenceOf(generalNames, 'GeneralNames')) {
    if (!name.isContext(0)) continue; // dNSName, URI…: not ours to read.
    const otherName = childrenOf(name, 'otherName');
    const typeId = otherName[0];
    const explicitValue = otherName[1];
    if (typeId === undefined || !oidIs(typeId, XMPP_ADDR_CONTENTS, 'otherName type-id')) continue;
    if (explicitValue === undefined || !explicitValue.isContext(0)) {
      throw new MalformedCertificateError('An xmppAddr has no [0] EXPLICIT value.');
    }
    const wrapped = childrenOf(explicitValue, 'xmppAddr value');
    const utf8 = wrapped[0];
    if (utf8 === undefined || wrapped.length !== 1 || !utf8.isUniversal(Tag.UTF8_STRING)) {
      throw new MalformedCertificateError('An xmppAddr is not a UTF8String (RFC 6120 §13.7.1.4).');
    }
    found.push(readUtf8String(utf8, 'xmppAddr'));
  }
  return found;
}

/** Whether the node is the OID of these contents; MalformedCertificateError when it is no OID at all. */
function oidIs(node: DerNode, contents: Uint8Array, what: string): boolean {
  if (!node.isUniversal(Tag.OID)) throw new MalformedCertificateError(`The ${what} is not an OBJECT IDENTIFIER.`);
  return isOid(node, contents);
}

function readCommonNames(subject: DerNode): string[] {
  const names: string[] = [];
  for (const rdn of sequenceOf(subject, 'subject Name')) {
    for (const attribute of sequenceOf(rdn, 'RelativeDistinguishedName', true)) {
      const parts = sequenceOf(attribute, 'AttributeTypeAndValue');
      const type = parts[0];
      const value = parts[1];
      if (type === undefined || value === undefined || !oidIs(type, COMMON_NAME_CONTENTS, 'attribute type')) continue;
      names.push(readDirectoryString(value, 'commonName'));
    }
  }
  return names;
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
