/**
 * The account's own address on a whitelist, on the real servers. Prosody 0.12 demotes the owner of a
 * node to "member" when asked to make it one, after which the owner's publish, withdrawal and revoke
 * are all refused (auth/forbidden) until the server's admin repairs the node; ejabberd 23.01 drops the
 * own address without a word. So main refuses such an audience in words before anything is sent (for
 * keys and the profile, from every front end), and the publishing strategy never sends an affiliation
 * for the account itself even when asked directly (persistent-node.ts syncAffiliations). Afterwards the
 * account still owns its node: it publishes, withdraws and revokes as before.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { NS } from '../../main/xmpp/namespaces.js';
import { publishPersistent } from '../../main/xmpp/persistent-node.js';
import { pubkeyPayload } from '../../main/xmpp/pubkey-items.js';
import { affiliationsGetRequest, parseAffiliations } from '../../main/xmpp/pubsub.js';
import { startApp, type App } from '../support/app.js';
import { connectActor, type Actor } from '../support/scenario.js';

for (const server of [inject('prosody'), inject('ejabberd')]) {
  describe(`the account’s own address on a whitelist, on ${server.kind}`, () => {
    let juliet: App;
    let romeo: Actor;

    beforeAll(async () => {
      [juliet, romeo] = await Promise.all([startApp('juliet', 'capulet.lit', server), connectActor('romeo', 'montague.lit', server)]);
    }, 60_000);

    afterAll(async () => {
      await romeo?.session.disconnect();
      await juliet?.stop();
    });

    /** Who holds what on the node, as the server itself lists it (XEP-0060 §8.9.1). */
    const affiliationsOf = async (node: string) =>
      new Map(
        parseAffiliations(await juliet.actor.session.client.iqCaller.get(affiliationsGetRequest(node), juliet.actor.jid)).map((a) => [a.jid.toLowerCase(), a.affiliation]),
      );

    async function newKey(): Promise<string> {
      const generated = await juliet.core.dispatch('keys:generate', { bits: 2048 });
      if (!generated.ok) throw new Error(generated.error.message);
      return (generated.value as { fingerprint: string }).fingerprint;
    }

    it('publishing keys to [romeo, herself] is refused in words before anything is sent; she still publishes, withdraws and revokes after', async () => {
      const fingerprint = await newKey();
      const ownAddress = juliet.actor.jid.toUpperCase();
      const refused = await juliet.core.dispatch('keys:publish', { fingerprint, access: { model: 'whitelist', allow: [romeo.jid, ownAddress] }, reconfigure: true });
      expect(refused).toEqual({
        ok: false,
        error: { code: 'invalid-argument', message: 'You can always read your own keys: leave yourself off the list of who may read them.', field: 'allow' },
      });

      // Nothing went out: no key node was made.
      const listed = await juliet.core.dispatch('keys:list', undefined);
      expect(listed.ok && (listed.value as { fingerprint: string; publications: unknown[] }[]).find((k) => k.fingerprint === fingerprint)?.publications).toEqual([]);

      const published = await juliet.core.dispatch('keys:publish', { fingerprint, access: { model: 'whitelist', allow: [romeo.jid] }, reconfigure: true });
      expect(published).toMatchObject({ ok: true, value: { outcome: 'published', config: { accessModel: 'whitelist', whitelist: [romeo.jid] } } });
      expect((await affiliationsOf(NS.pubkey)).get(juliet.actor.jid)).toBe('owner');

      // Asked directly of the publishing strategy (a queued publish from before, a restore): still no
      // affiliation for herself, and she stays the owner.
      // affiliation for herself, and she stays the owner. (The same key, published again as it is.)
      const exported = await juliet.core.dispatch('keys:exportCertificate', { fingerprint, format: 'der' });
      const der = exported.ok ? Buffer.from((exported.value as { derBase64: string }).derBase64, 'base64') : Buffer.alloc(0);
      const direct = await publishPersistent(
        { iq: juliet.actor.session.client.iqCaller, owner: juliet.actor.jid },
        { node: NS.pubkey, access: { model: 'whitelist', allow: [romeo.jid, juliet.actor.jid] }, maxItems: 32 },
        { id: fingerprint, payload: pubkeyPayload(der) },
      );
      expect(direct.config.whitelist).toEqual([romeo.jid]);
      expect((await affiliationsOf(NS.pubkey)).get(juliet.actor.jid)).toBe('owner');

      // Withdrawn, published again, revoked: every one of them needs her to own the node.
      expect(await juliet.core.dispatch('keys:retract', { fingerprint })).toMatchObject({ ok: true, value: { outcome: 'retracted' } });
      const again = await juliet.core.dispatch('keys:publish', { fingerprint, access: { model: 'whitelist', allow: [romeo.jid] } });
      expect(again).toMatchObject({ ok: true, value: { outcome: 'published' } });
      const revoked = await juliet.core.dispatch('keys:revoke', { fingerprint, reason: 'superseded' });
      expect(revoked).toMatchObject({ ok: true, value: { outcome: 'revoked', published: true, withdrawn: true } });
    });

    it('publishing the profile to [romeo, herself] is refused in words, and nothing is published', async () => {
      const profile = { fullName: 'Juliet Capulet', emails: [], phones: [], urls: [] };
      const refused = await juliet.core.dispatch('profile:publish', { profile, access: { model: 'whitelist', allow: [juliet.actor.jid, romeo.jid] }, reconfigure: true });
      expect(refused).toEqual({
        ok: false,
        error: { code: 'invalid-argument', message: 'You can always read your own profile: leave yourself off the list of who may read it.', field: 'allow' },
      });
      const published = await juliet.core.dispatch('profile:publish', { profile, access: { model: 'whitelist', allow: [romeo.jid] }, reconfigure: true });
      expect(published).toMatchObject({ ok: true, value: { outcome: 'published', configs: [{ node: NS.vcard4, accessModel: 'whitelist', whitelist: [romeo.jid] }] } });
      expect((await affiliationsOf(NS.vcard4)).get(juliet.actor.jid)).toBe('owner');
    });
  });
}
