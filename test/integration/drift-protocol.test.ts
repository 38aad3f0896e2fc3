/**
 * Drift on both real servers: another client of the same account (slixmpp, Debian's python3-slixmpp,
 * signed in with the same credentials on another resource) changes the key node the app published:
 * opens its access, republishes with max_items 1 so the other keys are wiped, adds a whitelist member,
 * stops it keeping items. The app's reader and comparison report the right finding, the notifications
 * the server sends reach the app's session live (and those it does not send are asserted absent, so a
 * change in the servers shows), and Restore, carried out with the XEP-0222 publishing strategy, brings
 * back the recorded audience and items: a reader outside the audience (benvolio) is refused again.
 *
 * What each server does, as measured here (docs/drift.md):
 * - Prosody 0.12: no pubsub#notify_config field and no configuration notifications at all; items,
 *   retractions and deletions are announced to the owner's +notify resources.
 * - ejabberd 23.01: configuration notifications (with the form) to explicit subscribers only, when
 *   notify_config is on; the app subscribes its bare JID, and keeps notify_config off on roster nodes.
 */
import xml from '@xmpp/xml';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { compareNode, type RecordedNode } from '../../main/drift/compare.js';
import { applyRestorePlan } from '../../main/drift/restore.js';
import { planRestore } from '../../main/drift/restore-plan.js';
import { KEY_NODE_MAX_ITEMS } from '../../main/services/own-keys.js';
import { fetchItems } from '../../main/xmpp/fetch-items.js';
import { NS } from '../../main/xmpp/namespaces.js';
import { readNodeState, watchOwnNode } from '../../main/xmpp/node-state.js';
import type { OwnNodeChange } from '../../main/xmpp/pep-events.js';
import { publishPersistent } from '../../main/xmpp/persistent-node.js';
import { pubkeyPayload } from '../../main/xmpp/pubkey-items.js';
import { readStanzaError } from '../../main/xmpp/pubsub.js';
import type { AccessRequest } from '../../contract/index.js';
import { driverSteps, type DriverAccount } from '../support/interop/python-driver.js';
import { announceInterest, befriend, collect, connectActor, until, type Actor } from '../support/scenario.js';
import { randomBytes } from 'node:crypto';

const NODE = NS.pubkey;

for (const server of [inject('prosody'), inject('ejabberd')]) {
  const ejabberd = server.kind === 'ejabberd';

  describe(`drift on ${server.kind}: another client of the account changes the key node; the app notices and restores`, () => {
    let juliet: Actor;
    let romeo: Actor;
    let benvolio: Actor;
    /** slixmpp as juliet on another resource. */
    let otherClient: DriverAccount;
    const payloads = new Map<string, ReturnType<typeof pubkeyPayload>>();

    beforeAll(async () => {
      [juliet, romeo, benvolio] = await Promise.all([
        connectActor('juliet', 'capulet.lit', server),
        connectActor('romeo', 'montague.lit', server),
        // No presence subscription with juliet, in none of her groups: outside every audience here.
        connectActor('benvolio', 'montague.lit', server),
      ]);
      await befriend(juliet, romeo, ['Friends']);
      // Her server must know her +notify interest for her own nodes' notifications to reach her.
      await announceInterest(juliet);
      otherClient = { jid: juliet.jid, password: juliet.params.password, server };
    }, 60_000);

    afterAll(async () => {
      await Promise.all([juliet?.session.disconnect(), romeo?.session.disconnect(), benvolio?.session.disconnect()]);
    });

    const ctx = () => ({ iq: juliet.session.client.iqCaller, owner: juliet.jid });

    /** What a reader gets: 'ok', or 'refused' (ejabberd refuses a JID off a whitelist with not-allowed + closed-node). */
    const fetchAs = async (reader: Actor) => {
      const outcome = await fetchItems(reader.session.client.iqCaller, juliet.jid, NODE);
      return outcome.status === 'failed' && outcome.detail.startsWith('not-allowed + closed-node') ? 'refused' : outcome.status;
    };
    const idsSeenBy = async (reader: Actor) => {
      const outcome = await fetchItems(reader.session.client.iqCaller, juliet.jid, NODE);
      return outcome.status === 'ok' ? outcome.items.map((i) => i.id).sort() : outcome.status;
    };

    /** Each case starts from no key node at all (XEP-0060 §8.4). */
    async function withoutKeyNode(): Promise<void> {
      try {
        await juliet.session.client.iqCaller.set(xml('pubsub', { xmlns: NS.pubsubOwner }, xml('delete', { node: NODE })), juliet.jid);
      } catch (error) {
        if (readStanzaError(error)?.condition !== 'item-not-found') throw error;
      }
    }

    /** Publishes keys the app's way and returns what the vault would record. */
    async function publishKeys(access: AccessRequest, count = 1): Promise<RecordedNode> {
      const itemIds: string[] = [];
      let config;
      for (let i = 0; i < count; i++) {
        const id = randomBytes(32).toString('hex');
        payloads.set(id, pubkeyPayload(randomBytes(64)));
        const outcome = await publishPersistent(ctx(), { node: NODE, access, maxItems: KEY_NODE_MAX_ITEMS, reconfigure: true }, { id, payload: payloads.get(id)! });
        config = outcome.config;
        itemIds.push(id);
      }
      return {
        node: NODE,
        access,
        maxItems: KEY_NODE_MAX_ITEMS,
        itemIds,
        applied: { persistItems: config?.persistItems, sendLastPublishedItem: config?.sendLastPublishedItem, maxItems: config?.maxItems },
      };
    }

    /** The current drift of the key node against `recorded`. */
    const driftOf = async (recorded: RecordedNode) => compareNode(recorded, await readNodeState(ctx(), NODE, recorded.itemIds));

    /** Collects juliet's own-node changes from now on. */
    const ownChanges = () => collect<OwnNodeChange>((listener) => juliet.session.events.on('ownNodeChanged', listener));

    /**
     * A round trip to juliet's own server. The other client's change is done (its request answered)
     * before this is sent, and what the server sent juliet because of it is ahead of the answer on
     * her stream: once it is back, a notification that has not come was not sent.
     */
    const settled = () => juliet.session.client.iqCaller.get(xml('ping', { xmlns: NS.ping }), juliet.jid.split('@')[1]);

    async function restore(recorded: RecordedNode) {
      const drift = await driftOf(recorded);
      const plan = planRestore(recorded, drift);
      if (!plan) throw new Error('nothing to restore');
      return { plan, outcome: await applyRestorePlan(ctx(), recorded, plan, (id) => payloads.get(id)) };
    }

    const opened: { name: string; access: () => AccessRequest; announced: boolean; watch: object; unchecked: string[] }[] = ejabberd
      ? [
          // notify_config stays off on a roster node (the form would name her groups to subscribers), and
          // ejabberd lists no items of it to its owner.
          // Nor does it list a PEP node's subscriptions (§8.8.1: feature-not-implemented): unchecked, never "none".
          { name: 'roster Friends', access: () => ({ model: 'roster', groups: ['Friends'] }), announced: false, watch: { configuration: false, reason: 'off' }, unchecked: ['subscriptions', 'items'] },
          { name: 'presence', access: () => ({ model: 'presence' }), announced: true, watch: { configuration: true }, unchecked: ['subscriptions'] },
        ]
      : [
          // Prosody 0.12 has no roster access and never sends configuration notifications.
          { name: 'whitelist [romeo]', access: () => ({ model: 'whitelist', allow: [romeo.jid] }), announced: false, watch: { configuration: false, reason: 'not-offered' }, unchecked: [] },
        ];

    for (const c of opened) {
      it(`${c.name} → open by the other client: access-widened (alarm), ${c.announced ? 'announced live' : 'not announced'}; Restore shuts benvolio out again`, async () => {
        await withoutKeyNode();
        const recorded = await publishKeys(c.access());
        const before = await readNodeState(ctx(), NODE, recorded.itemIds);
        expect(compareNode(recorded, before)).toMatchObject({ findings: [], unchecked: c.unchecked });
        expect(before && (await watchOwnNode(ctx(), before))).toEqual(c.watch);
        expect(await fetchAs(benvolio)).toBe('refused');

        const changes = ownChanges();
        await driverSteps('slixmpp', otherClient, [{ op: 'configure', node: NODE, fields: { 'pubsub#access_model': 'open' } }]);
        if (c.announced) await until(() => changes.values.some((v) => v.kind === 'configuration' && v.node === NODE), 'the configuration notification');
        await settled();
        changes.stop();
        expect(changes.values.filter((v) => v.kind === 'configuration')).toEqual(c.announced ? [{ node: NODE, kind: 'configuration' }] : []);
        // The drift is real: benvolio reads her keys now.
        expect(await fetchAs(benvolio)).toBe('ok');

        const drift = await driftOf(recorded);
        const recordedAccess = c.access().model === 'roster' ? { model: 'roster', groups: ['Friends'] } : { model: c.access().model };
        expect(drift).toEqual({
          node: NODE,
          findings: [{ code: 'access-widened', severity: 'alarm', recorded: recordedAccess, current: { model: 'open' }, groupsAdded: [], groupsRemoved: [] }],
          severity: 'alarm',
          // Judged by the recorded access, which is not open: ejabberd's unlisted subscriptions still matter.
          unchecked: ejabberd ? ['subscriptions'] : [],
        });

        const { plan, outcome } = await restore(recorded);
        expect(plan).toEqual({ node: NODE, reconfigure: { access: c.access(), maxItems: KEY_NODE_MAX_ITEMS, restores: ['access'], affiliations: [] }, republish: [] });
        expect(outcome.after).toMatchObject({ findings: [], severity: undefined, unchecked: c.unchecked });
        expect(outcome.config).toMatchObject({ accessModel: c.access().model });
        expect(await fetchAs(benvolio)).toBe('refused');
        expect(await fetchAs(romeo)).toBe('ok');
      }, 60_000);
    }

    it('republished by the other client with max_items 1, wiping the other keys: items-removed (alarm) and max_items lowered; Restore republishes them', async () => {
      await withoutKeyNode();
      const recorded = await publishKeys({ model: 'presence' }, 3);
      const before = await readNodeState(ctx(), NODE, recorded.itemIds);
      expect(before && (await watchOwnNode(ctx(), before))).toEqual(ejabberd ? { configuration: true } : { configuration: false, reason: 'not-offered' });

      const changes = ownChanges();
      const theirs = randomBytes(32).toString('hex');
      const [wiped] = await driverSteps('slixmpp', otherClient, [{ op: 'republish-wipe', node: NODE, itemId: theirs, payload: pubkeyPayload(randomBytes(64)).toString() }]);
      // Neither server takes max_items as a publish option: the client falls back to configuring it.
      expect(wiped).toEqual({ path: 'configure-then-publish', refused: expect.stringMatching(ejabberd ? /^wait\/resource-constraint: Unknown field 'pubsub#max_items'/ : /^cancel\/conflict: Field does not match: max_items/) as string });
      await until(() => changes.values.some((v) => v.kind === 'items' && v.itemIds.includes(theirs)), 'the items notification of their publish');
      await settled();
      changes.stop();
      const others = changes.values.filter((v) => v.kind !== 'items');
      if (ejabberd) {
        // ejabberd announces the max_items change, and to the subscription the items it pushed out: in one
        // <retract/> whose id is their ids run together. A reason to read again, not a list of ids.
        expect(others).toEqual([
          { node: NODE, kind: 'configuration' },
          { node: NODE, kind: 'retract', itemIds: [expect.stringMatching(/^[0-9a-f]{192}$/) as string] },
        ]);
        const [, retract] = others;
        for (const id of recorded.itemIds) expect(retract && 'itemIds' in retract && retract.itemIds[0]).toContain(id);
      } else {
        // Prosody trims the node to max_items without a word: only the new item is announced.
        expect(others).toEqual([]);
      }
      expect(await idsSeenBy(romeo)).toEqual([theirs]);

      const drift = await driftOf(recorded);
      expect(drift.findings).toEqual([
        { code: 'items-removed', severity: 'alarm', itemIds: recorded.itemIds },
        { code: 'persistence-changed', severity: 'notice', changes: [{ setting: 'max_items', expected: KEY_NODE_MAX_ITEMS, current: '1' }] },
      ]);
      expect(drift.severity).toBe('alarm');

      const { plan, outcome } = await restore(recorded);
      expect(plan).toMatchObject({ reconfigure: { restores: ['persistence'] }, republish: recorded.itemIds });
      expect(outcome).toMatchObject({ republished: recorded.itemIds, withoutPayload: [], after: { findings: [] } });
      expect(await idsSeenBy(romeo)).toEqual([...recorded.itemIds, theirs].sort());
      expect(await fetchAs(benvolio)).toBe('refused');
    }, 60_000);

    it('persist_items turned off by the other client: persistence-changed (and on Prosody the keys are gone); Restore brings them back', async () => {
      await withoutKeyNode();
      const recorded = await publishKeys({ model: 'presence' }, 2);
      await driverSteps('slixmpp', otherClient, [{ op: 'configure', node: NODE, fields: { 'pubsub#persist_items': false } }]);

      const persistence = { code: 'persistence-changed', severity: 'notice', changes: [{ setting: 'persist_items', expected: true, current: false }] };
      // Prosody empties the node at once and answers every reader persistent-items; ejabberd keeps them.
      const gone = ejabberd ? [] : [{ code: 'items-removed', severity: 'alarm', itemIds: recorded.itemIds }];
      expect((await driftOf(recorded)).findings).toEqual([...gone, persistence]);
      expect(await fetchAs(romeo)).toBe(ejabberd ? 'ok' : 'failed');

      const { plan, outcome } = await restore(recorded);
      expect(plan).toMatchObject({ reconfigure: { restores: ['persistence'] }, republish: ejabberd ? [] : recorded.itemIds });
      expect(outcome.after.findings).toEqual([]);
      expect(outcome.config).toMatchObject({ persistItems: true, deviations: [] });
      expect(await idsSeenBy(romeo)).toEqual([...recorded.itemIds].sort());
      expect(await fetchAs(benvolio)).toBe('refused');
    }, 60_000);

    it('benvolio added as a whitelist member by the other client: members-added (alarm), not announced; Restore removes him', async () => {
      await withoutKeyNode();
      const recorded = await publishKeys({ model: 'whitelist', allow: [romeo.jid] });
      expect(await fetchAs(benvolio)).toBe('refused');

      const changes = ownChanges();
      await driverSteps('slixmpp', otherClient, [{ op: 'add-member', node: NODE, member: benvolio.jid }]);
      await settled();
      changes.stop();
      // XEP-0060 has no notification to the owner for an affiliation change; neither server sends one.
      expect(changes.values).toEqual([]);
      expect(await fetchAs(benvolio)).toBe('ok');

      const drift = await driftOf(recorded);
      expect(drift.findings).toEqual([{ code: 'members-added', severity: 'alarm', members: [{ jid: benvolio.jid, affiliation: 'member' }] }]);

      const { plan, outcome } = await restore(recorded);
      expect(plan.reconfigure).toMatchObject({ restores: ['members'], affiliations: [{ jid: benvolio.jid, affiliation: 'none' }] });
      expect(outcome.after.findings).toEqual([]);
      expect(await fetchAs(benvolio)).toBe('refused');
      expect(await fetchAs(romeo)).toBe('ok');
    }, 60_000);
  });
}
