/**
 * Who is subscribed to one of the account's own nodes (XEP-0060 §8.8), and ending the subscriptions the
 * node's audience leaves out.
 *
 * An explicit subscription (§6.1) outlives the access that let it be made. Prosody 0.12 ends
 * subscriptions only when the access *model* changes (util/pubsub.lua set_node_config): a smaller
 * whitelist, or other roster groups, keep them. ejabberd 23.01 never ends them, delivers each new item
 * to every subscriber whatever the access model (mod_pubsub broadcast_stanza), and lets a subscriber
 * with no affiliation fetch a whitelist node's items (node_flat can_fetch_item). Taking someone off the
 * audience must therefore end their subscription too, or they keep being sent what is published.
 *
 * Done before the affiliations change (persistent-node.ts syncAffiliations): Prosody 0.12's
 * set_affiliation, asked to take a subscribed member off a whitelist, stores the change and then fails
 * with `forbidden` (it tries to subscribe them again), which would read as a refusal half done.
 */
import type { AccessRequest } from '../../contract/index.js';
import { KeyringError } from '../errors.js';
import { bareJidKey } from '../keys/xmpp-addr.js';
import { asClause, describeNodeFailure, failureCode } from './failure.js';
import { nodeTitle, requestedAudience } from './node-words.js';
import { parseSubscriptions, readStanzaError, subscriptionsGetRequest, subscriptionsSetRequest } from './pubsub.js';
import type { Iq } from './iq-requests.js';
import { fetchRoster, type RosterItem } from './roster.js';

export interface NodeSubscription {
  jid: string;
  subscription: string;
  subid?: string;
}

interface Context {
  iq: Iq;
  owner: string;
}

/** §8.8.1: every subscription to the node, as its owner reads them (a stanza error when the server will not list them). */
export async function readSubscriptions(ctx: Context, node: string): Promise<NodeSubscription[]> {
  return parseSubscriptions(await ctx.iq.get(subscriptionsGetRequest(node), ctx.owner));
}

/**
 * The subscriptions `access` leaves out. Never the account's own (it subscribes its bare JID to hear of
 * configuration changes, node-state.ts). Under whitelist, those of anyone not on it. Under presence
 * access, those of anyone the roster does not show subscribed to the account's presence ('from' or
 * 'both', XEP-0060 §4.5); under roster access, anyone not so subscribed in one of the groups (ejabberd's
 * own rule, the stricter of the two servers'). `roster`: the account's roster as the server has it
 * now; without it, under presence or roster access, every other subscription is left out (the
 * contacts the model admits still get new items the PEP way, XEP-0163 §4 `+notify`, which the server
 * checks against the access on each item). Under open access, none.
 */
export function subscriptionsOutside(
  owner: string,
  access: AccessRequest,
  subscriptions: readonly NodeSubscription[],
  roster?: readonly RosterItem[],
): NodeSubscription[] {
  if (access.model === 'open') return [];
  const self = bareJidKey(owner);
  const allowed = new Set(access.model === 'whitelist' ? (access.allow ?? []).map(bareJidKey) : []);
  const groups = new Set(access.model === 'roster' ? (access.groups ?? []) : []);
  const admitted = new Set(
    (access.model === 'presence' || access.model === 'roster' ? (roster ?? []) : [])
      .filter((item) => item.subscription === 'from' || item.subscription === 'both')
      .filter((item) => access.model === 'presence' || item.groups.some((group) => groups.has(group)))
      .map((item) => bareJidKey(item.jid)),
  );
  return subscriptions.filter((s) => {
    const who = bareJidKey(s.jid);
    return who !== self && !allowed.has(who) && !admitted.has(who);
  });
}

/**
 * What the server let the app know of the node's subscriptions: all of them (`listed`), or not
 * (`detail`: its answer to the request for the list). Unlisted, only the subscriptions of addresses the
 * app knows were ended: someone who subscribed while they could read, from another address, may still
 * be sent new items. The publish then says so (NodeConfigDeviation 'subscriptions-unknown').
 */
export type SubscriptionsOutcome = { listed: true } | { listed: false; detail: string };

/**
 * Ends every subscription to `node` that `access` leaves out, then reads them again: one left is
 * refused as 'access-not-revoked', and nothing is published. Where the server will not list them
 * (ejabberd 23.01 has no "manage-subscriptions" on PEP, yet takes the owner's §8.8.2 change of a named
 * subscription), the subscriptions of `knownOutside` are ended one by one: the addresses this publish
 * takes off the node (its affiliations), the only ones the app can name.
 *
 * `beforeChange` runs right before the first request that changes who is subscribed.
 */
export async function endSubscriptionsOutside(
  ctx: Context,
  node: string,
  access: AccessRequest,
  knownOutside: () => Promise<readonly string[]>,
  beforeChange?: () => void,
): Promise<SubscriptionsOutcome> {
  if (access.model === 'open') return { listed: true };
  let subscriptions: NodeSubscription[];
  try {
    subscriptions = await readSubscriptions(ctx, node);
  } catch (error) {
    if (readStanzaError(error) === undefined) throw subscriptionsFailure(node, error, 'Could not read who is subscribed to');
    const named = (await knownOutside()).map((jid) => ({ jid, subscription: 'subscribed' }));
    await endNamed(ctx, node, subscriptionsOutside(ctx.owner, access, named, await rosterFor(ctx, access, named)), beforeChange);
    return { listed: false, detail: describeNodeFailure(error) };
  }
  const outside = subscriptionsOutside(ctx.owner, access, subscriptions, await rosterFor(ctx, access, subscriptions));
  if (outside.length === 0) return { listed: true };
  beforeChange?.();
  try {
    await ctx.iq.set(
      subscriptionsSetRequest(
        node,
        outside.map((s) => ({ jid: s.jid, subscription: 'none', ...(s.subid ? { subid: s.subid } : {}) })),
      ),
      ctx.owner,
    );
  } catch (error) {
    throw subscriptionsFailure(node, error, `The server refused to end the subscriptions of ${describeSubscribers(outside)} to`);
  }
  const again = await readSubscriptions(ctx, node).catch((error: unknown) => {
    throw subscriptionsFailure(node, error, 'Could not read again who is subscribed to');
  });
  const ended = new Set(outside.map((s) => bareJidKey(s.jid)));
  const left = again.filter((s) => ended.has(bareJidKey(s.jid)));
  if (left.length > 0) {
    throw new KeyringError(
      'access-not-revoked',
      `${describeSubscribers(left)} ${left.length === 1 ? 'is' : 'are'} still subscribed to ${nodeTitle(node)} and would be sent what is published there, ` +
        `although who can read it is now ${requestedAudience(access)}: the server kept ${left.length === 1 ? 'that subscription' : 'those subscriptions'} ` +
        'when asked to end them. Nothing was published.',
    );
  }
  return { listed: true };
}

/**
 * Whether judging `subscriptions` by any of `accesses` (subscriptionsOutside) needs the account's roster:
 * one of them is presence or roster access, and someone besides the account itself is subscribed.
 * Publishing (below) and drift watch (node-state.ts) read the roster only then.
 */
export function rosterNeeded(owner: string, accesses: readonly AccessRequest[], subscriptions: readonly NodeSubscription[]): boolean {
  if (!accesses.some((a) => a.model === 'presence' || a.model === 'roster')) return false;
  const self = bareJidKey(owner);
  return subscriptions.some((s) => bareJidKey(s.jid) !== self);
}

/**
 * The roster, where the access is judged by it and there is someone to judge (one request, only then).
 * Unread (the server refused, or took too long), every other subscription is ended: the safe side.
 */
async function rosterFor(ctx: Context, access: AccessRequest, subscriptions: readonly NodeSubscription[]): Promise<RosterItem[] | undefined> {
  if (!rosterNeeded(ctx.owner, [access], subscriptions)) return undefined;
  return fetchRoster(ctx.iq).catch(() => undefined);
}

/** Ends each named subscription with a request of its own: an address with none is refused, and that is no failure. */
async function endNamed(ctx: Context, node: string, named: readonly NodeSubscription[], beforeChange?: () => void): Promise<void> {
  if (named.length > 0) beforeChange?.();
  for (const s of named) {
    try {
      await ctx.iq.set(subscriptionsSetRequest(node, [{ jid: s.jid, subscription: 'none' }]), ctx.owner);
    } catch (error) {
      // Not subscribed (ejabberd: unexpected-request): nothing to end. A lost connection ends the publish.
      if (readStanzaError(error) === undefined) throw subscriptionsFailure(node, error, `Could not end the subscription of ${s.jid} to`);
    }
  }
}

function describeSubscribers(subscriptions: readonly NodeSubscription[]): string {
  return [...new Set(subscriptions.map((s) => s.jid))].join(', ');
}

function subscriptionsFailure(node: string, error: unknown, what: string): KeyringError {
  return new KeyringError(failureCode(error, 'access-model-unsupported'), `${what} ${nodeTitle(node)}: ${asClause(describeNodeFailure(error))}. Nothing was published.`, undefined, {
    cause: error,
  });
}
