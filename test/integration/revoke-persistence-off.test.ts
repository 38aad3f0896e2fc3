/**
 * A revoke on a key node another client both opened to everyone and stopped keeping items
 * (pubsub#persist_items=false): what someone holding the stolen password could do, just when the
 * person revokes the key as compromised. The revocation is published to the node as it is (see
 * revoke-widened-node.test.ts), with publish-options persist_items=true as a precondition, which such
 * a node does not meet: the code before was refused there (precondition-not-met) and the revocation
 * never went out. Now the node is made to keep items again first (XEP-0222 §2), who may read it left
 * as the other client set it, so the revocation goes out, stays stored for anyone reading later, and
 * drift watch still reports the widened access.
 *
 * Both servers accept persist_items=false on a PEP node (drift-protocol.test.ts). Prosody 0.12 empties
 * the node at once and answers every reader with an error until persistence is back; ejabberd 23.01
 * keeps the items already there. So the key's own item is gone from Prosody before the revoke, and only
 * ejabberd has one to withdraw.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { revocationItemId } from '../../main/xmpp/key-statements.js';
import { type App, type OpenCore, resultValue } from '../support/app.js';
import { keyNodeOf, openKeyNodeToEveryone, otherClient, publishedKeys, readKeyNodeConfig, readKeyNodeIds, revokedHere, startJuliet, stopKeepingItems } from '../support/juliet-key-node.js';
import { connectActor, type Actor } from '../support/scenario.js';

for (const server of [inject('prosody'), inject('ejabberd')]) {
  const prosody = server.kind === 'prosody';

  describe(`a revoke on a key node another client opened to everyone and stopped keeping items, on ${server.kind}`, () => {
    let ours: App;
    let other: OpenCore;
    /** Not her contact: under open access anyone may read her keys. */
    let reader: Actor;
    let revoked: string;
    let othersKey: string;

    const keyNodeConfig = () => readKeyNodeConfig(ours.core.session.client.iqCaller, ours.actor.jid);
    const idsReadBy = (actor: Actor) => readKeyNodeIds(actor.session.client.iqCaller, ours.actor.jid);

    beforeAll(async () => {
      [ours, reader] = await Promise.all([startJuliet(server), connectActor('benvolio', 'montague.lit', server)]);
      [revoked] = (await publishedKeys(ours, 1)) as [string];
      // Another client signed in with the password: it opens the node to everyone, with a key of its own…
      other = await otherClient(ours);
      othersKey = await openKeyNodeToEveryone(other);
      // …then stops the node keeping items.
      await stopKeepingItems(other.core.session.client.iqCaller, ours.actor.jid);
    }, 120_000);

    afterAll(async () => {
      await Promise.all([ours, other].filter(Boolean).map((device) => device.stop()));
      await reader?.session.disconnect();
    });

    it('the server took both changes: the node is open to everyone and keeps no items', async () => {
      expect(await keyNodeConfig()).toMatchObject({ accessModel: 'open', persistItems: false, deviations: expect.arrayContaining([{ code: 'items-not-persisted' }]) as unknown });
      // Prosody dropped every item at once and refuses to list any; ejabberd still lists both keys.
      expect(await idsReadBy(reader)).toEqual(prosody ? expect.objectContaining({ status: 'failed' }) : [othersKey, revoked].sort());
    });

    it('the revocation goes out and stays stored, the node keeps items again and stays open, and drift still reports the widened access', async () => {
      const answer = resultValue(await ours.core.api.keys.revoke({ fingerprint: revoked, reason: 'compromised' }));
      // Prosody had already dropped the key's own item: nothing left to withdraw there.
      expect(answer).toMatchObject({ published: true, withdrawn: !prosody, withdrawalPending: false, config: { accessModel: 'open', persistItems: true } });
      expect(await revokedHere(ours, revoked)).toMatchObject({ reason: 'compromised' });

      // Read afterwards by someone else: the revocation is stored on the node, the key's item gone.
      const ids = await idsReadBy(reader);
      expect(ids).toContain(revocationItemId(revoked));
      expect(ids).not.toContain(revoked);

      // Persistence is back, and who may read the node is still what the other client made it.
      const config = await keyNodeConfig();
      expect(config).toMatchObject({ accessModel: 'open', persistItems: true, members: [] });
      expect(config?.deviations.map((d) => d.code)).not.toContain('items-not-persisted');

      expect(keyNodeOf(resultValue(await ours.core.api.drift.check()))?.findings.map((f) => f.code)).toContain('access-widened');
    }, 60_000);
  });
}
