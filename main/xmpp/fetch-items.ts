/**
 * Fetching a contact's persistent items on demand (XEP-0060 §6.5.2). With send_last_published_item=never
 * nothing arrives at login, so the app asks when the user opens a contact or refreshes, and for many
 * contacts at once with bounded concurrency: requests are pipelined, not sent one after another.
 */
import type { IqCaller } from '@xmpp/iq/caller.js';
import { describeFailure } from './failure.js';
import { itemRequest, itemsRequest, parseItems, readStanzaError, type RawItem } from './pubsub.js';

export type FetchOutcome =
  | { status: 'ok'; items: RawItem[] }
  /** The node does not exist: the contact publishes nothing there. */
  | { status: 'none' }
  /** The contact's access model excludes us (any auth-type error: Prosody says forbidden, ejabberd
   *  not-authorized + not-in-roster-group; SERVER-NOTES). */
  | { status: 'refused'; detail: string }
  | { status: 'failed'; detail: string };

export async function fetchItems(iq: IqCaller, contact: string, node: string, timeoutMs = 20_000): Promise<FetchOutcome> {
  try {
    const pubsub = await iq.get(itemsRequest(node), contact, timeoutMs);
    return { status: 'ok', items: parseItems(pubsub?.getChild('items')) };
  } catch (error) {
    return refusalOrFailure(error);
  }
}

/**
 * One item by id (XEP-0060 §6.5.8), with the same outcomes: XEP-0084 §3.4 asks for avatar data this
 * way, by the id the metadata named, so only the image wanted crosses the wire.
 */
export async function fetchItem(iq: IqCaller, contact: string, node: string, itemId: string, timeoutMs = 20_000): Promise<FetchOutcome> {
  try {
    const pubsub = await iq.get(itemRequest(node, itemId), contact, timeoutMs);
    const items = parseItems(pubsub?.getChild('items')).filter((i) => i.id === itemId);
    return items.length > 0 ? { status: 'ok', items } : { status: 'none' };
  } catch (error) {
    return refusalOrFailure(error);
  }
}

function refusalOrFailure(error: unknown): Exclude<FetchOutcome, { status: 'ok' }> {
  const info = readStanzaError(error);
  if (info?.condition === 'item-not-found') return { status: 'none' };
  const detail = info
    ? `${info.condition}${info.pubsubCondition ? ` + ${info.pubsubCondition}` : ''}${info.text ? `: ${info.text}` : ''}`
    : describeFailure(error);
  if (info?.type === 'auth' || info?.condition === 'forbidden' || info?.condition === 'not-authorized') {
    return { status: 'refused', detail };
  }
  return { status: 'failed', detail };
}

/** Runs `worker` over `inputs` with at most `concurrency` in flight; results keep the input order. */
export async function mapConcurrent<I, O>(inputs: readonly I[], concurrency: number, worker: (input: I) => Promise<O>): Promise<O[]> {
  const results: O[] = new Array<O>(inputs.length);
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(concurrency, inputs.length)) }, async () => {
    while (next < inputs.length) {
      const index = next++;
      results[index] = await worker(inputs[index] as I);
    }
  });
  await Promise.all(lanes);
  return results;
}
