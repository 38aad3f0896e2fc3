/**
 * Restore carried out: the plan's requests made with the XEP-0222 publishing strategy
 * (main/xmpp/persistent-node.ts: configure, set affiliations, read back, publish with preconditions),
 * then the node read again and compared with the record. The read-back can find more to do: a node that
 * did not keep items (Prosody 0.12 empties one whose persist_items was turned off) shows its items only
 * once persistence is back, so a second pass republishes them. Two passes at most; what is still
 * missing after them is in the outcome, never reported as restored.
 */
import type { Element } from '@xmpp/xml';
import type { EffectiveNodeConfig } from '../../preload/contract.js';
import { ensurePersistentNode, publishPersistent, type NodeContext, type PersistentNodeSpec } from '../xmpp/persistent-node.js';
import { readNodeState, type NodeState } from '../xmpp/node-state.js';
import { compareNode, type NodeDrift, type RecordedNode } from './compare.js';
import { planRestore, type RestorePlan } from './restore-plan.js';

export interface RestoreOutcome {
  /** The node's configuration as read back after the last change the restore made. */
  config: EffectiveNodeConfig | undefined;
  republished: string[];
  /** Recorded items the vault holds no payload for: they could not be put back. */
  withoutPayload: string[];
  /** The node as read after restoring (undefined: it does not exist) and its comparison with the record. */
  state: NodeState | undefined;
  after: NodeDrift;
}

const MAX_PASSES = 2;

/**
 * Carries out `plan` (from planRestore) for the recorded node. `payloadOf` gives an item's payload
 * from the vault's records (a key's certificate, the profile), or undefined when it has none.
 * Errors from the server are thrown as KeyringError (persistent-node.ts), for instance when an
 * administrator pinned the node's configuration.
 */
export async function applyRestorePlan(
  ctx: NodeContext,
  recorded: RecordedNode,
  plan: RestorePlan,
  payloadOf: (itemId: string) => Element | undefined | Promise<Element | undefined>,
): Promise<RestoreOutcome> {
  // The person asked for Restore: consent to change the node's access back.
  const spec: PersistentNodeSpec = { node: recorded.node, access: recorded.access, maxItems: recorded.maxItems, reconfigure: true };
  const republished: string[] = [];
  const withoutPayload = new Set<string>();
  let config: EffectiveNodeConfig | undefined;
  let next: RestorePlan | undefined = plan;
  let state: NodeState | undefined;
  let after: NodeDrift | undefined;

  for (let pass = 0; pass < MAX_PASSES && next; pass++) {
    // Configuration first: an item is never published to a node whose access is not the recorded one.
    if (next.reconfigure) config = (await ensurePersistentNode(ctx, spec)).config;
    for (const itemId of next.republish) {
      if (withoutPayload.has(itemId)) continue;
      const payload = await payloadOf(itemId);
      if (payload === undefined) {
        withoutPayload.add(itemId);
        continue;
      }
      config = (await publishPersistent(ctx, spec, { id: itemId, payload })).config;
      republished.push(itemId);
    }
    state = await readNodeState(ctx, recorded.node, recorded.itemIds);
    after = compareNode(recorded, state);
    next = planRestore(recorded, after);
    // Nothing a further pass could change: only items the vault cannot give back are missing.
    if (next && !next.reconfigure && next.republish.every((id) => withoutPayload.has(id))) break;
  }
  return { config, republished, withoutPayload: [...withoutPayload], state, after: after ?? compareNode(recorded, state) };
}
