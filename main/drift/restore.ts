/**
 * Restore carried out: the plan's requests made with the XEP-0222 publishing strategy
 * (main/xmpp/persistent-node.ts: configure, set affiliations, read back, publish with preconditions),
 * then the node read again and compared with the record. What the comparison still finds is in the
 * outcome, never reported as restored.
 */
import type { Element } from '@xmpp/xml';
import type { EffectiveNodeConfig } from '../../contract/index.js';
import { ensurePersistentNode, publishPersistent, type NodeContext, type PersistentNodeSpec } from '../xmpp/persistent-node.js';
import { readNodeState, type NodeState } from '../xmpp/node-state.js';
import { compareNode, comparesContents, subscriptionAudiences, type NodeDrift, type RecordedNode } from './compare.js';
import type { RestorePlan } from './restore-plan.js';

export interface RestoreOutcome {
  /** The node's configuration as read back after the last change the restore made. */
  config: EffectiveNodeConfig | undefined;
  republished: string[];
  /** Recorded items the vault holds no payload for: they could not be put back. */
  withoutPayload: string[];
  /** The node as read after restoring (undefined: it does not exist), for watchOwnNode. */
  state: NodeState | undefined;
  /** Its comparison with the record: no findings when everything is back. */
  after: NodeDrift;
}

/**
 * Carries out `plan` (from planRestore) for the recorded node. `payloadOf` gives an item's payload
 * from the vault's records (a key's certificate, the profile), or undefined when it has none.
 * A server's refusal is thrown as a KeyringError (persistent-node.ts), for instance when an
 * administrator pinned the node's configuration; nothing is published then.
 */
export async function applyRestorePlan(
  ctx: NodeContext,
  recorded: RecordedNode,
  plan: RestorePlan,
  payloadOf: (itemId: string) => Element | undefined | Promise<Element | undefined>,
): Promise<RestoreOutcome> {
  // The person chose Restore: that is the consent to change the node's access back.
  const spec: PersistentNodeSpec = { node: recorded.node, access: recorded.access, maxItems: recorded.maxItems, reconfigure: true };
  const republished: string[] = [];
  const withoutPayload: string[] = [];
  let config: EffectiveNodeConfig | undefined;
  // Configuration first: an item is never published to a node whose access is not the recorded one.
  if (plan.reconfigure) config = (await ensurePersistentNode(ctx, spec)).config;
  for (const itemId of plan.republish) {
    const payload = await payloadOf(itemId);
    if (payload === undefined) {
      withoutPayload.push(itemId);
      continue;
    }
    config = (await publishPersistent(ctx, spec, { id: itemId, payload })).config;
    republished.push(itemId);
  }
  const state = await readNodeState(ctx, recorded.node, recorded.itemIds, { whole: comparesContents(recorded), audiences: subscriptionAudiences(recorded) });
  return { config, republished, withoutPayload, state, after: compareNode(recorded, state) };
}
