/**
 * The product path on real servers: juliet's app generates an RSA key and certificate, keeps the private
 * key sealed in her vault, publishes the certificate the XEP-0222 way (item id = fingerprint); romeo's
 * app receives it live, fetches and checks it ('valid', bound to juliet's JID) and remembers it on first
 * use; a replacement is flagged 'changed'; the nurse is refused where the access model says so.
 */
import { createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKeyringCore } from '../../main/core.js';
import { silentLogger } from '../../main/logger.js';
import { NS } from '../../main/xmpp/namespaces.js';
import type { ContactKeysView } from '../../contract/index.js';
import { announceInterest, befriend, nextEvent } from '../support/scenario.js';
import { APP_PASSPHRASE, startApp, type App } from '../support/app.js';
import { readBackDeviations } from '../support/read-back.js';


for (const server of [inject('prosody'), inject('ejabberd')]) {
  describe(`keys from generation to a contact's trust store, on ${server.kind}`, () => {
    let juliet: App;
    let romeo: App;
    let nurse: App;
    const apps: App[] = [];

    beforeAll(async () => {
      [juliet, romeo, nurse] = await Promise.all([
        startApp('juliet', 'capulet.lit', server),
        startApp('romeo', 'montague.lit', server),
        startApp('nurse', 'capulet.lit', server),
      ]);
      apps.push(juliet, romeo, nurse);
      await befriend(juliet.actor, romeo.actor, ['Friends']);
      await befriend(juliet.actor, nurse.actor, ['Servants']);
      for (const a of [romeo, nurse]) await announceInterest(a.actor);
    }, 60_000);

    afterAll(async () => {
      await Promise.all(apps.map((a) => a.stop()));
    });

    // Only romeo may read: XEP-0222's roster group where the server has it, a whitelist where not.
    const access = () =>
      server.kind === 'ejabberd'
        ? { model: 'roster' as const, groups: ['Friends'] }
        : { model: 'whitelist' as const, allow: [romeo.actor.jid] };

    it('publishes a generated key that romeo receives live and finds valid, while the nurse is refused', async () => {
      const generated = await juliet.core.dispatch('keys:generate', { bits: 2048, validityDays: 365 });
      expect(generated.ok).toBe(true);
      const key = (generated as { value: { fingerprint: string; bits: number } }).value;
      expect(key.fingerprint).toMatch(/^[0-9a-f]{64}$/);
      expect(key.bits).toBe(2048);

      // The private key is on disk only in sealed form: no PEM, no PKCS#8 DER in base64 (every RSA one
      // holds this run of characters), and what the vault keeps in its place is not a key.
      const vaultText = await readFile(join(juliet.dataDir, 'vault.json'), 'utf8');
      expect(vaultText).not.toMatch(/PRIVATE KEY/);
      expect(vaultText).not.toContain('IBADANBgkqhkiG9w0BAQEFAASC');
      const sealed = juliet.core.vaults.vault.account(juliet.actor.jid)?.ownKeys[0]?.privateKey.data ?? '';
      expect(vaultText).toContain(sealed);
      expect(() => createPrivateKey({ key: Buffer.from(sealed, 'base64'), format: 'der', type: 'pkcs8' })).toThrow();

      const live = nextEvent(
        (l: (v: ContactKeysView) => void) => romeo.core.events.subscribe((event, payload) => {
          if (event === 'contacts:keys') l(payload as ContactKeysView);
        }),
        (v) => v.jid === juliet.actor.jid && v.keys.some((k) => k.fingerprint === key.fingerprint && k.status === 'valid'),
        'romeo’s app shows juliet’s key',
      );
      const published = await juliet.core.dispatch('keys:publish', { fingerprint: key.fingerprint, access: access() });
      expect(published).toMatchObject({
        ok: true,
        value: { outcome: 'published', config: { accessModel: access().model, persistItems: true, sendLastPublishedItem: 'never', deviations: readBackDeviations(server.kind, access().model) } },
      });
      await live;

      const fetched = await romeo.core.dispatch('contacts:fetchKeys', { jid: juliet.actor.jid });
      expect(fetched).toMatchObject({ ok: true, value: { fetch: 'ok', invalid: [] } });
      const romeoView = (fetched as { value: ContactKeysView }).value;
      expect(romeoView.keys).toEqual([
        expect.objectContaining({ fingerprint: key.fingerprint, status: 'valid', trust: 'unverified', bits: 2048 }),
      ]);

      const refused = await nurse.core.dispatch('contacts:fetchKeys', { jid: juliet.actor.jid });
      expect(refused).toMatchObject({ ok: true, value: { fetch: 'refused', keys: [] } });

      const listed = await juliet.core.dispatch('keys:list', undefined);
      expect(listed).toMatchObject({
        ok: true,
        value: [{ fingerprint: key.fingerprint, publications: [{ node: NS.pubkey, accessModel: access().model }] }],
      });
    });

    it('flags a replaced key as changed after romeo had verified the old one', async () => {
      const [old] = (romeo.core.contactKeys.known(juliet.actor.jid)).keys;
      expect(old).toBeDefined();
      await romeo.core.dispatch('contacts:verify', { jid: juliet.actor.jid, claim: old?.fingerprint });
      expect(romeo.core.contactKeys.known(juliet.actor.jid).keys[0]?.trust).toBe('verified');

      const replacement = (await juliet.core.dispatch('keys:generate', { bits: 2048 })) as { value: { fingerprint: string } };
      await juliet.core.dispatch('keys:retract', { fingerprint: old?.fingerprint });
      await juliet.core.dispatch('keys:publish', { fingerprint: replacement.value.fingerprint, access: access() });

      const view = (await romeo.core.dispatch('contacts:fetchKeys', { jid: juliet.actor.jid })) as { value: ContactKeysView };
      const changed = view.value.keys.find((k) => k.fingerprint === replacement.value.fingerprint);
      expect(changed).toMatchObject({ trust: 'changed', status: 'valid', replaces: [old?.fingerprint] });
      expect(view.value.keys.find((k) => k.fingerprint === old?.fingerprint)?.trust).toBe('retracted');
    });

    it('survives a restart: the vault reopens with the same passphrase and keeps keys and trust', async () => {
      const reopened = createKeyringCore({ host: 'browser', version: 'test', log: silentLogger, dataDir: romeo.dataDir });
      expect(await reopened.dispatch('vault:unlock', { passphrase: 'wrong passphrase!' })).toMatchObject({
        ok: false,
        error: { code: 'wrong-passphrase' },
      });
      expect(await reopened.dispatch('vault:unlock', { passphrase: APP_PASSPHRASE })).toMatchObject({ ok: true, value: { open: true } });
      const remembered = reopened.vaults.vault.account(romeo.actor.jid)?.contacts[juliet.actor.jid] ?? [];
      expect(remembered.map((k) => k.trust).sort()).toEqual(['changed', 'retracted']);
      await reopened.dispose();
    });
  });
}
