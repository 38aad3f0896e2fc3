/**
 * XEP-0222's public key payload (its examples) on node urn:xmpp:tmp:pubkey:
 *   <key xmlns='urn:xmpp:tmp:pubkey'><x509cert>BASE64-DER</x509cert></key>
 * Contacts' items are hostile input: size-capped and checked before any certificate parser sees them.
 */
import { xml } from '@xmpp/client';
import type { Element } from '@xmpp/xml';
import { NS } from './namespaces.js';
import type { RawItem } from './pubsub.js';

/** Largest item accepted from a contact (a 4096-bit certificate is ~1.8 KiB of base64). */
export const MAX_ITEM_BYTES = 64 * 1024;

export function pubkeyPayload(certificateDer: Buffer): Element {
  return xml('key', { xmlns: NS.pubkey }, xml('x509cert', {}, certificateDer.toString('base64')));
}

export type PubkeyItem = { id: string; der: Buffer } | { id: string; problem: string };

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function readPubkeyItem(item: RawItem): PubkeyItem {
  const id = item.id;
  if (item.size > MAX_ITEM_BYTES) return { id, problem: `item is ${item.size} bytes, over the ${MAX_ITEM_BYTES}-byte limit` };
  const key = item.payload;
  if (!key || !key.is('key', NS.pubkey)) return { id, problem: 'no <key xmlns="urn:xmpp:tmp:pubkey"/> payload' };
  return { id, ...readX509Cert(key) };
}

/**
 * The DER in the one <x509cert/> of `parent` (a key payload, or a revocation statement's,
 * key-statements.ts), or why there is none to read.
 */
export function readX509Cert(parent: Element): { der: Buffer } | { problem: string } {
  const certs = parent.getChildren('x509cert');
  if (certs.length !== 1) return { problem: `expected one <x509cert/>, found ${certs.length}` };
  // XEP-0222's example wraps the base64 over several lines: whitespace is allowed, nothing else.
  const text = (certs[0]?.text() ?? '').replace(/\s+/g, '');
  if (text.length === 0) return { problem: 'empty <x509cert/>' };
  if (text.length % 4 !== 0 || !BASE64.test(text)) return { problem: '<x509cert/> is not base64' };
  return { der: Buffer.from(text, 'base64') };
}
