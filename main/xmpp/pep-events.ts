/**
 * Incoming PEP notifications (XEP-0060 §7.1.2.1 items, §7.2.2.1 retract) from the contacts whose
 * `+notify` interest we advertised. Parsed into typed events; anything malformed is dropped here and
 * counted, never thrown. A contact on the same server can reach us twice (to the bare and the full JID,
 * docs/servers.md), so identical notifications within a short window are delivered once.
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
  /** When each recent notification was first seen (the most recent DEDUPE_MAX of them). */
  const seen = new BoundedMap<string, number>(DEDUPE_MAX);
  middleware.use((context, next) => {
    const notification = parsePepNotification(context.stanza);
    if (!notification || !nodes.includes(notification.node)) return next();
    const key = fingerprintOf(context.stanza, notification);
    const now = Date.now();
    const earlier = seen.get(key);
    if (earlier !== undefined && now - earlier < DEDUPE_WINDOW_MS) return undefined;
    seen.set(key, now);
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
