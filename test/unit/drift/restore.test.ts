/**
 * Restore carried out against a PEP service in memory (test/support/fake-pep-service.ts): the
 * configuration first, then the removed items from the vault's records, then a read-back that says
 * what is still not back. The real servers run the same in test/integration/drift-protocol.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { compareNode, subscriptionAudiences, type RecordedNode } from '../../../main/drift/compare.js';
import { applyRestorePlan } from '../../../main/drift/restore.js';
import { planRestore } from '../../../main/drift/restore-plan.js';
import { KeyringError } from '../../../main/errors.js';
import { NS } from '../../../main/xmpp/namespaces.js';
import { readNodeState } from '../../../main/xmpp/node-state.js';
import { publishPersistent } from '../../../main/xmpp/persistent-node.js';
import { pubkeyPayload } from '../../../main/xmpp/pubkey-items.js';
import { EJABBERD_FIELDS, fakePep } from '../../support/fake-pep-service.js';

const KEYS = NS.pubkey;
const payload = (id: string) => pubkeyPayload(Buffer.from(id));

async function published(pep: ReturnType<typeof fakePep>, ids: string[]): Promise<RecordedNode> {
  for (const id of ids) await publishPersistent(pep.ctx, { node: KEYS, access: { model: 'presence' }, maxItems: 32 }, { id, payload: payload(id) });
  return { node: KEYS, access: { model: 'presence' }, maxItems: 32, itemIds: ids };
}

async function planFor(pep: ReturnType<typeof fakePep>, recorded: RecordedNode) {
  const plan = planRestore(recorded, compareNode(recorded, await readNodeState(pep.ctx, KEYS, recorded.itemIds)));
  if (!plan) throw new Error('nothing to restore');
  return plan;
}

describe('restore', () => {
  it('reconfigures before republishing, so no item goes out under the other client’s access', async () => {
    const pep = fakePep({ fields: EJABBERD_FIELDS });
    const recorded = await published(pep, ['k1', 'k2']);
    const node = pep.nodes.get(KEYS)!;
    node.config.set('pubsub#access_model', ['open']);
    node.items = ['theirs'];
    const plan = await planFor(pep, recorded);
    pep.requests.length = 0;

    const outcome = await applyRestorePlan(pep.ctx, recorded, plan, payload);
    expect(outcome).toMatchObject({ republished: ['k1', 'k2'], withoutPayload: [], after: { findings: [] } });
    const firstPublish = pep.requests.findIndex((r) => r.getChild('publish'));
    const accessBack = pep.requests.findIndex((r) => r.getChild('configure')?.toString().includes('presence'));
    expect(accessBack).toBeGreaterThanOrEqual(0);
    expect(accessBack).toBeLessThan(firstPublish);
  });

  it('an item the vault has no payload for is reported, not counted as restored, and still missing after', async () => {
    const pep = fakePep({ fields: EJABBERD_FIELDS });
    const recorded = await published(pep, ['k1', 'k2']);
    pep.nodes.get(KEYS)!.items = [];
    const outcome = await applyRestorePlan(pep.ctx, recorded, await planFor(pep, recorded), (id) => (id === 'k2' ? payload(id) : undefined));
    expect(outcome.republished).toEqual(['k2']);
    expect(outcome.withoutPayload).toEqual(['k1']);
    expect(outcome.after.findings).toEqual([{ code: 'items-removed', severity: 'alarm', itemIds: ['k1'] }]);
  });

  it('a subscriber the recorded presence access leaves out (off the roster): Restore ends the subscription, and the read-back finds none', async () => {
    const benvolio = 'benvolio@montague.lit';
    const pep = fakePep({ fields: EJABBERD_FIELDS, roster: [{ jid: 'romeo@montague.lit', subscription: 'both' }] });
    const recorded = await published(pep, ['k1']);
    pep.subscriptions.push({ node: KEYS, jid: 'romeo@montague.lit' }, { node: KEYS, jid: benvolio });
    const before = await readNodeState(pep.ctx, KEYS, recorded.itemIds, { audiences: subscriptionAudiences(recorded) });
    const plan = planRestore(recorded, compareNode(recorded, before));
    expect(plan?.reconfigure?.restores).toEqual(['subscriptions']);
    if (!plan) throw new Error('nothing to restore');

    const outcome = await applyRestorePlan(pep.ctx, recorded, plan, payload);
    expect(outcome.after).toMatchObject({ findings: [], severity: undefined, unchecked: [] });
    expect(pep.subscriptions.map((s) => s.jid)).toEqual(['romeo@montague.lit']);
  });

  it('a configuration an administrator pinned open is refused with access-model-unsupported, and nothing is republished', async () => {
    const pep = fakePep({ fields: EJABBERD_FIELDS });
    const recorded = await published(pep, ['k1']);
    const node = pep.nodes.get(KEYS)!;
    node.items = [];
    const pinned = fakePep({ fields: EJABBERD_FIELDS, pinnedAccessModel: 'open' });
    pinned.nodes.set(KEYS, { ...node, config: new Map([...node.config, ['pubsub#access_model', ['open']]]) });
    const error = await applyRestorePlan(pinned.ctx, recorded, await planFor(pinned, recorded), payload).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeyringError);
    expect((error as KeyringError).code).toBe('access-model-unsupported');
    expect(pinned.nodes.get(KEYS)?.items).toEqual([]);
  });
});
