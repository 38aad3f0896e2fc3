/**
 * The avatar goes to the people who read the profile (the avatar dialog says so): narrowing the profile's
 * audience, confirmed (reconfigure), narrows the avatar's two XEP-0084 nodes too, read back like the
 * profile's; publishing the profile without that confirmation leaves the avatar's access as it is.
 * Found by a user walk: romeo narrowed his profile to benvolio, and juliet still read his avatar.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { fetchItems } from '../../main/xmpp/fetch-items.js';
import { NS } from '../../main/xmpp/namespaces.js';
import type { AccessRequest, EffectiveNodeConfig, Profile } from '../../contract/index.js';
import { startApp, type App } from '../support/app.js';
import { makeJpeg } from '../support/images.js';
import { connectActor, type Actor } from '../support/scenario.js';

const ROMEO: Profile = { fullName: 'Romeo Montague', nickname: 'Romeo', emails: [], phones: [], urls: [] };
const AVATAR_NODES: readonly string[] = [NS.avatarData, NS.avatarMetadata];

for (const server of [inject('prosody'), inject('ejabberd')]) {
  describe(`narrowing the profile narrows the avatar, on ${server.kind}`, () => {
    let romeo: App;
    let juliet: Actor;
    let benvolio: Actor;

    beforeAll(async () => {
      [romeo, juliet, benvolio] = await Promise.all([
        startApp('romeo', 'montague.lit', server),
        connectActor('juliet', 'capulet.lit', server),
        connectActor('benvolio', 'montague.lit', server),
      ]);
    }, 60_000);

    afterAll(async () => {
      await Promise.all([juliet?.session.disconnect(), benvolio?.session.disconnect()]);
      await romeo?.stop();
    });

    /** 'ok', or 'refused' (ejabberd refuses one left off a whitelist with not-allowed + closed-node, read as 'failed'). */
    const fetchAs = async (reader: Actor, node: string) => {
      const outcome = await fetchItems(reader.session.client.iqCaller, romeo.actor.jid, node);
      return outcome.status === 'failed' && outcome.detail.startsWith('not-allowed + closed-node') ? 'refused' : outcome.status;
    };
    const onlyBenvolio = (): AccessRequest => ({ model: 'whitelist', allow: [benvolio.jid] });
    const avatarConfigs = async () => {
      const own = await romeo.core.dispatch('profile:get', undefined);
      if (!own.ok) throw new Error(own.error.message);
      return (own.value as { configs: EffectiveNodeConfig[] }).configs.filter((c) => AVATAR_NODES.includes(c.node));
    };

    it('profile and avatar for anyone, then the profile for benvolio only (confirmed): juliet can no longer read the avatar', async () => {
      const open = await romeo.core.dispatch('profile:publish', { profile: ROMEO, access: { model: 'open' } });
      expect(open).toMatchObject({ ok: true, value: { outcome: 'published' } });
      const avatar = await romeo.core.dispatch('profile:setAvatar', { dataBase64: makeJpeg(300, 300).toString('base64'), access: { model: 'open' } });
      expect(avatar).toMatchObject({ ok: true });
      for (const node of AVATAR_NODES) expect(await fetchAs(juliet, node), `juliet reads ${node} before`).toBe('ok');

      const narrowed = await romeo.core.dispatch('profile:publish', { profile: ROMEO, access: onlyBenvolio(), reconfigure: true });
      expect(narrowed).toMatchObject({ ok: true, value: { outcome: 'published' } });
      // What the user walk saw: juliet still read both avatar nodes (status ok) after the narrowing.
      for (const node of AVATAR_NODES) {
        expect(await fetchAs(juliet, node), `juliet reads ${node} after the narrowing`).toBe('refused');
        expect(await fetchAs(benvolio, node), `benvolio reads ${node}`).toBe('ok');
      }
      // The report names the avatar's nodes with the access read back.
      const whitelisted = (node: string) => ({ node, accessModel: 'whitelist', whitelist: [benvolio.jid], persistItems: true, sendLastPublishedItem: 'never', deviations: [] });
      // From open: ejabberd lists no subscriptions, and the publish says anyone's may remain (node-subscriptions.ts).
      const deviations = server.kind === 'ejabberd' ? [expect.objectContaining({ code: 'subscriptions-unknown' })] : [];
      expect(narrowed).toMatchObject({ ok: true, value: { configs: [NS.vcard4, NS.nick, NS.avatarData, NS.avatarMetadata].map((node) => ({ ...whitelisted(node), deviations })) } });
      // Romeo's own read-back says the new access.
      expect(await avatarConfigs()).toMatchObject(AVATAR_NODES.map(whitelisted));
    });

    it('publishing the profile without confirming a change of audience leaves the avatar’s access as it is', async () => {
      // The avatar for anyone again, on its own (its dialog, confirmed); the profile stays benvolio's.
      const avatar = await romeo.core.dispatch('profile:setAvatar', { dataBase64: makeJpeg(200, 200).toString('base64'), access: { model: 'open' }, reconfigure: true });
      expect(avatar).toMatchObject({ ok: true });
      expect(await fetchAs(juliet, NS.avatarMetadata)).toBe('ok');

      const same = await romeo.core.dispatch('profile:publish', { profile: { ...ROMEO, note: 'Wherefore?' }, access: onlyBenvolio() });
      expect(same).toMatchObject({ ok: true, value: { outcome: 'published', configs: [{ node: NS.vcard4 }, { node: NS.nick }] } });
      expect(await avatarConfigs()).toMatchObject(AVATAR_NODES.map((node) => ({ node, accessModel: 'open' })));
      for (const node of AVATAR_NODES) expect(await fetchAs(juliet, node)).toBe('ok');

      // A wider audience unconfirmed is refused, the avatar left alone as well.
      const wider = await romeo.core.dispatch('profile:publish', { profile: ROMEO, access: { model: 'presence' } });
      expect(wider).toMatchObject({ ok: false, error: { code: 'access-model-conflict' } });
      expect(await avatarConfigs()).toMatchObject(AVATAR_NODES.map((node) => ({ node, accessModel: 'open' })));
    });
  });
}
