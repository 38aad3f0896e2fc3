/**
 * Drift watch and explicit subscriptions (XEP-0060 §6.1) that outlive the audience, on both real
 * servers, through the app's own core: juliet publishes her key for contacts who see her presence;
 * benvolio and romeo, both contacts then, subscribe to the key node; juliet then removes benvolio from
 * her roster (RFC 6121 §2.5). Nothing the app published changed, yet benvolio is still sent every key.
 *
 * Measured here, before the app ends anything (a raw §7.1 publish, as another client would make, so the
 * app's own publish, which ends such subscriptions, is not what is seen):
 * - Prosody 0.12.3: the roster removal leaves benvolio's subscription in place (§8.8.1 still lists him
 *   "subscribed"), the new item is pushed to his bare JID, and his §6.5.2 fetch is refused (forbidden).
 *   Prosody ends subscriptions only when the access *model* changes (util/pubsub.lua set_node_config),
 *   and sends items to every subscriber (mod_pep's subscriber_filter keeps them all).
 * - ejabberd 23.01: the same push to benvolio (his fetch is refused, not-authorized +
 *   presence-subscription-required), but the owner's §8.8.1 request is refused on PEP
 *   (feature-not-implemented + unsupported): the app cannot see him, and says it could not check.
 *
 * The drift check names benvolio on Prosody (an alarm, which Accept cannot keep); Restore ends his
 * subscription (ensurePersistentNode, node-subscriptions.ts), the read-back finds nothing, and the next
 * item is sent to romeo and not to him. Before, drift watch read no subscriptions: nothing was said.
 */
import type { Element } from '@xmpp/xml';
import xml from '@xmpp/xml';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DriftReport } from '../../contract/index.js';
import { describeDriftFinding, describeUnchecked } from '../../contract/format.js';
import { describeReport } from '../../main/cli/commands/doctor.js';
import { NS } from '../../main/xmpp/namespaces.js';
import { readSubscriptions } from '../../main/xmpp/node-subscriptions.js';
import { pubkeyPayload } from '../../main/xmpp/pubkey-items.js';
import { publishRequest } from '../../main/xmpp/pubsub.js';
import { removeRosterItem } from '../../main/xmpp/roster.js';
import { startApp, type App } from '../support/app.js';
import { must } from '../support/must.js';
import { befriend, connectActor, type Actor } from '../support/scenario.js';

const NODE = NS.pubkey;

for (const server of [inject('prosody'), inject('ejabberd')]) {
  const ejabberd = server.kind === 'ejabberd';

  describe(`drift watch on ${server.kind}: a contact removed from the roster keeps the subscription to the key node`, () => {
    let juliet: App;
    let romeo: Actor;
    let benvolio: Actor;
    /** Key node item ids each reader was sent, as they arrived. */
    const pushes = new Map<string, string[]>();

    beforeAll(async () => {
      [juliet, romeo, benvolio] = await Promise.all([
        // The slow timer stays out of the way: every read here is a check asked for.
        startApp('juliet', 'capulet.lit', server, { driftWatch: { intervalMs: 3_600_000, settleMs: 150 } }),
        connectActor('romeo', 'montague.lit', server),
        connectActor('benvolio', 'montague.lit', server),
      ]);
      await befriend(juliet.actor, romeo, ['Friends']);
      await befriend(juliet.actor, benvolio, ['Friends']);
      for (const reader of [romeo, benvolio]) {
        pushes.set(reader.jid, []);
        reader.session.client.entity.on('stanza', (s: Element) => {
          const items = s.getChild('event', NS.pubsubEvent)?.getChild('items');
          if (s.name === 'message' && items?.attrs.node === NODE) {
            for (const i of items.getChildren('item')) pushes.get(reader.jid)?.push(i.attrs.id as string);
          }
        });
      }
    }, 60_000);

    afterAll(async () => {
      await Promise.all([juliet?.stop(), romeo?.session.disconnect(), benvolio?.session.disconnect()]);
    });

    const api = () => juliet.core.api;
    const ownerCtx = () => ({ iq: juliet.actor.session.client.iqCaller, owner: juliet.actor.jid });
    const keyNode = (report: DriftReport) => report.nodes.find((n) => n.node === NODE);
    const subscribe = (reader: Actor) => reader.session.client.iqCaller.set(xml('pubsub', { xmlns: NS.pubsub }, xml('subscribe', { node: NODE, jid: reader.jid })), juliet.actor.jid);
    /** An item published as another client of juliet's would (§7.1), without the app's ending of subscriptions. */
    const rawPublish = async (id: string) => {
      await juliet.actor.session.client.iqCaller.set(publishRequest(NODE, { id, payload: pubkeyPayload(randomBytes(32)) }), juliet.actor.jid);
    };
    const pushedTo = (reader: Actor) => pushes.get(reader.jid) ?? [];

    it('benvolio, off the roster but still subscribed, is named (Prosody) or the subscriptions are unchecked (ejabberd); Restore ends it', async () => {
      const key = must(await api().keys.generate({ bits: 2048 }));
      must(await api().keys.publish({ fingerprint: key.fingerprint, access: { model: 'presence' }, reconfigure: true }));
      await subscribe(benvolio);
      await subscribe(romeo);

      // Both are contacts who see her presence: nothing to say.
      const before = keyNode(must(await api().drift.check()));
      expect(before).toMatchObject({ findings: [], unchecked: ejabberd ? ['subscriptions'] : [] });

      await removeRosterItem(juliet.actor.session.client.iqCaller, benvolio.jid);
      // What the server does on its own: benvolio keeps his subscription and is sent the next item.
      await rawPublish('stray-1');
      await expect.poll(() => pushedTo(romeo), { timeout: 10_000 }).toContain('stray-1');
      await expect.poll(() => pushedTo(benvolio), { timeout: 10_000 }).toContain('stray-1');
      if (!ejabberd) expect((await readSubscriptions(ownerCtx(), NODE)).map((s) => s.jid)).toContain(benvolio.jid);

      const report = must(await api().drift.check());
      const node = keyNode(report);
      if (ejabberd) {
        // ejabberd will not list PEP subscriptions to their owner: unchecked, and never "nobody".
        expect(node).toMatchObject({ findings: [], unchecked: ['subscriptions'] });
        expect(node?.severity).toBeUndefined();
        expect(describeReport(report)).toContain(describeUnchecked('keys', ['subscriptions']));
        expect(describeReport(report)).toContain('who is subscribed to your keys');
        return;
      }
      expect(node).toMatchObject({
        findings: [{ code: 'subscribers-outside', severity: 'alarm', jids: [benvolio.jid], audience: { model: 'presence' } }],
        severity: 'alarm',
        unchecked: [],
        // Accept would keep him subscribed: only Restore fits.
        acceptable: false,
      });
      expect(report.severity).toBe('alarm');
      const [finding] = node?.findings ?? [];
      if (!finding) throw new Error('expected the finding');
      expect(describeDriftFinding('keys', finding)).toBe(
        `${benvolio.jid} is still subscribed to your keys and is sent every key you publish, although only contacts who see your presence may read them.`,
      );

      const answer = must(await api().drift.restore({ node: NODE }));
      expect(keyNode(answer.report)).toMatchObject({ findings: [], unchecked: [] });
      expect(answer.report.severity).toBeUndefined();
      const left = (await readSubscriptions(ownerCtx(), NODE)).map((s) => s.jid);
      expect(left).not.toContain(benvolio.jid);
      expect(left).toContain(romeo.jid);

      // The next item, published as another client would: romeo, still in the audience, gets it; benvolio does not.
      await rawPublish('stray-2');
      await expect.poll(() => pushedTo(romeo), { timeout: 10_000 }).toContain('stray-2');
      await new Promise((r) => setTimeout(r, 500));
      expect(pushedTo(benvolio)).not.toContain('stray-2');
    }, 90_000);
  });
}
