/**
 * A key revoked here whose own item is back on the key node without its revocation (what someone with
 * the stolen password can do: withdraw the revocation, put the key's item back) gets the statement the
 * vault keeps published again, at each reading of the node: at sign-in, and from a notification of the
 * own node (own-revocations.ts). The same client may also have opened the node to everyone and stopped
 * it keeping items (pubsub#persist_items=false). That publish goes to the node as it is, with
 * publish-options persist_items=true as a precondition, which such a node does not meet: the code
 * before was refused there (precondition-not-met), left the key's item on the node, and contacts never
 * learnt of the revocation. Now persistence alone is put back first (XEP-0222 §2), who may read the
 * node left as that client set it, so the revocation goes out and stays, the key's item is withdrawn,
 * and drift watch still reports the widened access.
 *
 * The servers differ (revoke-persistence-off.test.ts, drift-protocol.test.ts): ejabberd 23.01 keeps the
 * items already there when persistence is turned off and lists them, so the key's item put back is
 * found at sign-in. Prosody 0.12 empties the node at once and refuses every reading until persistence
 * is back: at sign-in there is nothing to read, hence nothing to publish (asserted as Prosody does it),
 * and the put-back item is seen only in its notification to the signed-in device, where the same
 * publish runs; that case is checked on both servers.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { EventPayloads } from '../../contract/index.js';
import { fetchItems } from '../../main/xmpp/fetch-items.js';
import { revocationItemId } from '../../main/xmpp/key-statements.js';
import { NS } from '../../main/xmpp/namespaces.js';
import { retractItem } from '../../main/xmpp/persistent-node.js';
import { publishRequest, type RawItem } from '../../main/xmpp/pubsub.js';
import { type App, type OpenCore, resultValue } from '../support/app.js';
import { keyNodeOf, openKeyNodeToEveryone, otherClient, publishedKeys, readKeyNodeConfig, readKeyNodeIds, revokedHere, signInAndFirstCheck, startJuliet, stopKeepingItems } from '../support/juliet-key-node.js';
import { connectActor, until, type Actor } from '../support/scenario.js';

for (const server of [inject('prosody'), inject('ejabberd')]) {
  const prosody = server.kind === 'prosody';

  describe(`a revoked key put back on a key node another client opened to everyone and stopped keeping items, on ${server.kind}`, () => {
    let ours: App;
    /** Another client signed in with the password. */
    let other: OpenCore;
    /** Not her contact: under open access anyone may read her keys. */
    let reader: Actor;
    /** Revoked here; put back while this device is offline, then read at sign-in. */
    let atSignIn: string;
    /** Revoked here; put back while this device is signed in, then seen in the notification. */
    let whileOnline: string;
    /** Each key's item as it was first published: what the other client puts back. */
    const published = new Map<string, RawItem>();
    const unread: EventPayloads['keys:keyNodeUnread'][] = [];

    const keyNodeConfig = () => readKeyNodeConfig(other.core.session.iq, ours.actor.jid);
    const idsReadBy = (actor: Actor) => readKeyNodeIds(actor.session.client.iqCaller, ours.actor.jid);
    /** The other client publishes the key's item again, as it was (XEP-0060 §7.1.1, no preconditions). */
    const putBack = async (fingerprint: string) => {
      const item = published.get(fingerprint);
      if (!item?.payload) throw new Error(`no item kept for ${fingerprint}`);
      await other.core.session.iq.set(publishRequest(NS.pubkey, { id: fingerprint, payload: item.payload }), ours.actor.jid);
    };

    beforeAll(async () => {
      [ours, reader] = await Promise.all([startJuliet(server), connectActor('benvolio', 'montague.lit', server)]);
      ours.core.events.subscribe((name, payload) => name === 'keys:keyNodeUnread' && unread.push(payload as EventPayloads['keys:keyNodeUnread']));
      const keys = await publishedKeys(ours, 2);
      [atSignIn, whileOnline] = keys as [string, string];
      const read = await fetchItems(ours.core.session.iq, ours.actor.jid, NS.pubkey);
      if (read.status !== 'ok') throw new Error(`the key node could not be read: ${read.status}`);
      for (const item of read.items) published.set(item.id, item);
      for (const fingerprint of keys) {
        expect(resultValue(await ours.core.api.keys.revoke({ fingerprint, reason: 'compromised' }))).toMatchObject({ published: true, withdrawn: true });
      }
      // The other client opens the node to everyone, with a key of its own.
      other = await otherClient(ours);
      await openKeyNodeToEveryone(other);
    }, 120_000);

    afterAll(async () => {
      await Promise.all([ours, other].filter(Boolean).map((device) => device.stop()));
      await reader?.session.disconnect();
    });

    it(
      prosody
        ? 'at sign-in: Prosody dropped every item when persistence went off and refuses to list any, so nothing is there to publish, and the person is told'
        : 'at sign-in: the revocation goes out and stays, the key’s item is withdrawn, the node keeps items again and stays open, and drift still reports the widened access',
      async () => {
        resultValue(await ours.core.api.account.disconnect());
        await retractItem({ iq: other.core.session.iq, owner: ours.actor.jid }, NS.pubkey, revocationItemId(atSignIn));
        await putBack(atSignIn);
        await stopKeepingItems(other.core.session.iq, ours.actor.jid);
        expect(await keyNodeConfig()).toMatchObject({ accessModel: 'open', persistItems: false });
        if (!prosody) expect(await idsReadBy(reader)).toContain(atSignIn);

        const first = await signInAndFirstCheck(ours);

        if (prosody) {
          // Nothing readable, nothing published: persistence is left off, and the failed reading
          // (Activity) and drift watch both tell the person: the revocations recorded there are gone.
          expect(await idsReadBy(reader)).toEqual(expect.objectContaining({ status: 'failed' }));
          expect(await keyNodeConfig()).toMatchObject({ accessModel: 'open', persistItems: false });
          expect(unread).toHaveLength(1);
          expect(first.severity).toBe('alarm');
          expect(keyNodeOf(first)?.findings.map((f) => f.code)).toEqual(expect.arrayContaining(['access-widened', 'persistence-changed', 'items-removed']));
          return;
        }
        // The code before: the publish refused (precondition-not-met), the key's item left there alone.
        const ids = await idsReadBy(reader);
        expect(ids).toContain(revocationItemId(atSignIn));
        expect(ids).not.toContain(atSignIn);
        const config = await keyNodeConfig();
        expect(config).toMatchObject({ accessModel: 'open', persistItems: true, members: [] });
        expect(config?.deviations.map((d) => d.code)).not.toContain('items-not-persisted');
        expect(keyNodeOf(first)?.findings.map((f) => f.code)).toContain('access-widened');
      },
      60_000,
    );

    it('signed in, from the notification of the key’s item put back: the revocation goes out and stays, the node keeps items again and stays open, and drift still reports the widened access', async () => {
      expect(ours.core.session.state.status).toBe('online');
      // Prosody dropped the revocation with persistence already; ejabberd kept it: withdrawn there.
      if (!prosody) await retractItem({ iq: other.core.session.iq, owner: ours.actor.jid }, NS.pubkey, revocationItemId(whileOnline));
      await stopKeepingItems(other.core.session.iq, ours.actor.jid);
      await putBack(whileOnline);

      // The code before: refused, persistence stayed off (and on Prosody the node unreadable).
      let seen: unknown;
      await until(
        async () => {
          const ids = await idsReadBy(reader);
          const persistItems = (await keyNodeConfig())?.persistItems;
          seen = { ids, persistItems };
          return Array.isArray(ids) && ids.includes(revocationItemId(whileOnline)) && !ids.includes(whileOnline) && persistItems === true;
        },
        'the revocation is stored on the key node, the key’s item gone',
        15_000,
      ).catch((error: unknown) => {
        throw new Error(`${error instanceof Error ? error.message : String(error)}; the server last said ${JSON.stringify(seen)}`);
      });
      expect(await keyNodeConfig()).toMatchObject({ accessModel: 'open', persistItems: true, members: [] });
      expect(await revokedHere(ours, whileOnline)).toMatchObject({ reason: 'compromised' });
      expect(keyNodeOf(resultValue(await ours.core.api.drift.check()))?.findings.map((f) => f.code)).toContain('access-widened');
    }, 60_000);
  });
}
