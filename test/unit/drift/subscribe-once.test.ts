/**
 * Drift watch subscribes the account's bare JID to each watched node once per session (ejabberd 23.01
 * tells configuration changes to explicit subscribers only, docs/drift.md), not at every check: the
 * subscription outlives checks and changes of access. Only a node deleted loses it, so a node read as
 * gone, or announced deleted, is subscribed to again once it is back; and a new session subscribes
 * afresh. Prosody 0.12 (no notify_config) gets no subscription at all. Subscribe IQs counted against
 * a PEP service in memory.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppEvents } from '../../../main/events.js';
import { silentLogger } from '../../../main/logger.js';
import { DriftWatch } from '../../../main/services/drift-watch.js';
import { OwnKeysStore } from '../../../main/vault/stores/own-keys-store.js';
import { PublishedNodesStore } from '../../../main/vault/stores/published-nodes-store.js';
import { NS } from '../../../main/xmpp/namespaces.js';
import { publishPersistent, type PersistentNodeSpec } from '../../../main/xmpp/persistent-node.js';
import { pubkeyPayload } from '../../../main/xmpp/pubkey-items.js';
import { BASE_FIELDS, EJABBERD_FIELDS, type FakeOptions, fakePep, JULIET, pepSession, stanzaError } from '../../support/fake-pep-service.js';
import { unlockedVaults } from '../../support/vaults.js';

const KEYS = NS.pubkey;
const SPEC: PersistentNodeSpec = { node: KEYS, access: { model: 'presence' }, maxItems: 32 };

describe('drift watch subscribes to a node once per session', () => {
  let dir: string;
  let drift: DriftWatch | undefined;

  afterEach(async () => {
    drift?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function watching(fields: string[], options: Omit<FakeOptions, 'fields'> = {}) {
    dir = await mkdtemp(join(tmpdir(), 'keyring-drift-subscribe-'));
    const fake: FakeOptions = { fields, ...options };
    const pep = fakePep(fake);
    const vaults = await unlockedVaults(dir);
    const published = new PublishedNodesStore(vaults);
    const publish = async (id: string) => {
      const outcome = await publishPersistent(pep.ctx, SPEC, { id, payload: pubkeyPayload(Buffer.from(id)) });
      await published.recordPublish(JULIET, KEYS, { access: SPEC.access, maxItems: SPEC.maxItems, config: outcome.config, item: { id } });
    };
    const session = pepSession(pep);
    drift = new DriftWatch({ published, ownKeys: new OwnKeysStore(vaults), session, events: new AppEvents(), log: silentLogger, intervalMs: 3_600_000, settleMs: 3_600_000 });
    await publish('k1');
    const subscribes = () => pep.requests.filter((r) => r.is('pubsub', NS.pubsub) && r.getChild('subscribe')?.attrs.node === KEYS).length;
    return { pep, drift, publish, subscribes, fake };
  }

  it('ejabberd: one subscribe for the sign-in check and the many checks after it', async () => {
    const { drift, subscribes } = await watching(EJABBERD_FIELDS);
    drift.onOnline();
    for (let i = 0; i < 5; i++) await drift.check();
    expect(subscribes()).toBe(1);
    expect(drift.status().nodes[0]).toMatchObject({ node: KEYS, findings: [] });
  });

  it('a node deleted and made again is subscribed to again, once', async () => {
    const { pep, drift, publish, subscribes } = await watching(EJABBERD_FIELDS);
    await drift.check();
    expect(subscribes()).toBe(1);
    // Deleted by another client: read as gone (the subscription went with it), then made again.
    pep.nodes.delete(KEYS);
    expect((await drift.check()).nodes[0]?.findings).toEqual([expect.objectContaining({ code: 'node-deleted' })]);
    await publish('k1');
    await drift.check();
    await drift.check();
    expect(subscribes()).toBe(2);
  });

  it('a deletion the server announced: subscribed to again at the next check', async () => {
    const { drift, subscribes } = await watching(EJABBERD_FIELDS);
    await drift.check();
    drift.onOwnNodeChange({ node: KEYS, kind: 'delete' });
    await drift.check();
    await drift.check();
    expect(subscribes()).toBe(2);
  });

  it('a new session subscribes again, once', async () => {
    const { drift, subscribes } = await watching(EJABBERD_FIELDS);
    await drift.check();
    await drift.check();
    drift.onOnline();
    await drift.check();
    await drift.check();
    expect(subscribes()).toBe(2);
  });

  it('a subscribe that timed out or was told to wait is tried again at the next check, until one is taken', async () => {
    const { drift, subscribes, fake } = await watching(EJABBERD_FIELDS, { subscribe: new Error('timeout') });
    await drift.check();
    fake.subscribe = stanzaError('resource-constraint', 'wait');
    await drift.check();
    expect(subscribes()).toBe(2);
    fake.subscribe = 'answer';
    await drift.check();
    await drift.check();
    await drift.check();
    expect(subscribes()).toBe(3);
  });

  it('a subscribe refused for good is not asked again in the session', async () => {
    const { drift, subscribes } = await watching(EJABBERD_FIELDS, { subscribe: stanzaError('forbidden', 'auth') });
    for (let i = 0; i < 3; i++) await drift.check();
    expect(subscribes()).toBe(1);
  });

  it('Prosody (no notify_config): never', async () => {
    const { drift, subscribes } = await watching(BASE_FIELDS);
    for (let i = 0; i < 3; i++) await drift.check();
    expect(subscribes()).toBe(0);
  });
});
