/**
 * Narrowing who may read a node revokes everyone it leaves out, on both servers. Prosody 0.12 keeps the
 * member affiliations of a former whitelist when the node switches to another access model, and those
 * JIDs can still read it (docs/servers.md); ejabberd refuses them but still lists them. The app removes
 * them (XEP-0060 §8.9), reads the affiliations back, and refuses to publish while anyone outside the
 * chosen audience could still get in. The key node and a profile node (vCard4) share that code.
 */
import type { IqCaller } from '@xmpp/iq/caller.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KeyringError } from '../../main/errors.js';
import { fetchItems } from '../../main/xmpp/fetch-items.js';
import { NS } from '../../main/xmpp/namespaces.js';
import { publishPersistent, readEffectiveConfig } from '../../main/xmpp/persistent-node.js';
import { pubkeyPayload } from '../../main/xmpp/pubkey-items.js';
import { affiliationsGetRequest, affiliationsSetRequest, parseAffiliations } from '../../main/xmpp/pubsub.js';
import type { AccessRequest, EffectiveNodeConfig } from '../../contract/index.js';
import { startApp, type App } from '../support/app.js';
import { befriend, connectActor, type Actor } from '../support/scenario.js';

for (const server of [inject('prosody'), inject('ejabberd')]) {
  describe(`narrowing access revokes on ${server.kind}`, () => {
    let juliet: App;
    let romeo: Actor;
    let benvolio: Actor;

    beforeAll(async () => {
      [juliet, romeo, benvolio] = await Promise.all([
        startApp('juliet', 'capulet.lit', server),
        connectActor('romeo', 'montague.lit', server),
        // No presence subscription with juliet at all.
        connectActor('benvolio', 'montague.lit', server),
      ]);
      await befriend(juliet.actor, romeo, ['Friends']);
    }, 60_000);

    afterAll(async () => {
      await Promise.all([romeo?.session.disconnect(), benvolio?.session.disconnect()]);
      await juliet?.stop();
    });

    /**
     * 'ok', or 'refused' when the server says no. ejabberd refuses a JID left off a whitelist with
     * not-allowed + closed-node (XEP-0060 §6.5.9), which fetchItems reports as 'failed' with that detail.
     */
    const fetchAs = async (reader: Actor, node: string) => {
      const outcome = await fetchItems(reader.session.client.iqCaller, juliet.actor.jid, node);
      return outcome.status === 'failed' && outcome.detail.startsWith('not-allowed + closed-node') ? 'refused' : outcome.status;
    };
    const whitelist = (...allow: Actor[]): AccessRequest => ({ model: 'whitelist', allow: allow.map((a) => a.jid) });
    const affiliationsOf = async (node: string) =>
      parseAffiliations(await juliet.actor.session.client.iqCaller.get(affiliationsGetRequest(node), juliet.actor.jid));
    const ctx = (iq: IqCaller = juliet.actor.session.client.iqCaller) => ({ iq, owner: juliet.actor.jid });

    async function newKey(): Promise<string> {
      const generated = await juliet.core.dispatch('keys:generate', { bits: 2048 });
      if (!generated.ok) throw new Error(generated.error.message);
      return (generated.value as { fingerprint: string }).fingerprint;
    }

    it('a key published to whitelist [benvolio], then switched to presence: benvolio is refused and no member is left', async () => {
      const fingerprint = await newKey();
      const first = await juliet.core.dispatch('keys:publish', { fingerprint, access: whitelist(benvolio) });
      expect(first).toMatchObject({ ok: true, value: { config: { accessModel: 'whitelist', whitelist: [benvolio.jid], members: [benvolio.jid] } } });
      expect(await fetchAs(benvolio, NS.pubkey)).toBe('ok');

      const narrowed = await juliet.core.dispatch('keys:publish', { fingerprint, access: { model: 'presence' }, reconfigure: true });
      // ejabberd lists no subscriptions: benvolio's was ended by name, and the publish says that one from
      // another of his addresses could not be (node-subscriptions.ts).
      const deviations = server.kind === 'ejabberd' ? [expect.objectContaining({ code: 'subscriptions-unknown' })] : [];
      expect(narrowed).toMatchObject({ ok: true, value: { config: { accessModel: 'presence', members: [], deviations } } });
      expect(await fetchAs(benvolio, NS.pubkey)).toBe('refused');
      expect(await fetchAs(romeo, NS.pubkey)).toBe('ok');
      // What the server itself says, not only what the app reports.
      expect((await affiliationsOf(NS.pubkey)).map((a) => a.affiliation)).toEqual(['owner']);
    });

    it('the vCard4 published to whitelist [benvolio], then switched to presence through the profile: benvolio is refused', async () => {
      const profile = { fullName: 'Juliet Capulet', emails: [], phones: [], urls: [] };
      const first = await juliet.core.dispatch('profile:publish', { profile, access: whitelist(benvolio) });
      expect(first).toMatchObject({ ok: true, value: { outcome: 'published', configs: [{ node: NS.vcard4, accessModel: 'whitelist', members: [benvolio.jid] }] } });
      expect(await fetchAs(benvolio, NS.vcard4)).toBe('ok');

      const narrowed = await juliet.core.dispatch('profile:publish', { profile, access: { model: 'presence' }, reconfigure: true });
      expect(narrowed).toMatchObject({ ok: true, value: { outcome: 'published', configs: [{ node: NS.vcard4, accessModel: 'presence', members: [] }] } });
      expect(await fetchAs(benvolio, NS.vcard4)).toBe('refused');
      expect(await fetchAs(romeo, NS.vcard4)).toBe('ok');
      const shown = await juliet.core.dispatch('profile:get', undefined);
      const vcard = shown.ok ? (shown.value as { configs: EffectiveNodeConfig[] }).configs.find((c) => c.node === NS.vcard4) : undefined;
      expect(vcard).toMatchObject({ accessModel: 'presence', members: [], deviations: [] });
    });

    it('a smaller whitelist, confirmed, drops the member left out: whitelist [romeo, benvolio] then [romeo]', async () => {
      const fingerprint = await newKey();
      await juliet.core.dispatch('keys:publish', { fingerprint, access: { model: 'open' }, reconfigure: true });
      const both = await juliet.core.dispatch('keys:publish', { fingerprint, access: whitelist(romeo, benvolio), reconfigure: true });
      expect(both.ok && [...(both.value as { config: EffectiveNodeConfig }).config.members].sort()).toEqual([romeo.jid, benvolio.jid].sort());
      expect(await fetchAs(benvolio, NS.pubkey)).toBe('ok');

      // Taking benvolio off changes who reads every key on the node: it needs consent, as a change of
      // roster groups does, and the refusal names him. Nothing changes until it is given.
      const unconfirmed = await juliet.core.dispatch('keys:publish', { fingerprint, access: whitelist(romeo) });
      expect(unconfirmed).toMatchObject({ ok: false, error: { code: 'access-model-conflict' } });
      expect(!unconfirmed.ok && unconfirmed.error.message).toContain(`${benvolio.jid} would no longer be able to read them`);
      expect(await fetchAs(benvolio, NS.pubkey)).toBe('ok');

      const smaller = await juliet.core.dispatch('keys:publish', { fingerprint, access: whitelist(romeo), reconfigure: true });
      expect(smaller).toMatchObject({ ok: true, value: { config: { accessModel: 'whitelist', whitelist: [romeo.jid], members: [romeo.jid] } } });
      expect(await fetchAs(benvolio, NS.pubkey)).toBe('refused');
      expect(await fetchAs(romeo, NS.pubkey)).toBe('ok');
    });

    it('an affiliation granted behind the app’s back (benvolio made publisher of a presence node) is removed on the next publish', async () => {
      const fingerprint = await newKey();
      await juliet.core.dispatch('keys:publish', { fingerprint, access: { model: 'presence' }, reconfigure: true });
      await juliet.actor.session.client.iqCaller.set(affiliationsSetRequest(NS.pubkey, [{ jid: benvolio.jid, affiliation: 'publisher' }]), juliet.actor.jid);
      // Shown as a deviation while it is there.
      expect((await readEffectiveConfig(ctx(), NS.pubkey, 32))?.deviations).toEqual([
        { code: 'outsiders', members: [{ jid: benvolio.jid, affiliation: 'publisher' }] },
      ]);

      const again = await juliet.core.dispatch('keys:publish', { fingerprint, access: { model: 'presence' } });
      expect(again).toMatchObject({ ok: true, value: { config: { accessModel: 'presence', members: [] } } });
      expect(await fetchAs(benvolio, NS.pubkey)).toBe('refused');
    });

    it('when the server keeps a member it was told to remove, the app refuses to report success and publishes nothing', async () => {
      await juliet.core.dispatch('keys:publish', { fingerprint: await newKey(), access: whitelist(benvolio), reconfigure: true });
      // A server that answers "done" to the removal but keeps the affiliation (no real server here does:
      // the request is dropped on its way, and the server's real state read back).
      const iq = juliet.actor.session.client.iqCaller;
      const forgetful: IqCaller = {
        ...iq,
        get: (el, to, t) => iq.get(el, to, t),
        request: (el, t) => iq.request(el, t),
        set: (el, to, t) => (el.getChild('affiliations') ? Promise.resolve(el) : iq.set(el, to, t)),
      };
      const id = 'f'.repeat(64);
      const error = await publishPersistent(
        ctx(forgetful),
        { node: NS.pubkey, access: { model: 'presence' }, maxItems: 32, reconfigure: true },
        { id, payload: pubkeyPayload(Buffer.from('never published')) },
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KeyringError);
      expect((error as KeyringError).code).toBe('access-not-revoked');
      expect((error as KeyringError).message).toContain(`${benvolio.jid} (member) can still read your keys`);
      expect((error as KeyringError).message).toMatch(/Nothing was published\.$/);
      const items = await fetchItems(iq, juliet.actor.jid, NS.pubkey);
      expect(items.status === 'ok' && items.items.some((i) => i.id === id)).toBe(false);
    });
  });
}
