/**
 * Which certificate an item of the key node carries, by fingerprint: what drift compares a key's item
 * (and a revocation's) with, since the item id alone does not say it. Another client of the account can
 * publish another certificate under the same id (XEP-0060 §7.1.2: a publish with an existing ItemID
 * replaces the item), and contacts then get that one.
 *
 * The node is the account's own but its items are what the server says: read defensively, nothing
 * throws, anything unreadable carries no certificate.
 */
import type { Element } from '@xmpp/xml';
import { certificateFingerprint } from '../keys/fingerprint.js';
import { NS } from '../xmpp/namespaces.js';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * The fingerprint of the one `<x509cert/>` in a key payload (`<key xmlns='urn:xmpp:tmp:pubkey'/>`,
 * XEP-0222) or a revocation's (main/xmpp/key-statements.ts); undefined when the item holds neither, or
 * not exactly one readable certificate.
 */
export function heldCertificate(payload: Element | undefined): string | undefined {
  if (!payload || !(payload.is('key', NS.pubkey) || payload.is('revocation', NS.revocation))) return undefined;
  const certs = payload.getChildren('x509cert');
  if (certs.length !== 1) return undefined;
  // XEP-0222's example wraps the base64 over several lines: whitespace is allowed, nothing else.
  const text = (certs[0]?.text() ?? '').replace(/\s+/g, '');
  if (text.length === 0 || text.length % 4 !== 0 || !BASE64.test(text)) return undefined;
  return certificateFingerprint(Buffer.from(text, 'base64'));
}

