/**
 * A key item replaced under the same id: another client of the account (or the server) publishes
 * another certificate as the item `<fingerprint>`. The ids still match, so a comparison by id alone
 * saw nothing while contacts got a key that is not the one named. The record keeps the fingerprint
 * each item must carry, and drift reads the key node's items whole to compare it (docs/drift.md).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compareNode, type RecordedNode } from '../../../main/drift/compare.js';
import { applyRestorePlan } from '../../../main/drift/restore.js';
import { acceptCurrent, planRestore } from '../../../main/drift/restore-plan.js';
import { AppEvents } from '../../../main/events.js';
import { certificateFingerprint } from '../../../main/keys/fingerprint.js';
import { silentLogger } from '../../../main/logger.js';
import { DriftWatch } from '../../../main/services/drift-watch.js';
import { OwnKeysStore } from '../../../main/vault/stores/own-keys-store.js';
import { PublishedNodesStore } from '../../../main/vault/stores/published-nodes-store.js';
import { fetchItems } from '../../../main/xmpp/fetch-items.js';
import { NS } from '../../../main/xmpp/namespaces.js';
import { readNodeState } from '../../../main/xmpp/node-state.js';
import { publishPersistent, type PersistentNodeSpec } from '../../../main/xmpp/persistent-node.js';
import { pubkeyPayload } from '../../../main/xmpp/pubkey-items.js';
import { BASE_FIELDS, fakePep, JULIET, pepSession } from '../../support/fake-pep-service.js';
import { unlockedVaults } from '../../support/vaults.js';

const KEYS = NS.pubkey;
const SPEC: PersistentNodeSpec = { node: KEYS, access: { model: 'presence' }, maxItems: 32 };
/** Stand-ins for certificates: the comparison hashes the DER bytes, which is all a fingerprint is. */
const OURS = Buffer.from('our certificate');
const THEIRS = Buffer.from('another certificate');
const OURS_FP = certificateFingerprint(OURS);
const THEIRS_FP = certificateFingerprint(THEIRS);

describe('a key item whose certificate another client replaced', () => {
  let dir: string;
  let pep: ReturnType<typeof fakePep>;
  let published: PublishedNodesStore;
  let drift: DriftWatch;

  /** What the app publishes and records, as OwnKeys.publish does: the item named by the certificate's fingerprint. */
  async function publish(der: Buffer, record: { certificate?: string } = { certificate: certificateFingerprint(der) }): Promise<void> {
    const id = certificateFingerprint(der);
    const outcome = await publishPersistent(pep.ctx, SPEC, { id, payload: pubkeyPayload(der) });
    await published.recordPublish(JULIET, KEYS, { access: SPEC.access, maxItems: SPEC.maxItems, config: outcome.config, item: { id, ...record } });
  }

  /** Another client of the account republishes the item id with another certificate. */
  function replace(id: string, der: Buffer): void {
    pep.nodes.get(KEYS)?.payloads.set(id, pubkeyPayload(der));
  }

  const recordedNode = (): RecordedNode => {
    const record = published.list(JULIET)[KEYS];
    if (!record) throw new Error('nothing recorded');
    const certificates = Object.fromEntries(record.items.flatMap((i) => (i.certificate ? [[i.id, i.certificate]] : [])));
    return { node: KEYS, access: record.access, maxItems: record.maxItems, itemIds: record.items.map((i) => i.id), certificates };
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keyring-drift-content-'));
    pep = fakePep({ fields: BASE_FIELDS });
    const vaults = await unlockedVaults(dir);
    published = new PublishedNodesStore(vaults);
    const session = pepSession(pep);
    drift = new DriftWatch({ published, ownKeys: new OwnKeysStore(vaults), session, events: new AppEvents(), log: silentLogger, intervalMs: 3_600_000, settleMs: 3_600_000 });
  });

  afterEach(async () => {
    drift.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('is an alarm naming the key it no longer holds and the one it holds now', async () => {
    await publish(OURS);
    expect((await drift.check()).nodes[0]?.findings).toEqual([]);

    replace(OURS_FP, THEIRS);
    const report = await drift.check();
    expect(report.severity).toBe('alarm');
    expect(report.nodes[0]?.findings).toEqual([{ code: 'items-replaced', severity: 'alarm', items: [{ itemId: OURS_FP, expected: OURS_FP, found: THEIRS_FP }] }]);
  });

  it('an item that holds no certificate at all is replaced too, with nothing found', async () => {
    await publish(OURS);
    pep.nodes.get(KEYS)?.payloads.set(OURS_FP, pubkeyPayload(Buffer.alloc(0)));
    expect((await drift.check()).nodes[0]?.findings).toEqual([{ code: 'items-replaced', severity: 'alarm', items: [{ itemId: OURS_FP, expected: OURS_FP }] }]);
  });

  it('is found in the read sign-in made, too', async () => {
    await publish(OURS);
    replace(OURS_FP, THEIRS);
    drift.onOnline({ keyNodeItems: fetchItems(pep.ctx.iq, JULIET, KEYS) });
    for (let i = 0; i < 200 && drift.status().checkedAt === undefined; i++) await new Promise((r) => setTimeout(r, 5));
    expect(drift.status().nodes[0]?.findings).toMatchObject([{ code: 'items-replaced', items: [{ itemId: OURS_FP, found: THEIRS_FP }] }]);
  });

  it('a record from before contents were kept compares ids only, as it did', async () => {
    await publish(OURS, {});
    replace(OURS_FP, THEIRS);
    expect((await drift.check()).nodes[0]?.findings).toEqual([]);
  });

  it('Restore publishes the recorded certificate under the item again; the read-back finds it back', async () => {
    await publish(OURS);
    replace(OURS_FP, THEIRS);
    const recorded = recordedNode();
    const plan = planRestore(recorded, compareNode(recorded, await readNodeState(pep.ctx, KEYS, recorded.itemIds, { whole: true })));
    expect(plan).toEqual({ node: KEYS, republish: [OURS_FP] });

    const outcome = await applyRestorePlan(pep.ctx, recorded, plan!, () => pubkeyPayload(OURS));
    expect(outcome.republished).toEqual([OURS_FP]);
    expect(outcome.after.findings).toEqual([]);
    expect(pep.nodes.get(KEYS)?.payloads.get(OURS_FP)?.toString()).toBe(pubkeyPayload(OURS).toString());
  });

  it('Accept stops expecting the replaced item: the app no longer claims its key is published there', async () => {
    const second = Buffer.from('our second certificate');
    await publish(OURS);
    await publish(second);
    replace(OURS_FP, THEIRS);
    const recorded = recordedNode();
    const state = await readNodeState(pep.ctx, KEYS, recorded.itemIds, { whole: true });
    expect(acceptCurrent(recorded, state!)).toMatchObject({ ok: true, recorded: { itemIds: [certificateFingerprint(second)] } });

    await drift.accept(KEYS);
    expect(published.list(JULIET)[KEYS]?.items.map((i) => i.id)).toEqual([certificateFingerprint(second)]);
    expect((await drift.check()).nodes[0]?.findings).toEqual([]);
  });
});
