/**
 * Issue #19: at sign-in the own key node's items are read once (XEP-0060 §6.5.2, for the revocations
 * among them), and drift watch's first check takes that read instead of listing the items again. Only
 * while it cannot be older than the node: not after the app began a write of its own, nor after the
 * server announced a change to the node; and only once.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Element } from '@xmpp/xml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppEvents } from '../../../main/events.js';
import { silentLogger } from '../../../main/logger.js';
import { DriftWatch } from '../../../main/services/drift-watch.js';
import { OwnKeysStore } from '../../../main/vault/stores/own-keys-store.js';
import { PublishedNodesStore } from '../../../main/vault/stores/published-nodes-store.js';
import { fetchItems, type FetchOutcome } from '../../../main/xmpp/fetch-items.js';
import { NS } from '../../../main/xmpp/namespaces.js';
import { publishPersistent, type PersistentNodeSpec } from '../../../main/xmpp/persistent-node.js';
import { pubkeyPayload } from '../../../main/xmpp/pubkey-items.js';
import { BASE_FIELDS, fakePep, JULIET, pepSession } from '../../support/fake-pep-service.js';
import { unlockedVaults } from '../../support/vaults.js';

const KEYS = NS.pubkey;
const SPEC: PersistentNodeSpec = { node: KEYS, access: { model: 'presence' }, maxItems: 32 };

/** A request that lists the key node's items: whole (§6.5.2) or their ids (§5.5). */
const listsKeyItems = (r: Element) => r.getChild('items')?.attrs.node === KEYS || (r.is('query', NS.discoItems) && r.attrs.node === KEYS);

describe('drift watch takes the sign-in read of the key node', () => {
  let dir: string;
  let pep: ReturnType<typeof fakePep>;
  let published: PublishedNodesStore;
  let drift: DriftWatch;

  /** What the app publishes and records, as OwnKeys.publish does. */
  async function publish(id: string): Promise<void> {
    const outcome = await publishPersistent(pep.ctx, SPEC, { id, payload: pubkeyPayload(Buffer.from(id)) });
    await published.recordPublish(JULIET, KEYS, { access: SPEC.access, maxItems: SPEC.maxItems, config: outcome.config, item: { id } });
  }

  /** The sign-in read, made and answered; then only the requests after it are looked at. */
  async function signInRead(): Promise<{ keyNodeItems: Promise<FetchOutcome> }> {
    const read = fetchItems(pep.ctx.iq, JULIET, KEYS);
    await read;
    pep.requests.length = 0;
    return { keyNodeItems: read };
  }

  async function checked(): Promise<void> {
    for (let i = 0; i < 200 && drift.status().checkedAt === undefined; i++) await new Promise((r) => setTimeout(r, 5));
    expect(drift.status().checkedAt).toBeDefined();
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keyring-drift-read-'));
    pep = fakePep({ fields: BASE_FIELDS });
    const vaults = await unlockedVaults(dir);
    published = new PublishedNodesStore(vaults);
    const session = pepSession(pep);
    drift = new DriftWatch({ published, ownKeys: new OwnKeysStore(vaults), session, events: new AppEvents(), log: silentLogger, intervalMs: 3_600_000, settleMs: 3_600_000 });
    await publish('k1');
  });

  afterEach(async () => {
    drift.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** A write of the app's that ends when told to. */
  function pendingWrite(then: () => Promise<void> = () => Promise.resolve()): { work: () => Promise<void>; finish: () => void } {
    let finish = () => {};
    const held = new Promise<void>((resolve) => (finish = resolve));
    return { work: () => held.then(then), finish };
  }

  it('the first check lists nothing itself and finds the node as published; the next one lists the items again', async () => {
    drift.onOnline(await signInRead());
    await checked();
    expect(pep.requests.filter(listsKeyItems)).toEqual([]);
    expect(drift.status().nodes[0]).toMatchObject({ node: KEYS, findings: [], current: { items: 1 } });

    await drift.check();
    expect(pep.requests.filter(listsKeyItems)).toHaveLength(1);
  });

  it('after an offline queue with nothing to write, the first check still takes the read', async () => {
    const drain = pendingWrite();
    drift.onOnline({ drain: drain.work, ...(await signInRead()) });
    drain.finish();
    await checked();
    expect(pep.requests.filter(listsKeyItems)).toEqual([]);
    expect(drift.status().nodes[0]).toMatchObject({ findings: [], current: { items: 1 } });
  });

  it('a write of the app’s under way as the read was made: the check waits for it and lists the items itself', async () => {
    const write = pendingWrite(() => publish('k2'));
    const writing = drift.whilePublishing(write.work);
    drift.onOnline(await signInRead());
    write.finish();
    await writing;
    await checked();
    // The read said k1 alone: taken, it would have reported k2 missing.
    expect(drift.status().nodes[0]).toMatchObject({ findings: [], current: { items: 2 } });
    expect(pep.requests.filter(listsKeyItems).length).toBeGreaterThan(0);
  });

  it('a write of the app’s begun after the read: the check waits for it and lists the items itself', async () => {
    const drain = pendingWrite();
    drift.onOnline({ drain: drain.work, ...(await signInRead()) });
    const write = pendingWrite(() => publish('k2'));
    const writing = drift.whilePublishing(write.work);
    drain.finish();
    write.finish();
    await writing;
    await checked();
    expect(drift.status().nodes[0]).toMatchObject({ findings: [], current: { items: 2 } });
    expect(pep.requests.filter(listsKeyItems).length).toBeGreaterThan(0);
  });

  it('own revocations being applied at sign-in: the first check reads the record after them', async () => {
    // Another device revoked k1 and withdrew its item; applying the revocation here stops the record
    // expecting it (own-revocations.ts). Read before that, the record would report k1 removed.
    const node = pep.nodes.get(KEYS);
    if (node) node.items = [];
    let apply = () => {};
    const revocations = new Promise<void>((resolve) => (apply = resolve)).then(() => published.recordRetract(JULIET, KEYS, 'k1'));
    drift.onOnline({ ...(await signInRead()), revocations });
    await new Promise((r) => setTimeout(r, 50));
    expect(drift.status().checkedAt).toBeUndefined();
    apply();
    await checked();
    expect(drift.status().nodes[0]).toMatchObject({ findings: [], recorded: { items: 0 } });
  });

  it('own revocations from a notification of the key node: the next check waits for them too', async () => {
    const node = pep.nodes.get(KEYS);
    if (node) node.items = [];
    let apply = () => {};
    drift.afterRevocations(new Promise<void>((resolve) => (apply = resolve)).then(() => published.recordRetract(JULIET, KEYS, 'k1')));
    const report = drift.check();
    apply();
    expect((await report).nodes[0]).toMatchObject({ findings: [], recorded: { items: 0 } });
  });

  it('the server announced a change to the key node after the read: the check lists the items itself', async () => {
    const drain = pendingWrite();
    drift.onOnline({ drain: drain.work, ...(await signInRead()) });
    // Another client of the account removes k1 meanwhile, and the server says so.
    const node = pep.nodes.get(KEYS);
    if (node) node.items = [];
    drift.onOwnNodeChange({ node: KEYS, kind: 'retract', itemIds: ['k1'] });
    drain.finish();
    await checked();
    expect(drift.status().nodes[0]).toMatchObject({ findings: [{ code: 'items-removed', itemIds: ['k1'] }] });
    expect(pep.requests.filter(listsKeyItems).length).toBeGreaterThan(0);
  });
});
