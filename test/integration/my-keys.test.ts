/**
 * My keys against real servers (issue 15, point 3): the audience the publish panel starts from is the
 * node's own; a different one is refused until confirmed, and once confirmed every published key's
 * record says the new audience; a retract is undone by publishing the same item again; deleting a
 * published key retracts it from the node before the vault lets it go. What the node holds is read
 * from the server, not from the app's records.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { OwnKeyView } from '../../contract/index.js';
import { fetchItems } from '../../main/xmpp/fetch-items.js';
import { NS } from '../../main/xmpp/namespaces.js';
import { startApp, type App } from '../support/app.js';

for (const server of [inject('prosody'), inject('ejabberd')]) {
  describe(`my keys on ${server.kind}`, () => {
    let juliet: App;
    const keys: string[] = [];

    beforeAll(async () => {
      juliet = await startApp('juliet', 'capulet.lit', server);
      for (const label of ['Laptop', 'Desk']) {
        const made = await juliet.core.api.keys.generate({ bits: 2048, label });
        if (!made.ok) throw new Error(made.error.message);
        keys.push(made.value.fingerprint);
      }
    }, 60_000);

    afterAll(async () => {
      await juliet.stop();
    });

    const onNode = async () => {
      const fetched = await fetchItems(juliet.core.session.iq, juliet.actor.jid, NS.pubkey);
      return fetched.status === 'ok' ? fetched.items.map((i) => i.id).sort() : [];
    };
    const publication = (list: OwnKeyView[], fingerprint: string | undefined) => list.find((k) => k.fingerprint === fingerprint)?.publications[0];

    it('starts from the node\'s audience, refuses another until confirmed, then records the new one for every key', async () => {
      const [laptop, desk] = keys;
      expect(await juliet.core.api.keys.audience()).toMatchObject({ ok: true, value: { source: 'server', publishedKeys: 0 } });
      expect(await juliet.core.dispatch('keys:publish', { fingerprint: laptop, access: { model: 'open' } })).toMatchObject({ ok: true });
      expect(await juliet.core.api.keys.audience()).toEqual({ ok: true, value: { source: 'server', publishedKeys: 1, access: { model: 'open' } } });

      const refused = await juliet.core.dispatch('keys:publish', { fingerprint: desk, access: { model: 'presence' } });
      expect(refused).toMatchObject({ ok: false, error: { code: 'access-model-conflict' } });
      expect(await onNode()).toEqual([laptop]);

      const confirmed = await juliet.core.dispatch('keys:publish', { fingerprint: desk, access: { model: 'presence' }, reconfigure: true });
      expect(confirmed).toMatchObject({ ok: true, value: { outcome: 'published', config: { accessModel: 'presence' } } });
      const list = (await juliet.core.api.keys.list()) as { ok: true; value: OwnKeyView[] };
      expect(publication(list.value, laptop)?.accessModel).toBe('presence');
      expect(publication(list.value, desk)?.accessModel).toBe('presence');
      expect(list.value.map((k) => [k.label, k.current])).toEqual([
        ['Desk', true],
        ['Laptop', false],
      ]);
      expect(await juliet.core.api.keys.audience()).toEqual({ ok: true, value: { source: 'server', publishedKeys: 2, access: { model: 'presence' } } });
      expect(await onNode()).toEqual([desk, laptop].sort());
    });

    it('undoes a retract by publishing the same item to the same audience', async () => {
      const [laptop, desk] = keys;
      expect(await juliet.core.dispatch('keys:retract', { fingerprint: laptop })).toMatchObject({ ok: true, value: { outcome: 'retracted' } });
      expect(await onNode()).toEqual([desk]);
      // What the screen's Undo sends: the audience the key had, no reconfiguration.
      expect(await juliet.core.dispatch('keys:publish', { fingerprint: laptop, access: { model: 'presence' } })).toMatchObject({
        ok: true,
        value: { outcome: 'published' },
      });
      expect(await onNode()).toEqual([desk, laptop].sort());
    });

    it('deletes a published key by retracting it from the node first, then from the vault', async () => {
      const [laptop, desk] = keys;
      const deleted = await juliet.core.dispatch('keys:delete', { fingerprint: laptop });
      expect(deleted).toMatchObject({ ok: true, value: { retracted: true } });
      expect((deleted as { value: { keys: OwnKeyView[] } }).value.keys.map((k) => k.fingerprint)).toEqual([desk]);
      expect(await onNode()).toEqual([desk]);
      expect(juliet.core.vaults.vault.account(juliet.actor.jid)?.ownKeys.map((k) => k.fingerprint)).toEqual([desk]);
    });
  });
}
