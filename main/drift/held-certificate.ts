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
import { KeyringError } from '../errors.js';
import { certificateFingerprint } from '../keys/fingerprint.js';
import { NS } from '../xmpp/namespaces.js';
import type { NodeContext } from '../xmpp/persistent-node.js';
import { readX509Cert } from '../xmpp/pubkey-items.js';
import { readBackItem, type ReadBack } from './read-back.js';

/**
 * The fingerprint of the one `<x509cert/>` in a key payload (`<key xmlns='urn:xmpp:tmp:pubkey'/>`,
 * XEP-0222) or a revocation's (main/xmpp/key-statements.ts); undefined when the item holds neither, or
 * not exactly one readable certificate.
 */
export function heldCertificate(payload: Element | undefined): string | undefined {
  if (!payload || !(payload.is('key', NS.pubkey) || payload.is('revocation', NS.revocation))) return undefined;
  const read = readX509Cert(payload);
  return 'der' in read ? certificateFingerprint(read.der) : undefined;
}

/**
 * After a publish to the key node: the item read back (read-back.ts) must carry the certificate sent,
 * else a KeyringError 'read-back-mismatch' (another client published over it at the same moment, or
 * the server altered it). A server that will not show the owner her own item leaves it unverified.
 */
export async function verifyPublishedCertificate(ctx: NodeContext, node: string, item: { id: string; payload: Element }): Promise<ReadBack> {
  const sent = heldCertificate(item.payload);
  if (sent === undefined) return { status: 'unreadable', detail: 'the payload sent carries no certificate' };
  const back = await readBackItem(ctx, node, item.id, (held) => heldCertificate(held.payload));
  if (back.status === 'unreadable') return back;
  if (back.status === 'held' && back.found === sent) return { status: 'verified' };
  const holds = back.status === 'absent' ? 'is not there' : back.found === undefined ? 'holds no certificate' : `holds another certificate (${back.found})`;
  throw new KeyringError(
    'read-back-mismatch',
    `Your server answered the publish, but the item ${item.id} read back ${holds}, not the one sent (${sent}). ` +
      'Another app of your account may have published over it: contacts may get that instead.',
  );
}
