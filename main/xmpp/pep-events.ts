/**
 * Incoming PEP notifications (XEP-0060 §7.1.2.1 items, §7.2.2.1 retract) from the contacts whose
 * `+notify` interest we advertised. Parsed into typed events; anything malformed is dropped here and
 * counted, never thrown. A contact on the same server can reach us twice (to the bare and the full JID,
 * docs/servers.md), so a notification identical to the last one from the same publisher for the same
 * node, within a short window, is delivered once.
 *
 * Notifications about the account's own nodes are also read as changes to watch (OwnNodeChange): the
 * sign that another client may have changed what the app published (docs/drift.md).
 */
import { jid } from '@xmpp/client';
import { createHash } from 'node:crypto';
import type { Element } from '@xmpp/xml';
import type { MiddlewareApi } from '@xmpp/middleware';
import { BoundedMap } from '../bounded-map.js';
import { NS } from './namespaces.js';
import { parseItems, type RawItem } from './pubsub.js';

export interface PepNotification {
  /** The publisher's bare JID (the PEP service that sent it). */
  from: string;
  node: string;
  items: RawItem[];
  retracted: string[];
}

const DEDUPE_WINDOW_MS = 30_000;
const DEDUPE_MAX = 512;

export function parsePepNotification(message: Element): PepNotification | undefined {
  if (message.name !== 'message') return undefined;
  const event = message.getChild('event', NS.pubsubEvent);
  const itemsElement = event?.getChild('items');
  const node = itemsElement?.attrs.node;
  if (!itemsElement || !node) return undefined;
  // XEP-0163 §2: PEP notifications come from the account's bare JID, never from a full JID.
  const from = bareJidOrUndefined(message.attrs.from);
  if (!from) return undefined;
  return {
    from,
    node,
    items: parseItems(itemsElement).filter((i) => i.id !== ''),
    retracted: itemsElement
      .getChildren('retract')
      .map((r) => r.attrs.id ?? '')
      .filter((id) => id !== ''),
  };
}

/** Calls `onNotification` once per distinct PEP notification for the given nodes. */
export function listenForPepNotifications(
  middleware: MiddlewareApi,
  nodes: readonly string[],
  onNotification: (notification: PepNotification) => void,
): void {
  /**
   * By publisher and node (the most recent DEDUPE_MAX of them), the last notification delivered and
   * when. Only the last one: the same words can announce a later change (a key published, withdrawn,
   * then published and withdrawn again), and dropping such a repeat because it matched an older
   * notification would lose the change (the withdrawal) that came after the one in between.
   */
  const last = new BoundedMap<string, { fingerprint: string; at: number }>(DEDUPE_MAX);
  middleware.use((context, next) => {
    const notification = parsePepNotification(context.stanza);
    if (!notification || !nodes.includes(notification.node)) return next();
    const source = `${notification.from}\n${notification.node}`;
    const fingerprint = fingerprintOf(context.stanza, notification);
    const now = Date.now();
    const earlier = last.get(source);
    if (earlier !== undefined && earlier.fingerprint === fingerprint && now - earlier.at < DEDUPE_WINDOW_MS) return undefined;
    last.set(source, { fingerprint, at: now });
    onNotification(notification);
    return undefined;
  });
}

function bareJidOrUndefined(text: string | undefined): string | undefined {
  if (!text) return undefined;
  try {
    const parsed = jid(text);
    if (parsed.resource || !parsed.local || !parsed.domain || /[@/\s]/.test(parsed.domain)) return undefined;
    return parsed.toString();
  } catch {
    return undefined;
  }
}

function fingerprintOf(message: Element, n: PepNotification): string {
  const event = message.getChild('event', NS.pubsubEvent);
  return createHash('sha256')
    .update(`${n.from}\n${n.node}\n`)
    .update(event?.toString() ?? '')
    .digest('hex');
}

/**
 * Something happened to one of the account's own nodes, as its PEP service announced it (XEP-0060
 * §4.3 event types): an item published (§7.1.2.1), retracted (§7.2.2.1), the node's configuration
 * changed (§8.2.5.3, with or without the form), the node purged (§8.5.2) or deleted (§8.4.2). Only a
 * reason to read the node again: what it now holds is what the read says, not what the notification
 * claims. The app's own changes are announced too, and one change can arrive more than once (ejabberd
 * 23.01 sends it to the bare and the full JID, and again to the bare JID's subscription).
 */
export type OwnNodeChange =
  | { node: string; kind: 'items' | 'retract'; itemIds: string[] }
  | { node: string; kind: 'configuration' | 'purge' | 'delete' };

/**
 * The changes to the given nodes a notification announces, if it comes from the account's own PEP
 * service (its bare JID: XEP-0163 §2; no one else can send with that address, the server stamps it).
 */
export function parseOwnNodeChanges(message: Element, ownBareJid: string, nodes: readonly string[]): OwnNodeChange[] {
  if (message.name !== 'message') return [];
  const event = message.getChild('event', NS.pubsubEvent);
  if (!event) return [];
  const from = bareJidOrUndefined(message.attrs.from);
  if (!from || !sameBareJid(from, ownBareJid)) return [];
  const changes: OwnNodeChange[] = [];
  for (const child of event.getChildElements()) {
    const node = child.attrs.node;
    if (!node || !nodes.includes(node)) continue;
    switch (child.name) {
      case 'items': {
        const published = ids(child.getChildren('item'));
        const retracted = ids(child.getChildren('retract'));
        if (published.length > 0) changes.push({ node, kind: 'items', itemIds: published });
        if (retracted.length > 0) changes.push({ node, kind: 'retract', itemIds: retracted });
        break;
      }
      case 'configuration':
      case 'purge':
      case 'delete':
        changes.push({ node, kind: child.name });
        break;
      default:
        break;
    }
  }
  return changes;
}

/**
 * Calls `onChange` for each change to the account's own `nodes` that arrives. It only looks: every
 * stanza goes on to the next handler, so the PEP notifications above are delivered as before. Nothing
 * is deduplicated here, since the same words can announce a later change (open, then presence, then
 * open again): whoever reads the node again should fold a burst into one read.
 */
export function listenForOwnNodeChanges(
  middleware: MiddlewareApi,
  ownBareJid: string,
  nodes: readonly string[],
  onChange: (change: OwnNodeChange) => void,
): void {
  middleware.use((context, next) => {
    for (const change of parseOwnNodeChanges(context.stanza, ownBareJid, nodes)) onChange(change);
    return next();
  });
}

function ids(elements: readonly Element[]): string[] {
  return elements.map((e) => e.attrs.id ?? '').filter((id) => id !== '');
}

function sameBareJid(a: string, b: string): boolean {
  try {
    return jid(a).bare().equals(jid(b).bare());
  } catch {
    return false;
  }
}
