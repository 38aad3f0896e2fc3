/**
 * RFC 6121 roster and presence subscriptions: the contacts, their groups (which decide who may read a
 * roster-access node), and who is online. Roster pushes are accepted only from the account itself
 * (RFC 6121 §2.1.6), so no one else can rewrite the groups that gate access.
 */
import { jid, xml } from '@xmpp/client';
import type { Element } from '@xmpp/xml';
import type { Iq } from './iq-requests.js';
import type { IqCallee } from '@xmpp/iq/callee.js';
import { NS } from './namespaces.js';

export type Subscription = 'none' | 'to' | 'from' | 'both';

export interface RosterItem {
  jid: string;
  name?: string;
  groups: string[];
  subscription: Subscription;
  /** 'subscribe' while our request to see their presence is pending. */
  ask?: 'subscribe';
}

/** A roster push (§2.1.6); `version`: the roster version it brings the copy to (§2.6.3), when versioned. */
export type RosterPush = ({ kind: 'set'; item: RosterItem } | { kind: 'remove'; jid: string }) & { version?: string };

/** Longest roster version kept; the RFC leaves its form to the server, which sends short strings. */
const MAX_VERSION_LENGTH = 256;

const SUBSCRIPTIONS = new Set(['none', 'to', 'from', 'both']);

export function parseRosterItem(item: Element): RosterItem | RosterPush | undefined {
  let address: string;
  try {
    address = jid(item.attrs.jid ?? '').bare().toString();
  } catch {
    return undefined;
  }
  if (!address) return undefined;
  const subscription = item.attrs.subscription ?? 'none';
  if (subscription === 'remove') return { kind: 'remove', jid: address };
  const parsed: RosterItem = {
    jid: address,
    groups: [...new Set(item.getChildren('group').map((g) => g.text().trim()).filter((g) => g !== ''))],
    subscription: SUBSCRIPTIONS.has(subscription) ? (subscription as Subscription) : 'none',
  };
  if (item.attrs.name) parsed.name = item.attrs.name;
  if (item.attrs.ask === 'subscribe') parsed.ask = 'subscribe';
  return parsed;
}

/** RFC 6121 §2.2: the whole roster. */
export async function fetchRoster(iq: Iq): Promise<RosterItem[]> {
  const query = await iq.get(xml('query', { xmlns: NS.roster }));
  return (query?.getChildren('item') ?? [])
    .map(parseRosterItem)
    .filter((i): i is RosterItem => i !== undefined && !('kind' in i));
}

/**
 * RFC 6121 §2.6: the roster, or only what changed since `version`. A server that versions its roster
 * answers a request with a version (§2.6.2) either with the whole roster and its new version, or with
 * an empty result, meaning "unchanged since then", followed by a roster push per change (§2.6.3).
 * `version` is sent only when this server gave one before: a server gives one only when it supports
 * versioning (§2.6.3), which is what its stream feature (§2.6.1) would have said.
 */
export async function fetchRosterSince(
  iq: Iq,
  version: string | undefined,
): Promise<{ unchanged: true } | { unchanged: false; items: RosterItem[]; version?: string }> {
  const query = await iq.get(xml('query', { xmlns: NS.roster, ...(version !== undefined ? { ver: version } : {}) }));
  if (!query) {
    if (version !== undefined) return { unchanged: true };
    return { unchanged: false, items: [] };
  }
  const items = query
    .getChildren('item')
    .map(parseRosterItem)
    .filter((i): i is RosterItem => i !== undefined && !('kind' in i));
  const next = versionOf(query);
  return next !== undefined ? { unchanged: false, items, version: next } : { unchanged: false, items };
}

function versionOf(query: Element): string | undefined {
  const ver = query.attrs.ver;
  return typeof ver === 'string' && ver.length <= MAX_VERSION_LENGTH ? ver : undefined;
}

/** RFC 6121 §2.3: add or update a contact (name and groups). */
export async function setRosterItem(iq: Iq, item: { jid: string; name?: string; groups: readonly string[] }): Promise<void> {
  await iq.set(
    xml(
      'query',
      { xmlns: NS.roster },
      xml('item', { jid: item.jid, name: item.name }, ...item.groups.map((g) => xml('group', {}, g))),
    ),
  );
}

/** RFC 6121 §2.5: remove a contact (the server also cancels subscriptions both ways). */
export async function removeRosterItem(iq: Iq, contact: string): Promise<void> {
  await iq.set(xml('query', { xmlns: NS.roster }, xml('item', { jid: contact, subscription: 'remove' })));
}

/** RFC 6121 §2.1.6: apply roster pushes from our own server; ignore (and refuse) anyone else's. */
export function answerRosterPushes(iqCallee: IqCallee, ownBareJid: () => string, onPush: (push: RosterPush) => void): void {
  iqCallee.set(NS.roster, 'query', (context) => {
    const from = context.stanza.attrs.from;
    // Addresses compare without case (RFC 7622 §3.2, §3.3): a server writing ours in capitals is still ours.
    if (from !== undefined && from.toLowerCase() !== ownBareJid().toLowerCase()) {
      return xml('error', { type: 'cancel' }, xml('service-unavailable', { xmlns: NS.stanzas }));
    }
    const item = context.element?.getChild('item');
    const parsed = item ? parseRosterItem(item) : undefined;
    const version = context.element ? versionOf(context.element) : undefined;
    const push: RosterPush | undefined = parsed === undefined ? undefined : 'kind' in parsed ? parsed : { kind: 'set', item: parsed };
    if (push) onPush(version !== undefined ? { ...push, version } : push);
    return {};
  });
}

/** RFC 6121 §3: presence subscription requests and answers. */
export function subscriptionStanza(to: string, type: 'subscribe' | 'subscribed' | 'unsubscribe' | 'unsubscribed'): Element {
  return xml('presence', { to, type });
}
