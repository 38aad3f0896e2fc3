/**
 * Fetching a contact's persistent items on demand (XEP-0060 §6.5.2). With send_last_published_item=never
 * nothing arrives at login, so the app asks when the user opens a contact or refreshes (for many
 * contacts at once: fetch-across-servers.ts).
 */
import type { Iq } from './iq-requests.js';
import { describeFailure, failureCode } from './failure.js';
import { itemRequest, itemsRequest, parseItems, readStanzaError, type RawItem } from './pubsub.js';

export type FetchOutcome =
  | { status: 'ok'; items: RawItem[] }
  /** The node does not exist: the contact publishes nothing there. */
  | { status: 'none' }
  /** The contact's access model excludes us (any auth-type error: Prosody says forbidden, ejabberd
   *  not-authorized + not-in-roster-group, or not-allowed + closed-node for a whitelist; docs/servers.md). */
  | { status: 'refused'; detail: string }
  /** The contact's server could not be reached, or did not answer in time: nothing is known about
   *  their keys (not "no keys"). */
  | { status: 'unreachable'; detail: string }
  | { status: 'failed'; detail: string };

/** How long one items request may wait for its answer (a contact's server behind a slow link). */
export const DEFAULT_FETCH_TIMEOUT_MS = 20_000;

export async function fetchItems(iq: Iq, contact: string, node: string, timeoutMs = DEFAULT_FETCH_TIMEOUT_MS): Promise<FetchOutcome> {
  try {
    const pubsub = await iq.get(itemsRequest(node), contact, timeoutMs);
    return { status: 'ok', items: parseItems(pubsub?.getChild('items')) };
  } catch (error) {
    return refusalOrFailure(error, timeoutMs);
  }
}

/**
 * One item by id (XEP-0060 §6.5.8), with the same outcomes: XEP-0084 §3.4 asks for avatar data this
 * way, by the id the metadata named, so only the image wanted crosses the wire.
 */
export async function fetchItem(
  iq: Iq,
  contact: string,
  node: string,
  itemId: string,
  timeoutMs = DEFAULT_FETCH_TIMEOUT_MS,
): Promise<FetchOutcome> {
  try {
    const pubsub = await iq.get(itemRequest(node, itemId), contact, timeoutMs);
    const items = parseItems(pubsub?.getChild('items')).filter((i) => i.id === itemId);
    return items.length > 0 ? { status: 'ok', items } : { status: 'none' };
  } catch (error) {
    return refusalOrFailure(error, timeoutMs);
  }
}

/**
 * XEP-0060 §6.5.9.3: a whitelist node answers an outsider not-allowed + closed-node (ejabberd, with
 * type cancel, so the auth-type test below misses it): the contact keeps us out, nothing failed.
 */
function isWhitelistRefusal(info: ReturnType<typeof readStanzaError>): boolean {
  return info?.condition === 'not-allowed' && info.pubsubCondition === 'closed-node';
}

/** RFC 6120 §8.3.3.14, §8.3.3.15: our server could not reach the contact's, or gave up waiting for it. */
const UNREACHABLE_CONDITIONS = new Set(['remote-server-not-found', 'remote-server-timeout']);

function refusalOrFailure(error: unknown, timeoutMs: number): Exclude<FetchOutcome, { status: 'ok' }> {
  // No answer came in time (the IQ layer's 'timeout', or xmpp.js's bare TimeoutError): across servers,
  // a slow or hung link.
  if (failureCode(error, 'protocol-error') === 'timeout') {
    return { status: 'unreachable', detail: `no answer within ${Math.round(timeoutMs / 1000)} s` };
  }
  const info = readStanzaError(error);
  if (info?.condition === 'item-not-found') return { status: 'none' };
  const detail = info
    ? `${info.condition}${info.pubsubCondition ? ` + ${info.pubsubCondition}` : ''}${info.text ? `: ${info.text}` : ''}`
    : describeFailure(error);
  if (info && UNREACHABLE_CONDITIONS.has(info.condition)) return { status: 'unreachable', detail };
  if (info?.type === 'auth' || info?.condition === 'forbidden' || info?.condition === 'not-authorized' || isWhitelistRefusal(info)) {
    return { status: 'refused', detail };
  }
  return { status: 'failed', detail };
}
