/**
 * Narrowing who may read a node also ends the subscriptions of those it leaves out (XEP-0060 §8.8).
 * A reader who subscribed explicitly (§6.1) while allowed keeps the subscription where the server does
 * not end it: Prosody 0.12 ends them only on a change of access *model*, ejabberd 23.01 never, and
 * both send each new item to every subscriber; ejabberd even lets such a subscriber fetch a whitelist
 * node. Before, the app changed affiliations alone: the removed reader was sent every later key while
 * the app read the audience back as asked, and on Prosody the first narrowing failed as "refused"
 * after the server had half done it (node-subscriptions.ts). Prosody 0.12's PEP offers no roster
 * access; ejabberd's, which lists no subscriptions, is the case the publish names as unknown.
 */
import type { Element } from '@xmpp/xml';
import xml from '@xmpp/xml';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { fetchItems } from '../../main/xmpp/fetch-items.js';
import { NS } from '../../main/xmpp/namespaces.js';
import { readSubscriptions } from '../../main/xmpp/node-subscriptions.js';
import type { AccessRequest, EffectiveNodeConfig } from '../../contract/index.js';
import { startApp, type App } from '../support/app.js';
import { befriend, connectActor, type Actor } from '../support/scenario.js';

for (const server of [inject('prosody'), inject('ejabberd')]) {
  describe(`narrowing ends the subscriptions of those left out, on ${server.kind}`, () => {
    let juliet: App;
    let romeo: Actor;
    let nurse: Actor;
    let benvolio: Actor;
    /** Key item ids each reader was sent, as they arrived. */
    const pushes = new Map<string, string[]>();

    beforeAll(async () => {
      [juliet, romeo, nurse, benvolio] = await Promise.all([
        startApp('juliet', 'capulet.lit', server),
        connectActor('romeo', 'montague.lit', server),
        connectActor('nurse', 'capulet.lit', server),
        connectActor('benvolio', 'montague.lit', server),
      ]);
      await befriend(juliet.actor, romeo, ['Friends']);
      await befriend(juliet.actor, nurse, ['Servants']);
      for (const reader of [romeo, nurse, benvolio]) {
        pushes.set(reader.jid, []);
        reader.session.client.entity.on('stanza', (s: Element) => {
          const items = s.getChild('event', NS.pubsubEvent)?.getChild('items');
          if (s.name === 'message' && items?.attrs.node === NS.pubkey) {
            for (const i of items.getChildren('item')) pushes.get(reader.jid)?.push(i.attrs.id as string);
          }
        });
      }
    }, 60_000);

    afterAll(async () => {
      await Promise.all([romeo?.session.disconnect(), nurse?.session.disconnect(), benvolio?.session.disconnect()]);
      await juliet?.stop();
    });

    const subscribe = (reader: Actor) => reader.session.client.iqCaller.set(xml('pubsub', { xmlns: NS.pubsub }, xml('subscribe', { node: NS.pubkey, jid: reader.jid })), juliet.actor.jid);
    const newKey = async () => {
      const generated = await juliet.core.dispatch('keys:generate', { bits: 2048 });
      if (!generated.ok) throw new Error(generated.error.message);
      return (generated.value as { fingerprint: string }).fingerprint;
    };
    const publish = async (fingerprint: string, access: AccessRequest): Promise<EffectiveNodeConfig> => {
      const r = await juliet.core.dispatch('keys:publish', { fingerprint, access, reconfigure: true });
      if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
      return (r.value as { config: EffectiveNodeConfig }).config;
    };
    const fetchAs = async (reader: Actor) => (await fetchItems(reader.session.client.iqCaller, juliet.actor.jid, NS.pubkey)).status;
    const pushedTo = (reader: Actor) => pushes.get(reader.jid) ?? [];
    /** Until `reader`, still in the audience, was sent `id`; then a moment more for anything sent alongside. */
    const sentTo = async (reader: Actor, id: string) => {
      await expect.poll(() => pushedTo(reader), { timeout: 10_000 }).toContain(id);
      await new Promise((r) => setTimeout(r, 500));
    };

    it('whitelist [romeo, benvolio] narrowed to [romeo]: benvolio, who had subscribed, is neither sent the next key nor can fetch', async () => {
      const first = await newKey();
      await publish(first, { model: 'whitelist', allow: [romeo.jid, benvolio.jid] });
      await subscribe(benvolio);
      await subscribe(romeo);

      const second = await newKey();
      // One publish does it: on Prosody the old code was refused here ("auth/forbidden") after the server
      // had taken benvolio off, so the person pressed Publish again.
      const config = await publish(second, { model: 'whitelist', allow: [romeo.jid] });
      expect(config.whitelist).toEqual([romeo.jid]);
      if (server.kind === 'ejabberd') {
        // benvolio's subscription was ended by name (he was on the node's affiliations), but ejabberd
        // lists no subscriptions on PEP: someone who subscribed from another address cannot be named,
        // and the publish says so.
        expect(config.deviations).toEqual([expect.objectContaining({ code: 'subscriptions-unknown' })]);
      } else {
        expect(config.deviations).toEqual([]);
        // The server's own list: only those the audience keeps (the owner's own subscription aside).
        const subscribed = (await readSubscriptions({ iq: juliet.actor.session.client.iqCaller, owner: juliet.actor.jid }, NS.pubkey)).map((s) => s.jid);
        expect(subscribed).not.toContain(benvolio.jid);
        expect(subscribed).toContain(romeo.jid);
      }

      const third = await newKey();
      await publish(third, { model: 'whitelist', allow: [romeo.jid] });
      await sentTo(romeo, third);
      expect(pushedTo(benvolio)).not.toContain(third);
      expect(await fetchAs(benvolio)).not.toBe('ok');
    });

    it('presence narrowed to whitelist [nurse]: romeo, subscribed under presence, is not sent the next key, or the publish says it cannot know', async () => {
      const first = await newKey();
      await publish(first, { model: 'presence' });
      await subscribe(romeo);
      await subscribe(nurse);

      const second = await newKey();
      const config = await publish(second, { model: 'whitelist', allow: [nurse.jid] });
      await sentTo(nurse, second);
      if (server.kind === 'prosody') {
        expect(config.deviations).toEqual([]);
        expect(pushedTo(romeo)).not.toContain(second);
      } else {
        // ejabberd lists no subscriptions on PEP, and romeo was never on the node's affiliations: the
        // app cannot name him, and says so rather than read the audience back as all there is.
        expect(config.deviations).toEqual([expect.objectContaining({ code: 'subscriptions-unknown' })]);
      }
    });

  });
}
