/**
 * What one of the account's own PEP nodes holds now, read from the server, for comparison with what the
 * app published (main/drift/compare.ts): its configuration (XEP-0060 §8.2.1), who else is affiliated
 * with it (§8.9.1), who is subscribed to it (§8.8.1) and which items it holds. Also the request that makes the server tell the account
 * when another client changes the node (§6.1.1 subscribe, for §8.2.5.3 configuration notifications).
 *
 * What the server will not say is reported as unknown, never guessed: an empty answer from a server
 * that hid the items is not "no items" (ejabberd 23.01, below), and a server that will not list the
 * subscriptions (ejabberd 23.01 on PEP: feature-not-implemented) has not said there are none.
 */
import type { Element } from '@xmpp/xml';
import type { AccessRequest } from '../../contract/index.js';
import { bareJidKey } from '../keys/xmpp-addr.js';
import { fieldBoolean, fieldValue } from './data-form.js';
import { failureCode } from './failure.js';
import type { FetchOutcome } from './fetch-items.js';
import { othersWithAccess, readAffiliations, readNodeConfig, type Affiliation, type NodeContext } from './persistent-node.js';
import { readSubscriptions, rosterNeeded, type NodeSubscription } from './node-subscriptions.js';
import { fetchRoster, type RosterItem } from './roster.js';
import { discoItemsRequest, itemsRequest, parseDiscoItemIds, parseItems, readStanzaError, subscribeRequest, type RawItem } from './pubsub.js';

/** Why something could not be read: the server refused the owner ('refused'), or the request failed. */
export interface Unread {
  status: 'unknown';
  reason: 'refused' | 'failed';
  /** The server's condition or the failure's code, for logs (not for people). */
  detail: string;
}

export interface NodeState {
  node: string;
  /**
   * The account's bare JID (NodeContext.owner): the node's owner, who reads it as such (XEP-0060 §4.1),
   * and whom `affiliations` leaves out.
   */
  owner: string;
  /** pubsub#access_model as the server reports it; '' when it names none. */
  accessModel: string;
  /** pubsub#roster_groups_allowed, as reported (empty unless roster access). */
  rosterGroups: string[];
  persistItems: boolean | undefined;
  sendLastPublishedItem: string | undefined;
  /** pubsub#max_items: a number, or 'max'. */
  maxItems: string | undefined;
  /** pubsub#notify_config; undefined when the server's form has no such field (Prosody 0.12). */
  notifyConfig: boolean | undefined;
  /** Everyone besides the account holding an affiliation that grants something (XEP-0060 §4.1). */
  affiliations: { status: 'listed'; others: Affiliation[] } | Unread;
  /**
   * Explicit subscriptions (XEP-0060 §6.1) as the owner lists them (§8.8.1): both servers send each new
   * item to every subscriber whatever the access model, so a subscriber the audience leaves out is sent
   * what is published. `others`: every subscription but the account's own (any resource of its bare JID;
   * watchOwnNode subscribes it). `roster`: the account's roster as the server has it now, read only where
   * judging `others` needs it (ReadNodeOptions.audiences, rosterNeeded), or why it could not be read.
   */
  subscriptions: { status: 'listed'; others: NodeSubscription[]; roster?: { status: 'listed'; items: RosterItem[] } | Unread } | Unread;
  /**
   * The ids of the items the node holds; with `payloads` when they were read whole (`whole`), each
   * item's single payload element by id (undefined: none, or more than one).
   */
  items: { status: 'listed'; ids: string[]; payloads?: ReadonlyMap<string, Element | undefined> } | Unread;
}

export interface ReadNodeOptions {
  /**
   * A §6.5.2 read of the node the caller already made (sign-in reads the key node's items whole for its
   * revocations): taken instead of asking again; should it have failed, the items are read here as ever.
   */
  itemsRead?: Promise<FetchOutcome> | undefined;
  /**
   * Read the items themselves (§6.5.2), not their ids alone, to compare what they hold: the key node,
   * whose items are small (a certificate each) and whose ids alone do not say which certificate an
   * item carries.
   */
  whole?: boolean;
  /**
   * The accesses the node's subscriptions will be judged by (compare.ts subscriptionAudiences: the one
   * recorded, and the one asked last): where one of them is presence or roster access and someone
   * besides the account is subscribed, the roster is read too, as only it says whom those admit.
   * Without them the roster is never read, and such subscriptions go unjudged (compare.ts).
   */
  audiences?: readonly AccessRequest[];
  /** Reads the roster (RFC 6121 §2.2): one read shared by every node of a check (sharedRosterRead); its own read otherwise. */
  roster?: () => Promise<RosterItem[]>;
}

/** One roster read (RFC 6121 §2.2), made on first use and shared by the nodes of one check. */
export function sharedRosterRead(ctx: NodeContext): () => Promise<RosterItem[]> {
  let read: Promise<RosterItem[]> | undefined;
  return () => (read ??= fetchRoster(ctx.iq));
}

/**
 * The node's state now, or undefined when it does not exist. `expectedItemIds` (what the app published
 * there) decides how the items are read: their ids alone (§5.5) when that listing holds them all, else
 * the items themselves (§6.5.2) to confirm what is missing; always the items themselves when `whole`.
 */
export async function readNodeState(
  ctx: NodeContext,
  node: string,
  expectedItemIds: readonly string[] = [],
  options: ReadNodeOptions = {},
): Promise<NodeState | undefined> {
  const form = await readNodeConfig(ctx, node);
  if (form === undefined) return undefined;
  const [affiliations, items, subscriptions] = await Promise.all([
    readAffiliations(ctx, node).then(
      (all) => ({ status: 'listed' as const, others: othersWithAccess(ctx, all) }),
      (error: unknown) => unread(error),
    ),
    readItems(ctx, node, expectedItemIds, options),
    readNodeSubscriptions(ctx, node, options),
  ]);
  return {
    node,
    owner: ctx.owner,
    accessModel: fieldValue(form, 'pubsub#access_model') ?? '',
    rosterGroups: form.fields.get('pubsub#roster_groups_allowed')?.values ?? [],
    persistItems: fieldBoolean(form, 'pubsub#persist_items'),
    sendLastPublishedItem: fieldValue(form, 'pubsub#send_last_published_item'),
    maxItems: fieldValue(form, 'pubsub#max_items'),
    notifyConfig: form.fields.has('pubsub#notify_config') ? fieldBoolean(form, 'pubsub#notify_config') === true : undefined,
    affiliations,
    items,
    subscriptions,
  };
}

/**
 * §8.8.1, one request; the roster after it only where the audiences judged by it need it
 * (rosterNeeded, node-subscriptions.ts: the same rule publishing follows). A refusal or failure of
 * either is unknown, never "nobody".
 */
async function readNodeSubscriptions(ctx: NodeContext, node: string, options: ReadNodeOptions): Promise<NodeState['subscriptions']> {
  let all: NodeSubscription[];
  try {
    all = await readSubscriptions(ctx, node);
  } catch (error) {
    return unread(error);
  }
  const self = bareJidKey(ctx.owner);
  const others = all.filter((s) => bareJidKey(s.jid) !== self);
  if (!rosterNeeded(ctx.owner, options.audiences ?? [], all)) return { status: 'listed', others };
  const readRoster = options.roster ?? (() => fetchRoster(ctx.iq));
  const roster = await readRoster().then(
    (items) => ({ status: 'listed' as const, items }),
    (error: unknown) => unread(error),
  );
  return { status: 'listed', others, roster };
}

/**
 * §5.5 lists item ids without payloads (an avatar's data item can be 256 KiB), which is enough when it
 * names every item expected. When it misses one, §6.5.2 decides: ejabberd 23.01 answers §5.5 with an
 * empty list where the access model leaves the owner out (roster access, unless she is in an allowed
 * group of her own roster), while §6.5.2 says not-authorized. Asked for `whole`, only §6.5.2.
 */
async function readItems(ctx: NodeContext, node: string, expected: readonly string[], options: ReadNodeOptions): Promise<NodeState['items']> {
  const read = await options.itemsRead?.catch(() => undefined);
  if (read?.status === 'ok') return listed(read.items, options.whole === true);
  // Anything else is read again, as without it: 'none' was said before this configuration was read
  // (the node made since), and a refusal or failure is told apart below as fetch-items.ts does not.
  if (!options.whole) {
    try {
      const ids = parseDiscoItemIds(await ctx.iq.get(discoItemsRequest(node), ctx.owner));
      const listedIds = new Set(ids);
      if (expected.every((id) => listedIds.has(id))) return { status: 'listed', ids };
    } catch (error) {
      // No answer at all (a timeout, a lost connection) would not come for the items either.
      if (!readStanzaError(error)) return unread(error);
    }
  }
  try {
    const pubsub = await ctx.iq.get(itemsRequest(node), ctx.owner);
    return listed(parseItems(pubsub?.getChild('items')), options.whole === true);
  } catch (error) {
    const info = readStanzaError(error);
    // Deleted since its configuration was read: it holds nothing.
    if (info?.condition === 'item-not-found') return listed([], options.whole === true);
    // §6.5.9.4: a node that keeps no items has none to give anyone (Prosody 0.12 empties a node whose
    // persist_items is turned off, and answers so).
    if (info?.pubsubCondition === 'persistent-items') return listed([], options.whole === true);
    return unread(error);
  }
}

function listed(items: readonly RawItem[], whole: boolean): NodeState['items'] {
  const named = items.filter((i) => i.id !== '');
  const ids = named.map((i) => i.id);
  return whole ? { status: 'listed', ids, payloads: new Map(named.map((i) => [i.id, i.payload])) } : { status: 'listed', ids };
}

export type NodeWatch =
  /** The server will send a §8.2.5.3 configuration notification on the next change (while notify_config stays on). */
  | { configuration: true }
  /**
   * It will not: 'not-offered' when its form has no pubsub#notify_config (Prosody 0.12 never sends
   * them); 'off' when the node has it off (the app leaves it off on roster nodes, persistent-node.ts,
   * or another client turned it off); 'refused' when the server said no for good (an error of type
   * auth or cancel, RFC 6120 §8.3.2); 'failed' when it may take it later (a timeout, a lost
   * connection, an error of type wait).
   */
  | { configuration: false; reason: 'not-offered' | 'off' | 'refused' | 'failed'; detail?: string };

/**
 * Subscribes the account's bare JID to its own node (§6.1.1), where the server offers notify_config:
 * ejabberd 23.01 sends configuration notifications, and deletion notifications (§8.4.2), to explicit
 * subscribers only, not to the owner's resources that announced +notify. Subscribing again is harmless
 * (it answers with the same subscription), so call it at sign-in and after each publish or restore: a
 * node that was deleted and made again has lost the subscription. Prosody 0.12 needs none: it tells
 * the owner's +notify resources of items, retractions, purges and deletions, and of no configuration
 * change at all.
 */
export async function watchOwnNode(ctx: NodeContext, state: Pick<NodeState, 'node' | 'notifyConfig'>): Promise<NodeWatch> {
  if (state.notifyConfig === undefined) return { configuration: false, reason: 'not-offered' };
  try {
    await ctx.iq.set(subscribeRequest(state.node, ctx.owner), ctx.owner);
  } catch (error) {
    const info = readStanzaError(error);
    const final = info !== undefined && (info.type === 'auth' || info.type === 'cancel' || info.type === 'modify');
    return { configuration: false, reason: final ? 'refused' : 'failed', detail: unread(error).detail };
  }
  return state.notifyConfig ? { configuration: true } : { configuration: false, reason: 'off' };
}

function unread(error: unknown): Unread {
  const info = readStanzaError(error);
  if (info) {
    const detail = `${info.condition}${info.pubsubCondition ? ` + ${info.pubsubCondition}` : ''}`;
    return { status: 'unknown', reason: info.type === 'auth' ? 'refused' : 'failed', detail };
  }
  return { status: 'unknown', reason: 'failed', detail: failureCode(error, 'protocol-error') };
}
