/**
 * Interop with Profanity 0.13 (Debian's `profanity`), driven headless in tmux (test/support/interop/
 * profanity.ts), on both real servers. Profanity makes its OMEMO keys (`/omemo gen`) and announces an
 * OpenPGP key made with gpg (`/ox announce`, exported as its manual says); the app reads them with its
 * readers (main/protocols/) as a stranger would, and must show the fingerprints Profanity and gpg print.
 *
 * Measured: on a fresh account Profanity 0.13.1 creates the OMEMO device list on ejabberd but not on
 * Prosody 0.12. It reads "no device list yet" only from the legacy error code='404' that ejabberd adds
 * and Prosody does not (Profanity's src/xmpp/omemo.c, _omemo_receive_devicelist), so on Prosody it
 * waits for someone else's list. Here a second device of the same account (python-nbxmpp, as Gajim)
 * publishes a list without Profanity's id, and Profanity puts itself back (XEP-0384 §5.3.1: devices
 * MUST re-announce themselves when their own list drops them).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { bundleLocation, formatOmemoFingerprint, readBundle, readDeviceList } from '../../main/protocols/omemo.js';
import { namesAddress, publicKeyNode, readPublicKeyItem, readPublicKeysList } from '../../main/protocols/openpgp.js';
import { fetchItems, type FetchOutcome } from '../../main/xmpp/fetch-items.js';
import { NS } from '../../main/xmpp/namespaces.js';
import type { RawItem } from '../../main/xmpp/pubsub.js';
import { freshAccount } from '../support/accounts.js';
import { ask, startApp, type App } from '../support/app.js';
import { formatOtherKeyFingerprint } from '../../contract/format.js';
import { captureExpected, captureItems } from '../support/interop/capture.js';
import { makeXmppKey, type GpgKey } from '../support/interop/gpg.js';
import { Profanity } from '../support/interop/profanity.js';
import { driverSteps, type DriverAccount } from '../support/interop/python-driver.js';
import { until } from '../support/scenario.js';
import { fetchRoster, subscriptionStanza } from '../../main/xmpp/roster.js';

/** A second device of Mercutio's account, as Gajim would announce it. */
const GAJIM_DEVICE = 31415;

for (const server of [inject('prosody'), inject('ejabberd')]) {
  describe(`Profanity 0.13 and the app, on ${server.kind}`, () => {
    let romeo: App;
    let mercutio: DriverAccount;
    let profanity: Profanity;
    let gpgKey: GpgKey;
    const fetch = (node: string): Promise<FetchOutcome> => fetchItems(romeo.actor.session.client.iqCaller, mercutio.jid, node);
    /** Fetches `node` until `ready` holds for its items (a publish reaches the server a moment after the command). */
    const fetchWhen = async (node: string, ready: (items: RawItem[]) => boolean, what: string): Promise<RawItem[]> => {
      let items: RawItem[] = [];
      await until(async () => {
        const outcome = await fetch(node);
        items = outcome.status === 'ok' ? outcome.items : [];
        return outcome.status === 'ok' && ready(items);
      }, what);
      return items;
    };

    beforeAll(async () => {
      const [app, params, client] = await Promise.all([
        startApp('romeo', 'montague.lit', server),
        freshAccount('mercutio', 'montague.lit', server),
        Profanity.start({ server }),
      ]);
      romeo = app;
      profanity = client;
      mercutio = { jid: params.jid, password: params.password, server };
      gpgKey = await makeXmppKey(profanity.env, mercutio.jid, profanity.dir);
      await profanity.connect(mercutio.jid, mercutio.password);
    }, 60_000);

    /**
     * Romeo subscribes to Mercutio's presence, approved from a second session of Mercutio's account
     * (Profanity asks its user and would wait), so the 'presence' access model lets him read.
     */
    let subscribed = false;
    const subscribeRomeo = async () => {
      if (subscribed) return;
      await romeo.actor.session.send(subscriptionStanza(mercutio.jid, 'subscribe'));
      await until(async () => (await fetchRoster(romeo.actor.session.client.iqCaller)).some((i) => i.jid === mercutio.jid && i.ask === 'subscribe'), 'romeo’s request');
      await driverSteps('slixmpp', mercutio, [{ op: 'approve', jid: romeo.actor.jid }]);
      await until(async () => (await fetchRoster(romeo.actor.session.client.iqCaller)).some((i) => i.jid === mercutio.jid && i.subscription === 'to'), 'romeo subscribed to mercutio');
      subscribed = true;
    };

    afterAll(async () => {
      await Promise.all([romeo?.stop(), profanity?.stop()]);
    });

    it('generates OMEMO keys; the app reads its device and bundle and shows the fingerprint Profanity prints', async () => {
      const deviceId = await profanity.omemoGenerate();
      const printed = await profanity.omemoOwnFingerprint();
      expect(printed).toMatch(/^([0-9a-f]{8}-){7}[0-9a-f]{8}$/);

      const listed = async () => {
        const outcome = await fetch(NS.omemoAxolotlDevices);
        const reading = outcome.status === 'ok' ? readDeviceList('axolotl', outcome.items) : undefined;
        return { outcome, ids: reading?.ok ? reading.list.devices.map((d) => d.id) : [] };
      };
      if (server.kind === 'ejabberd') {
        await until(async () => (await listed()).ids.includes(deviceId), 'Profanity’s own device list');
      } else {
        // Prosody: no list appears (see above). A stranger asking for a node that does not exist is
        // answered 'forbidden' by Prosody (README), so romeo sees a refusal, not an empty list.
        await new Promise((r) => setTimeout(r, 1500));
        expect((await listed()).outcome.status).toBe('refused');
      }

      // Mercutio's other device replaces the list without Profanity's id; Profanity re-announces itself.
      await driverSteps('nbxmpp', mercutio, [{ op: 'publish-omemo-devices', deviceIds: [GAJIM_DEVICE], access: 'open' }]);
      await until(async () => {
        const { ids } = await listed();
        return ids.includes(GAJIM_DEVICE) && ids.includes(deviceId);
      }, 'Profanity re-announcing its device next to the other one', 15_000);
      const devices = await fetch(NS.omemoAxolotlDevices);
      if (devices.status !== 'ok') throw new Error(devices.status);
      expect(readDeviceList('axolotl', devices.items)).toEqual({
        ok: true,
        list: { version: 'axolotl', itemId: 'current', devices: [{ id: GAJIM_DEVICE }, { id: deviceId }], problems: [], leftOut: [] },
      });

      // Measured: Profanity asks for publish-options only if the server's domain lists the feature.
      // ejabberd does, so the bundle is 'open' (XEP-0384 §5.3.2), as a rule: a clean-clone CI run once
      // saw it refused to a stranger (the default, 'presence'; most likely Profanity's first publish went
      // out before the server's disco#info answer reached it, on a loaded machine). Prosody 0.12 lists the
      // feature on the account (PEP) only, so there the bundle is always 'presence'. Either way a contact
      // who sees mercutio's presence reads it (below), which is what the app relies on.
      const { node } = bundleLocation('axolotl', deviceId);
      const asStranger = await fetch(node);
      if (server.kind === 'ejabberd') expect(['ok', 'refused']).toContain(asStranger.status);
      else expect(asStranger.status).toBe('refused');
      await subscribeRomeo();
      const bundleItems = await fetch(node);
      if (bundleItems.status !== 'ok' || !bundleItems.items[0]) throw new Error(`bundle: ${bundleItems.status}`);
      const reading = readBundle('axolotl', bundleItems.items[0], deviceId);
      if (!reading.ok) throw new Error(reading.problem);
      expect(formatOmemoFingerprint(reading.bundle.fingerprint, 'profanity')).toBe(printed);
      expect(reading.bundle).toMatchObject({ deviceId, signatureValid: true, preKeyCount: 100, problems: [] });
      // The app's contact view (devices:fetchContact) shows the same device with the fingerprint Profanity prints.
      const shown = (await ask(romeo, 'devices:fetchContact', { jid: mercutio.jid })).keys.find((k) => k.protocol === 'omemo' && k.deviceId === deviceId);
      expect(shown && formatOmemoFingerprint(shown.fingerprint, 'profanity')).toBe(printed);
      expect(shown?.signatureValid).toBe(true);

      if (server.kind === 'prosody') {
        await captureItems('profanity-axolotl-devicelist', NS.omemoAxolotlDevices, devices.items);
        await captureItems(`profanity-axolotl-bundle`, node, bundleItems.items);
        await captureExpected({ profanityDeviceId: deviceId, profanityOmemoFingerprint: printed });
      }
    });

    it('announces an OpenPGP key; the app reads the list and the key with the fingerprint gpg and Profanity print', async () => {
      const printed = await profanity.oxKeyFingerprint(`xmpp:${mercutio.jid}`);
      expect(printed.replace(/ /g, '')).toBe(gpgKey.fingerprint);

      await subscribeRomeo(); // Prosody: Profanity's key nodes get 'presence' access (see above)
      await profanity.oxAnnounce(gpgKey.binaryFile);
      const listItems = await fetchWhen(NS.openpgpPublicKeys, (items) => items.length > 0, 'Profanity’s public-keys list');
      const list = readPublicKeysList(listItems);
      if (!list.ok) throw new Error(list.problem);
      expect(list.keys.map((k) => k.fingerprint)).toEqual([gpgKey.fingerprint]);
      expect(list.problems).toEqual([]);
      expect(Math.abs((list.keys[0]?.date?.getTime() ?? 0) - Date.now())).toBeLessThan(5 * 60_000);

      const keyItems = await fetchWhen(publicKeyNode(gpgKey.fingerprint), (items) => items.length > 0, 'the key node');
      const key = readPublicKeyItem(keyItems, gpgKey.fingerprint);
      if (!key.ok) throw new Error(key.problem);
      expect(key.key).toMatchObject({ fingerprint: gpgKey.fingerprint, created: gpgKey.created, algorithm: 'EdDSA (Ed25519)', armored: false, problems: [] });
      expect(key.key.userIds).toEqual([`xmpp:${mercutio.jid}`]);
      expect(namesAddress(key.key, mercutio.jid)).toBe(true);
      // The app's contact view shows it written as Profanity's `/ox keys` prints it.
      const shown = (await ask(romeo, 'devices:fetchContact', { jid: mercutio.jid })).keys.find((k) => k.protocol === 'openpgp');
      expect(shown && formatOtherKeyFingerprint('openpgp', shown.fingerprint)).toBe(printed);
      expect(shown?.created).toBe(gpgKey.created.toISOString());
      expect(shown?.decision).toBe('trusted');
      // Comparing with what `/ox keys` printed (groups of four) verifies it, as an X.509 key is verified.
      const verified = await ask(romeo, 'devices:verify', { jid: mercutio.jid, fingerprint: printed });
      expect(verified.outcome).toBe('verified');
      expect(verified.view.keys.find((k) => k.protocol === 'openpgp')?.decision).toBe('verified');

      // Many people export with --armor: Profanity then publishes the armor inside the base64, which
      // XEP-0373 §4.1 forbids. The app still reads the same key, and says what was wrong.
      await profanity.oxAnnounce(gpgKey.armoredFile);
      const armoredItems = await fetchWhen(
        publicKeyNode(gpgKey.fingerprint),
        (items) => {
          const reading = readPublicKeyItem(items, gpgKey.fingerprint);
          return reading.ok && reading.key.armored;
        },
        'the armored key replacing the binary one',
      );
      const armored = readPublicKeyItem(armoredItems, gpgKey.fingerprint);
      expect(armored).toMatchObject({ ok: true, key: { fingerprint: gpgKey.fingerprint, created: gpgKey.created, armored: true } });

      if (server.kind === 'prosody') {
        await captureItems('profanity-openpgp-public-keys-list', NS.openpgpPublicKeys, listItems);
        await captureItems('profanity-openpgp-key', publicKeyNode(gpgKey.fingerprint), keyItems);
        await captureItems('profanity-openpgp-key-armored', publicKeyNode(gpgKey.fingerprint), armoredItems);
        await captureExpected({
          gpgFingerprint: gpgKey.fingerprint,
          gpgCreated: gpgKey.created.toISOString(),
          gpgUserId: `xmpp:${mercutio.jid}`,
          profanityOxFingerprint: printed,
        });
      }
    });

    it('Profanity refuses the server when its CA folder holds another CA (its verification is on)', async () => {
      const other = server.kind === 'prosody' ? inject('ejabberd') : inject('prosody');
      const doubter = await Profanity.start({ server, caFile: other.caFile });
      try {
        expect(await doubter.tryConnect(mercutio.jid, mercutio.password)).toBe('certificate-refused');
        expect(await doubter.screen()).not.toMatch(/logged in successfully/);
      } finally {
        await doubter.stop();
      }
    });
  });
}
