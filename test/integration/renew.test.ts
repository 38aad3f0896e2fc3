/**
 * Renewal on real servers, two app instances (issue 16, point 1): juliet renews a published key, the
 * same key with a fresh certificate or a new key; the successor is published to the same audience
 * with a succession statement that verifies against the old certificate as romeo's app stored it, and
 * only then is the old key withdrawn. Romeo's fetch is the proof: what the server now serves him.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ContactKeysView, OwnKeyView, RenewAnswer } from '../../contract/index.js';
import { publicKeyDigest } from '../../main/keys/signed-statement.js';
import { verifySuccession } from '../../main/keys/succession.js';
import { fetchItems } from '../../main/xmpp/fetch-items.js';
import { readSuccession } from '../../main/xmpp/key-statements.js';
import { NS } from '../../main/xmpp/namespaces.js';
import { startApp, type App } from '../support/app.js';
import { announceInterest, befriend } from '../support/scenario.js';

for (const server of [inject('prosody'), inject('ejabberd')]) {
  describe(`renewing a published key, on ${server.kind}`, () => {
    let juliet: App;
    let romeo: App;
    let nurse: App;

    beforeAll(async () => {
      [juliet, romeo, nurse] = await Promise.all([
        startApp('juliet', 'capulet.lit', server),
        startApp('romeo', 'montague.lit', server),
        startApp('nurse', 'capulet.lit', server),
      ]);
      await befriend(juliet.actor, romeo.actor, ['Friends']);
      await befriend(juliet.actor, nurse.actor, ['Servants']);
      await announceInterest(romeo.actor);
    }, 60_000);

    afterAll(async () => {
      await Promise.all([juliet, romeo, nurse].map((a) => a.stop()));
    });

    // Only romeo may read: a roster group where the server has it, a whitelist where not.
    const access = () =>
      server.kind === 'ejabberd' ? { model: 'roster' as const, groups: ['Friends'] } : { model: 'whitelist' as const, allow: [romeo.actor.jid] };

    async function publishedKey(): Promise<OwnKeyView> {
      const made = await juliet.core.api.keys.generate({ bits: 2048, validityDays: 20, label: 'Laptop' });
      if (!made.ok) throw new Error(made.error.message);
      expect(await juliet.core.dispatch('keys:publish', { fingerprint: made.value.fingerprint, access: access(), reconfigure: true })).toMatchObject({ ok: true });
      return made.value;
    }

    /** What romeo's app is served, and the succession statement in the item of `fingerprint`. */
    async function romeoSees(fingerprint: string) {
      const fetched = await romeo.core.dispatch('contacts:fetchKeys', { jid: juliet.actor.jid });
      const view = (fetched as { value: ContactKeysView }).value;
      const raw = await fetchItems(romeo.core.session.iq, juliet.actor.jid, NS.pubkey);
      const item = raw.status === 'ok' ? raw.items.find((i) => i.id === fingerprint) : undefined;
      return { view, succession: readSuccession(item?.payload) };
    }

    for (const newKey of [false, true]) {
      it(newKey ? 'rotates to a new key' : 'renews the certificate of the same key', async () => {
        const old = await publishedKey();
        const oldCertificate = Buffer.from(
          (juliet.core.vaults.vault.account(juliet.actor.jid)?.ownKeys.find((k) => k.fingerprint === old.fingerprint)?.certificate ?? ''),
          'base64',
        );
        expect((await romeoSees(old.fingerprint)).view.keys.map((k) => k.fingerprint)).toContain(old.fingerprint);

        const renewed = await juliet.core.dispatch('keys:renew', { fingerprint: old.fingerprint, ...(newKey ? { newKey } : {}) });
        expect(renewed).toMatchObject({ ok: true, value: { published: true, withdrawn: true, config: { accessModel: access().model } } });
        const answer = (renewed as { value: RenewAnswer }).value;
        const successor = answer.keys.find((k) => k.fingerprint === answer.fingerprint);
        expect(successor).toMatchObject({ label: 'Laptop', current: true, continues: old.fingerprint, publications: [{ node: NS.pubkey, accessModel: access().model }] });
        expect(answer.keys.find((k) => k.fingerprint === old.fingerprint)?.publications).toEqual([]);

        const seen = await romeoSees(answer.fingerprint);
        const served = seen.view.keys.filter((k) => k.trust !== 'retracted').map((k) => k.fingerprint);
        expect(served).toContain(answer.fingerprint);
        expect(served).not.toContain(old.fingerprint);
        expect(seen.succession.kind).toBe('statement');
        if (seen.succession.kind !== 'statement') return;
        expect(
          verifySuccession(seen.succession.statement, { publisherJid: juliet.actor.jid, newFingerprint: answer.fingerprint, oldCertificateDer: oldCertificate }),
        ).toMatchObject({ valid: true, old: old.fingerprint, new: answer.fingerprint });

        // The same key keeps its public key; a new key does not.
        const newCertificate = Buffer.from(juliet.core.vaults.vault.account(juliet.actor.jid)?.ownKeys.find((k) => k.fingerprint === answer.fingerprint)?.certificate ?? '', 'base64');
        expect(publicKeyDigest(newCertificate) === publicKeyDigest(oldCertificate)).toBe(!newKey);
        // The nurse is still outside the audience.
        expect(await nurse.core.dispatch('contacts:fetchKeys', { jid: juliet.actor.jid })).toMatchObject({ ok: true, value: { fetch: 'refused' } });
      });
    }
  });
}
