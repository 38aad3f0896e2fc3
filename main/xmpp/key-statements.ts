/**
 * The succession and revocation statements on the key node (urn:xmpp:tmp:pubkey), as XML.
 * docs/key-lifecycle.md describes both, with examples and what other readers see.
 *
 * Succession: an extra child of the new key's own payload, in our namespace. XEP-0060 §7.1 gives an
 * item one payload element, so the statement goes inside <key/>, next to <x509cert/>; readers that do
 * not know the namespace read <x509cert/> as before and never look at it.
 *
 *   <key xmlns='urn:xmpp:tmp:pubkey'>
 *     <x509cert>BASE64-DER of the new certificate</x509cert>
 *     <succession xmlns='urn:keyring-xmpp:succession:0'>
 *       <jid>juliet@capulet.lit</jid> <old>FP</old> <new>FP</new> <date>2025-03-01T12:00:00Z</date>
 *       <signature algorithm='rsa-pss-sha256'>BASE64</signature>
 *     </succession>
 *   </key>
 *
 * Revocation: an item of its own, id 'revoked-<fp>', whose payload is not a <key/>: readers that do
 * not know it find no key there and show none (the old app lists it as an item it cannot read). It is
 * published before the key's own item is withdrawn, so the publish notification carries it to
 * contacts even where the withdrawal sends nothing (ejabberd 23.01); later readers find it on fetch.
 *
 *   <item id='revoked-FP'>
 *     <revocation xmlns='urn:keyring-xmpp:revocation:0'>
 *       <jid>…</jid> <fingerprint>FP</fingerprint> <reason>superseded</reason> <date>…</date>
 *       <signature algorithm='rsa-pss-sha256'>BASE64</signature> <x509cert>BASE64-DER</x509cert>
 *     </revocation>
 *   </item>
 *
 * Contacts' items are hostile: every field is checked here (shape only; the signatures are checked by
 * main/keys/succession.ts and revocation.ts), nothing throws, a problem comes back as text.
 */
import { xml } from '@xmpp/client';
import type { Element } from '@xmpp/xml';
import { RevocationStatementSchema, type RevocationStatement } from '../keys/revocation.js';
import { SuccessionStatementSchema, type SuccessionStatement } from '../keys/succession.js';
import { NS } from './namespaces.js';
import { MAX_ITEM_BYTES, pubkeyPayload } from './pubkey-items.js';
import type { RawItem } from './pubsub.js';

/** The key's payload with the statement signed by the key it succeeds. */
export function pubkeyPayloadWithSuccession(certificateDer: Buffer, statement: SuccessionStatement): Element {
  const key = pubkeyPayload(certificateDer);
  key.append(successionElement(statement));
  return key;
}

export function successionElement(statement: SuccessionStatement): Element {
  const { jid, old, date } = statement;
  return signedStatement('succession', NS.succession, { jid, old, new: statement.new, date }, statement);
}

export type SuccessionReading =
  | { kind: 'none' }
  | { kind: 'statement'; statement: SuccessionStatement }
  | { kind: 'invalid'; problem: string };

/** The succession statement inside a key payload (RawItem.payload of a key item), if there is one. */
export function readSuccession(key: Element | undefined): SuccessionReading {
  try {
    if (!key || !key.is('key', NS.pubkey)) return { kind: 'none' };
    const found = key.getChildren('succession', NS.succession);
    if (found.length === 0) return { kind: 'none' };
    if (found.length > 1) return { kind: 'invalid', problem: `expected one <succession/>, found ${found.length}` };
    const element = found[0] as Element;
    const fields = readFields(element, NS.succession, ['jid', 'old', 'new', 'date']);
    if (typeof fields === 'string') return { kind: 'invalid', problem: fields };
    const signature = readSignature(element, NS.succession);
    if (typeof signature === 'string') return { kind: 'invalid', problem: signature };
    const parsed = SuccessionStatementSchema.safeParse({ ...fields, ...signature });
    if (!parsed.success) return { kind: 'invalid', problem: `<succession/> has a malformed ${issuePath(parsed.error.issues)}` };
    return { kind: 'statement', statement: parsed.data };
  } catch {
    return { kind: 'invalid', problem: '<succession/> cannot be read' };
  }
}

const REVOKED_PREFIX = 'revoked-';

/** The item id a revocation is published under: one per revoked certificate. */
export function revocationItemId(fingerprint: string): string {
  return `${REVOKED_PREFIX}${fingerprint.toLowerCase()}`;
}

/** Whether a key node's item id is a revocation's (revocationItemId), by its name alone. */
export function isRevocationItemId(itemId: string): boolean {
  return itemId.toLowerCase().startsWith(REVOKED_PREFIX);
}

export function revocationPayload(statement: RevocationStatement): Element {
  const { jid, fingerprint, reason, date } = statement;
  return signedStatement('revocation', NS.revocation, { jid, fingerprint, reason, date }, statement, xml('x509cert', {}, statement.certificate));
}

export type RevocationReading =
  | { kind: 'other' }
  | { kind: 'revocation'; statement: RevocationStatement }
  | { kind: 'invalid'; problem: string };

/**
 * Whether an item of the key node is a revocation ('other': a key item or anything else, for
 * readPubkeyItem to judge). An item named like a revocation that does not hold one is 'invalid'.
 */
export function readRevocationItem(item: RawItem): RevocationReading {
  try {
    const payload = item.payload;
    const isRevocation = payload !== undefined && payload.is('revocation', NS.revocation);
    const namedLikeOne = typeof item.id === 'string' && item.id.startsWith(REVOKED_PREFIX);
    if (!isRevocation && !namedLikeOne) return { kind: 'other' };
    if (item.size > MAX_ITEM_BYTES) return { kind: 'invalid', problem: `item is ${item.size} bytes, over the ${MAX_ITEM_BYTES}-byte limit` };
    if (!isRevocation) return { kind: 'invalid', problem: `no <revocation xmlns="${NS.revocation}"/> payload` };
    const fields = readFields(payload, NS.revocation, ['jid', 'fingerprint', 'reason', 'date']);
    if (typeof fields === 'string') return { kind: 'invalid', problem: fields };
    const signature = readSignature(payload, NS.revocation);
    if (typeof signature === 'string') return { kind: 'invalid', problem: signature };
    const certificate = readOne(payload, NS.revocation, 'x509cert');
    if (typeof certificate !== 'object') return { kind: 'invalid', problem: certificate };
    const parsed = RevocationStatementSchema.safeParse({ ...fields, ...signature, certificate: certificate.text().replace(/\s+/g, '') });
    if (!parsed.success) return { kind: 'invalid', problem: `<revocation/> has a malformed ${issuePath(parsed.error.issues)}` };
    if (item.id !== revocationItemId(parsed.data.fingerprint)) {
      return { kind: 'invalid', problem: 'the item id is not "revoked-" and the revoked fingerprint' };
    }
    return { kind: 'revocation', statement: parsed.data };
  } catch {
    return { kind: 'invalid', problem: '<revocation/> cannot be read' };
  }
}

function readOne(parent: Element, ns: string, name: string): Element | string {
  const found = parent.getChildren(name, ns);
  if (found.length !== 1) return `expected one <${name}/>, found ${found.length}`;
  return found[0] as Element;
}

/**
 * Text fields, taken exactly as written: they are signed as they travel, so trimming would change
 * what was signed (a stray space makes the field malformed, which is what it is).
 */
/**
 * A signed statement as published: one child per field, in the order given (readFields reads them
 * back by name), then the signature, then anything that follows it.
 */
function signedStatement(
  name: string,
  xmlns: string,
  fields: Record<string, string>,
  signed: { algorithm: string; signature: string },
  ...after: Element[]
): Element {
  return xml(
    name,
    { xmlns },
    ...Object.entries(fields).map(([field, text]) => xml(field, {}, text)),
    xml('signature', { algorithm: signed.algorithm }, signed.signature),
    ...after,
  );
}

function readFields<N extends string>(parent: Element, ns: string, names: readonly N[]): Record<N, string> | string {
  const fields = {} as Record<N, string>;
  for (const name of names) {
    const element = readOne(parent, ns, name);
    if (typeof element === 'string') return element;
    if (element.getChildElements().length > 0) return `<${name}/> holds elements, not text`;
    fields[name] = element.text();
  }
  return fields;
}

/** The signature may be wrapped over lines like any base64 in XML; whitespace is not part of it. */
function readSignature(parent: Element, ns: string): { algorithm: string; signature: string } | string {
  const element = readOne(parent, ns, 'signature');
  if (typeof element === 'string') return element;
  const algorithm = element.attrs.algorithm;
  if (typeof algorithm !== 'string') return '<signature/> names no algorithm';
  return { algorithm, signature: element.text().replace(/\s+/g, '') };
}

function issuePath(issues: readonly { path: readonly PropertyKey[] }[]): string {
  const first = issues[0]?.path[0];
  return typeof first === 'string' ? `<${first === 'algorithm' ? 'signature' : first}/>` : 'statement';
}
