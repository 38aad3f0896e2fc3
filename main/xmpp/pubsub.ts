/**
 * XEP-0060 requests as the spec writes them, and defensive readers for the answers. One function per
 * protocol operation; each names its section. Sent to the account's own bare JID they address its PEP
 * service (XEP-0163 §3); sent to a contact's bare JID, theirs.
 */
import { xml } from '@xmpp/client';
import type { Element } from '@xmpp/xml';
import { NS } from './namespaces.js';
import { parseForm, submitForm, type FieldValue, type ParsedForm } from './data-form.js';

export const NODE_CONFIG_FORM = `${NS.pubsub}#node_config`;
export const PUBLISH_OPTIONS_FORM = `${NS.pubsub}#publish-options`;

/** §7.1.1 publish one item, with §7.1.5 publish-options preconditions when given. */
export function publishRequest(
  node: string,
  item: { id: string; payload: Element },
  preconditions?: Readonly<Record<string, FieldValue>>,
): Element {
  return xml(
    'pubsub',
    { xmlns: NS.pubsub },
    xml('publish', { node }, xml('item', { id: item.id }, item.payload)),
    preconditions ? xml('publish-options', {}, submitForm(PUBLISH_OPTIONS_FORM, preconditions)) : undefined,
  );
}

/** §8.1.3 create a node and configure it in the same request. */
export function createAndConfigureRequest(node: string, config: Readonly<Record<string, FieldValue>>): Element {
  return xml(
    'pubsub',
    { xmlns: NS.pubsub },
    xml('create', { node }),
    xml('configure', {}, submitForm(NODE_CONFIG_FORM, config)),
  );
}

/** §8.2.1 ask for a node's configuration form. */
export function configureGetRequest(node: string): Element {
  return xml('pubsub', { xmlns: NS.pubsubOwner }, xml('configure', { node }));
}

/** §8.3 ask for the default configuration of a new node (a form listing the options). */
export function defaultConfigRequest(): Element {
  return xml('pubsub', { xmlns: NS.pubsubOwner }, xml('default'));
}

/** The configuration form inside a §8.3 answer (`<pubsub xmlns=…#owner><default><x/>`). */
export function parseDefaultAnswer(pubsub: Element | undefined): ParsedForm {
  return parseForm(pubsub?.getChild('default')?.getChild('x', NS.dataForms));
}

/** §8.2.4 submit a node's new configuration. */
export function configureSetRequest(node: string, config: Readonly<Record<string, FieldValue>>): Element {
  return xml('pubsub', { xmlns: NS.pubsubOwner }, xml('configure', { node }, submitForm(NODE_CONFIG_FORM, config)));
}

/** §6.5.2 retrieve all items of a node (§6.5.7 max_items when given). */
export function itemsRequest(node: string, maxItems?: number): Element {
  return xml('pubsub', { xmlns: NS.pubsub }, xml('items', { node, max_items: maxItems }));
}

/** §6.5.8 retrieve one item by its id (XEP-0084 §3.4 fetches avatar data this way). */
export function itemRequest(node: string, itemId: string): Element {
  return xml('pubsub', { xmlns: NS.pubsub }, xml('items', { node }, xml('item', { id: itemId })));
}

/** §7.2.1 delete an item, notifying subscribers (§7.2.2.1). */
export function retractRequest(node: string, itemId: string): Element {
  return xml('pubsub', { xmlns: NS.pubsub }, xml('retract', { node, notify: 'true' }, xml('item', { id: itemId })));
}

/**
 * §6.1.1 subscribe `jid` to a node. The owner subscribes her own bare JID to her own PEP node to hear of
 * configuration changes (§8.2.5.3): ejabberd 23.01 sends those to explicit subscribers only, never on
 * the strength of +notify (docs/drift.md).
 */
export function subscribeRequest(node: string, jid: string): Element {
  return xml('pubsub', { xmlns: NS.pubsub }, xml('subscribe', { node, jid }));
}

/** §5.5 discover the items of a node: their ids without their payloads. */
export function discoItemsRequest(node: string): Element {
  return xml('query', { xmlns: NS.discoItems, node });
}

/** The item ids in a §5.5 answer: "The 'name' attribute of each Service Discovery item MUST contain its ItemID". */
export function parseDiscoItemIds(query: Element | undefined): string[] {
  if (!query) return [];
  return query
    .getChildren('item')
    .map((item) => item.attrs.name ?? '')
    .filter((id) => id !== '');
}

/** §8.9.1 the owner asks who is affiliated with a node (whitelist members). */
export function affiliationsGetRequest(node: string): Element {
  return xml('pubsub', { xmlns: NS.pubsubOwner }, xml('affiliations', { node }));
}

/** §8.9.2 the owner changes affiliations; 'member' admits a JID to a whitelist node, 'none' removes it. */
export function affiliationsSetRequest(node: string, entries: readonly { jid: string; affiliation: string }[]): Element {
  return xml(
    'pubsub',
    { xmlns: NS.pubsubOwner },
    xml('affiliations', { node }, ...entries.map((e) => xml('affiliation', { jid: e.jid, affiliation: e.affiliation }))),
  );
}

/** §8.8.1 the owner asks who is subscribed to a node. */
export function subscriptionsGetRequest(node: string): Element {
  return xml('pubsub', { xmlns: NS.pubsubOwner }, xml('subscriptions', { node }));
}

/** §8.8.2 the owner changes subscriptions; 'none' ends one (a subid names which, where there are several). */
export function subscriptionsSetRequest(node: string, entries: readonly { jid: string; subscription: string; subid?: string }[]): Element {
  return xml(
    'pubsub',
    { xmlns: NS.pubsubOwner },
    xml('subscriptions', { node }, ...entries.map((e) => xml('subscription', { jid: e.jid, subscription: e.subscription, ...(e.subid ? { subid: e.subid } : {}) }))),
  );
}

/** The subscriptions in a §8.8.1 answer (any state: subscribed, pending, unconfigured). */
export function parseSubscriptions(pubsub: Element | undefined): { jid: string; subscription: string; subid?: string }[] {
  const list = pubsub?.getChild('subscriptions');
  if (!list) return [];
  return list
    .getChildren('subscription')
    .map((s) => ({ jid: s.attrs.jid ?? '', subscription: s.attrs.subscription ?? '', ...(s.attrs.subid ? { subid: s.attrs.subid } : {}) }))
    .filter((s) => s.jid !== '' && s.subscription !== '' && s.subscription !== 'none');
}

/** The configuration form inside a §8.2.1 answer (`<pubsub xmlns=…#owner><configure><x/>`). */
export function parseConfigureAnswer(pubsub: Element | undefined): ParsedForm {
  return parseForm(pubsub?.getChild('configure')?.getChild('x', NS.dataForms));
}

export interface RawItem {
  id: string;
  /** The single payload element, if the item has exactly one. */
  payload: Element | undefined;
  /** Serialized size of the whole item, for caps on hostile input. */
  size: number;
}

/** Items of `node` in a §6.5.2 answer, or in a §7.1.2.1 event's `<items/>`. */
export function parseItems(items: Element | undefined): RawItem[] {
  if (!items) return [];
  return items.getChildren('item').map((item) => {
    const elements = item.getChildElements();
    return { id: item.attrs.id ?? '', payload: elements.length === 1 ? elements[0] : undefined, size: item.toString().length };
  });
}

export function parseAffiliations(pubsub: Element | undefined): { jid: string; affiliation: string }[] {
  const list = pubsub?.getChild('affiliations');
  if (!list) return [];
  return list
    .getChildren('affiliation')
    .map((a) => ({ jid: a.attrs.jid ?? '', affiliation: a.attrs.affiliation ?? '' }))
    .filter((a) => a.jid !== '' && a.affiliation !== '');
}

export interface PubsubErrorInfo {
  /** RFC 6120 §8.3.2 error type: auth, cancel, modify, wait, continue. */
  type: string;
  /** RFC 6120 §8.3.3 condition, e.g. 'conflict', 'item-not-found'. */
  condition: string;
  /** XEP-0060 §7 application condition, e.g. 'precondition-not-met'. */
  pubsubCondition?: string;
  text: string;
}

/**
 * What an iq error from xmpp.js (an XMPPError with `condition`, `text`, `application`, `element`) says.
 * Undefined for anything else (timeouts, disconnects). The conditions are found by namespace, not
 * position: ejabberd puts the pubsub condition before the RFC 6120 one, which xmpp.js then takes as
 * "the" condition.
 */
export function readStanzaError(error: unknown): PubsubErrorInfo | undefined {
  if (typeof error !== 'object' || error === null || !('condition' in error)) return undefined;
  const e = error as { condition?: unknown; text?: unknown; element?: Element };
  if (typeof e.condition !== 'string') return undefined;
  const children = e.element?.getChildElements() ?? [];
  const stanzaCondition = children.find((c) => c.getNS() === NS.stanzas && c.name !== 'text');
  const pubsubCondition = children.find((c) => c.getNS() === NS.pubsubErrors);
  const text = children.find((c) => c.name === 'text')?.text() ?? (typeof e.text === 'string' ? e.text : '');
  const info: PubsubErrorInfo = {
    type: e.element?.attrs.type ?? '',
    condition: stanzaCondition?.name ?? e.condition,
    text,
  };
  if (pubsubCondition) info.pubsubCondition = pubsubCondition.name;
  return info;
}
