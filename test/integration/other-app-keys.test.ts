/**
 * Other apps' keys, end to end on both real servers with real clients (Debian's python3-nbxmpp, Gajim's
 * library, and python-omemo through python3-slixmpp): the app shows the fingerprints the clients made,
 * warns when a device's identity key changes under the same id, verifies and takes a verification
 * back, and takes one of the user's own devices off the published list, which another client then
 * reads back without it.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { formatOtherKeyFingerprint } from '../../contract/format.js';
import type { OtherKeysView } from '../../contract/index.js';
import { freshAccount } from '../support/accounts.js';
import { ask, connect, nextAppEvent, openCore, startApp, type App } from '../support/app.js';
import { driverSteps, type DriverAccount } from '../support/interop/python-driver.js';

interface SlixmppItems {
  items: { id: string; xml: string }[];
}

for (const server of [inject('prosody'), inject('ejabberd')]) {
  describe(`other apps’ keys with nbxmpp and python-omemo, on ${server.kind}`, () => {
    let juliet: App;
    let nurse: DriverAccount;

    beforeAll(async () => {
      const [app, params] = await Promise.all([startApp('juliet', 'capulet.lit', server), freshAccount('nurse', 'capulet.lit', server)]);
      juliet = app;
      nurse = { jid: params.jid, password: params.password, server };
    });

    afterAll(async () => {
      await juliet?.stop();
    });

    it('shows a contact’s OMEMO devices in both versions with the fingerprints the clients made, warns when one changes until accepted, verifies by fingerprint and takes a verification back', async () => {
      const [python] = (await driverSteps('slixmpp', nurse, [{ op: 'publish-python-omemo', deviceId: 5151, label: 'Nurse’s laptop' }])) as [{ curve25519: string }];
      const [, gajim] = (await driverSteps('nbxmpp', nurse, [
        { op: 'publish-omemo-devices', deviceIds: [5151, 1717, 424242], access: 'open' },
        { op: 'publish-omemo-bundle', deviceId: 1717, access: 'open' },
      ])) as [unknown, { fingerprint: string }];

      const first = await ask(juliet, 'devices:fetchContact', { jid: nurse.jid });
      const device = (view: OtherKeysView, protocol: string, id: number) => view.keys.find((k) => k.protocol === protocol && k.deviceId === id);
      expect(device(first, 'omemo', 1717)).toMatchObject({ fingerprint: gajim.fingerprint, state: 'known', signatureValid: true });
      // python-omemo's one identity key has one fingerprint in both versions.
      expect(device(first, 'omemo', 5151)).toMatchObject({ fingerprint: python.curve25519, state: 'known' });
      expect(device(first, 'omemo2', 5151)).toMatchObject({ fingerprint: python.curve25519, state: 'known' });
      // Listed without a bundle: ejabberd says item-not-found, Prosody forbidden (docs/servers.md).
      expect(device(first, 'omemo', 424242)).toMatchObject({ fingerprint: '', state: 'known' });
      expect(device(first, 'omemo', 424242)?.problems).toEqual([server.kind === 'prosody' ? 'bundle: refused' : 'no bundle published']);

      // nbxmpp makes a new identity key for the same device id.
      const [again] = (await driverSteps('nbxmpp', nurse, [{ op: 'publish-omemo-bundle', deviceId: 1717, access: 'open' }])) as [{ fingerprint: string }];
      expect(again.fingerprint).not.toBe(gajim.fingerprint);
      const second = await ask(juliet, 'devices:fetchContact', { jid: nurse.jid });
      expect(device(second, 'omemo', 1717)).toMatchObject({ state: 'changed', decision: 'changed', fingerprint: again.fingerprint, previous: [gajim.fingerprint] });
      expect(device(second, 'omemo', 5151)).toMatchObject({ state: 'known', decision: 'trusted' });

      // Comparing with the fingerprint the device used to have: a mismatch, recorded; nothing verified, the warning stays.
      const wrong = await ask(juliet, 'devices:verify', { jid: nurse.jid, fingerprint: formatOtherKeyFingerprint('omemo', gajim.fingerprint) });
      expect(wrong.outcome).toBe('mismatch');
      expect(wrong.view.mismatches.map((m) => m.offered)).toEqual([gajim.fingerprint]);
      expect(device(wrong.view, 'omemo', 1717)).toMatchObject({ state: 'changed', decision: 'changed' });
      expect(wrong.view.keys.some((k) => k.decision === 'verified')).toBe(false);

      // Verifying the new key clears the warning; taking that verification back brings it back (the
      // change was never accepted), and a second take-back is refused with words, changing nothing.
      expect((await ask(juliet, 'devices:verify', { jid: nurse.jid, fingerprint: again.fingerprint })).outcome).toBe('verified');
      const takenBack = await ask(juliet, 'devices:unverify', { jid: nurse.jid, fingerprint: again.fingerprint });
      expect(device(takenBack, 'omemo', 1717)).toMatchObject({ state: 'changed', decision: 'changed', since: device(second, 'omemo', 1717)?.since });
      expect(device(takenBack, 'omemo', 1717)).not.toHaveProperty('verifiedAt');
      const twice = await juliet.core.dispatch('devices:unverify', { jid: nurse.jid, fingerprint: again.fingerprint });
      expect(twice).toMatchObject({ ok: false, error: { code: 'invalid-argument', message: expect.stringMatching(/is not verified: nothing to take back/) as string } });
      const unknown = await juliet.core.dispatch('devices:unverify', { jid: nurse.jid, fingerprint: gajim.fingerprint });
      expect(unknown).toMatchObject({ ok: false, error: { code: 'not-found' } });

      // Accepting the new key clears the warning; trust on first use then trusts it.
      const accepted = await ask(juliet, 'devices:accept', { jid: nurse.jid, fingerprint: again.fingerprint });
      expect(device(accepted, 'omemo', 1717)).toMatchObject({ state: 'known', decision: 'trusted' });
      expect(device(await ask(juliet, 'devices:fetchContact', { jid: nurse.jid }), 'omemo', 1717)?.state).toBe('known');

      // python-omemo's fingerprint as Gajim prints it (capitals) verifies its device on both lists.
      const right = await ask(juliet, 'devices:verify', { jid: nurse.jid, fingerprint: python.curve25519.toUpperCase().match(/.{8}/g)?.join(' ') ?? '' });
      expect(right.outcome).toBe('verified');
      expect([device(right.view, 'omemo', 5151)?.decision, device(right.view, 'omemo2', 5151)?.decision]).toEqual(['verified', 'verified']);

      // A mistaken verification taken back: both entries are as trust on first use has them again, and stay so on the next reading.
      const back = await ask(juliet, 'devices:unverify', { jid: nurse.jid, fingerprint: python.curve25519 });
      expect([device(back, 'omemo', 5151), device(back, 'omemo2', 5151)].map((k) => [k?.state, k?.decision])).toEqual([['known', 'trusted'], ['known', 'trusted']]);
      expect(device(await ask(juliet, 'devices:fetchContact', { jid: nurse.jid }), 'omemo2', 5151)?.decision).toBe('trusted');
    });

    it('reads the roster’s devices in the background after sign-in and announces them', async () => {
      const romeo = await openCore({ otherKeysAtSignIn: true });
      try {
        const params = await freshAccount('romeo', 'capulet.lit', server);
        await connect(romeo.core, params);
        const added = await romeo.core.api.roster.add({ jid: nurse.jid, groups: [] });
        if (!added.ok) throw new Error(added.error.message);
        await romeo.core.api.account.disconnect();
        const app = { ...romeo, actor: { params, session: romeo.core.session, jid: params.jid } };
        const announced = nextAppEvent(app, 'devices:contact', (v) => v.jid === nurse.jid, 'the nurse’s devices after sign-in', 20_000);
        await connect(romeo.core, params);
        const view = await announced;
        expect(view.keys.some((k) => k.protocol === 'omemo' && k.deviceId === 1717 && k.fingerprint !== '')).toBe(true);
      } finally {
        await romeo.stop();
      }
    });

    it('takes one of the user’s own devices off the published list; another client reads the list without it', async () => {
      const own: DriverAccount = { jid: juliet.actor.jid, password: juliet.actor.params.password, server };
      await driverSteps('nbxmpp', own, [
        { op: 'publish-omemo-devices', deviceIds: [1717, 424242], access: 'open' },
        { op: 'publish-omemo-bundle', deviceId: 1717, access: 'open' },
      ]);
      const before = await ask(juliet, 'devices:own', undefined);
      expect(before.keys.find((k) => k.deviceId === 424242)).toMatchObject({ stale: 'no-bundle', state: 'known' });
      expect(before.keys.find((k) => k.deviceId === 1717)?.stale).toBeUndefined();

      const after = await ask(juliet, 'devices:removeOwn', { protocol: 'omemo', deviceId: 424242 });
      expect(after.keys.find((k) => k.deviceId === 424242)?.state).toBe('removed');

      // Read back by another client (slixmpp, as the nurse: the node stayed 'open').
      const [read] = (await driverSteps('slixmpp', nurse, [{ op: 'items', jid: juliet.actor.jid, node: 'eu.siacs.conversations.axolotl.devicelist' }])) as [SlixmppItems];
      expect(read.items.map((i) => i.id)).toEqual(['current']);
      const ids = [...(read.items[0]?.xml ?? '').matchAll(/<device id="(\d+)"/g)].map((m) => m[1]);
      expect(ids).toEqual(['1717']);
    });
  });
}
