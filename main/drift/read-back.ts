/**
 * Reading a just-published item back (XEP-0060 §6.5.8, by its id: one small request), the step every
 * publish of the account's own items ends with: keys and revocations (held-certificate.ts), profile
 * parts (profile-read-back.ts). Each caller reads the item its own way and words its own mismatch.
 */
import type { EffectiveNodeConfig } from '../../contract/index.js';
import { fetchItem } from '../xmpp/fetch-items.js';
import type { NodeContext } from '../xmpp/persistent-node.js';
import type { RawItem } from '../xmpp/pubsub.js';

/** What reading a just-published item back said: it holds what was sent, or could not be read. */
export type ReadBack = { status: 'verified' } | { status: 'unreadable'; detail: string };

/**
 * The item `id` as the server holds it now, read by `read` (undefined: nothing `read` understands), or
 * why it could not be asked. A server that will not show the owner her own item (ejabberd 23.01 under
 * roster access, docs/drift.md) is `unreadable`: unverified, not failed; drift watch lists those too.
 */
export async function readBackItem<T>(
  ctx: NodeContext,
  node: string,
  id: string,
  read: (item: RawItem) => T | undefined,
): Promise<{ status: 'unreadable'; detail: string } | { status: 'absent' } | { status: 'held'; item: RawItem; found: T | undefined }> {
  const fetched = await fetchItem(ctx.iq, ctx.owner, node, id);
  if (fetched.status === 'refused' || fetched.status === 'unreachable' || fetched.status === 'failed') return { status: 'unreadable', detail: fetched.detail };
  const item = fetched.status === 'ok' ? fetched.items[0] : undefined;
  return item === undefined ? { status: 'absent' } : { status: 'held', item, found: read(item) };
}

/**
 * The publish's configuration as the front ends show it, saying when the item could not be read back:
 * a publish the app could not check is never shown as one it did (NodeConfigDeviation 'item-unverified').
 */
export function withReadBack(config: EffectiveNodeConfig, itemId: string, readBack: ReadBack): EffectiveNodeConfig {
  if (readBack.status === 'verified') return config;
  return { ...config, deviations: [...config.deviations, { code: 'item-unverified', itemId, detail: readBack.detail }] };
}
