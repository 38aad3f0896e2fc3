/**
 * Interop with slixmpp (Debian's python3-slixmpp), on both real servers. slixmpp runs as a child
 * process (test/support/interop/slixmpp_driver.py) with its own XEP-0084 and XEP-0060 plugins; the app
 * runs as its core. slixmpp reads the app's avatar (XEP-0084), nickname (XEP-0172) and X.509 keys (the
 * XEP-0222's urn:xmpp:tmp:pubkey node, each certificate parsed by python3-cryptography, not by
 * the code under test), and publishes its own avatar, which the app reads byte for byte. Through slixmpp
 * python-omemo (python3-twomemo / python3-oldmemo, the library behind slixmpp-omemo) announces one
 * OMEMO device in both XEP-0384 namespaces, which the app's reader must see as one fingerprint.
 * Everything is published with the 'open' access model; access control is what the XEP-0222 suites check.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { bundleLocation, devicesNode, readBundle, readDeviceList, type OmemoBundle, type OmemoVersion } from '../../main/protocols/omemo.js';
import { fetchItems } from '../../main/xmpp/fetch-items.js';
import { NS } from '../../main/xmpp/namespaces.js';
import type { AvatarPublishResult, ContactProfileView, OwnKeyView } from '../../contract/index.js';
import { freshAccount } from '../support/accounts.js';
import { startApp, type App } from '../support/app.js';
import { makeJpeg } from '../support/images.js';
import { captureExpected, captureItems } from '../support/interop/capture.js';
import { driverSteps, runDriver, type DriverAccount } from '../support/interop/python-driver.js';

const sha1 = (b: Buffer) => createHash('sha1').update(b).digest('hex');

interface SlixAvatar {
  id: string;
  type: string;
  bytes: number;
  width: number | null;
  height: number | null;
  dataItemId: string;
  sha1: string;
  size: number;
  dataBase64: string;
}

interface SlixKey {
  id: string;
  sha256: string;
  notBefore: string;
  notAfter: string;
  publicKeyBits: number;
  xmppAddrs: string[];
}

for (const server of [inject('prosody'), inject('ejabberd')]) {
  describe(`slixmpp (python3-slixmpp) and the app, on ${server.kind}`, () => {
    let juliet: App;
    let slix: DriverAccount;
    let dir: string;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'keyring-slixmpp-'));
      const [app, params] = await Promise.all([startApp('juliet', 'capulet.lit', server), freshAccount('benvolio', 'montague.lit', server)]);
      juliet = app;
      slix = { jid: params.jid, password: params.password, server };
    });

    afterAll(async () => {
      await juliet?.stop();
      await rm(dir, { recursive: true, force: true });
    });

    it('slixmpp reads the avatar (XEP-0084) and nickname (XEP-0172) the app published', async () => {
      const nick = await juliet.core.dispatch('profile:publish', {
        profile: { fullName: 'Juliet Capulet', nickname: 'Jules', emails: [], phones: [], urls: [] },
        access: { model: 'open' },
      });
      expect(nick.ok).toBe(true);
      const photo = makeJpeg(640, 480);
      const avatar = await juliet.core.dispatch('profile:setAvatar', { dataBase64: photo.toString('base64'), access: { model: 'open' } });
      if (!avatar.ok) throw new Error(avatar.error.message);
      const info = (avatar.value as AvatarPublishResult).info;

      const [readNick, readAvatar] = (await driverSteps('slixmpp', slix, [
        { op: 'read-nick', jid: juliet.actor.jid },
        { op: 'read-avatar', jid: juliet.actor.jid },
      ])) as [{ nick: string }, SlixAvatar];
      expect(readNick.nick).toBe('Jules');
      // The app scales the photo to a PNG (README); slixmpp gets exactly the bytes the metadata describes.
      expect(readAvatar).toMatchObject({ id: info.id, type: 'image/png', bytes: info.bytes, width: info.width, height: info.height, dataItemId: info.id });
      expect(readAvatar.sha1).toBe(info.id);
      expect(readAvatar.size).toBe(info.bytes);
    });

    it('slixmpp reads the app’s X.509 keys: same SHA-256 fingerprint, the JID in the xmppAddr, the validity', async () => {
      const generated = await juliet.core.dispatch('keys:generate', { bits: 2048, validityDays: 30 });
      if (!generated.ok) throw new Error(generated.error.message);
      const key = generated.value as OwnKeyView;
      const published = await juliet.core.dispatch('keys:publish', { fingerprint: key.fingerprint, access: { model: 'open' } });
      expect(published.ok).toBe(true);

      const [{ keys }] = (await driverSteps('slixmpp', slix, [{ op: 'read-pubkeys', jid: juliet.actor.jid, node: NS.pubkey }])) as [{ keys: SlixKey[] }];
      expect(keys).toHaveLength(1);
      expect(keys[0]).toMatchObject({ id: key.fingerprint, sha256: key.fingerprint, publicKeyBits: 2048, xmppAddrs: [juliet.actor.jid] });
      // python3-cryptography reads the same validity period the app shows (to the second).
      const seconds = (iso: string | undefined) => Math.floor(new Date(iso ?? '').getTime() / 1000);
      expect(seconds(keys[0]?.notBefore)).toBe(seconds(key.notBefore));
      expect(seconds(keys[0]?.notAfter)).toBe(seconds(key.notAfter));
    });

    it('slixmpp publishes an avatar that the app reads with the same SHA-1 and bytes', async () => {
      const photo = makeJpeg(96, 64);
      const file = join(dir, 'benvolio.jpg');
      await writeFile(file, photo);
      const [published] = (await driverSteps('slixmpp', slix, [{ op: 'publish-avatar', file, type: 'image/jpeg', width: 96, height: 64, access: 'open' }])) as [
        { id: string; bytes: number },
      ];
      expect(published).toEqual({ id: sha1(photo), bytes: photo.length });

      const fetched = await juliet.core.dispatch('contacts:fetchProfile', { jid: slix.jid });
      if (!fetched.ok) throw new Error(fetched.error.message);
      const view = fetched.value as ContactProfileView;
      expect(view.avatar?.info).toEqual({ id: sha1(photo), type: 'image/jpeg', bytes: photo.length, width: 96, height: 64 });
      expect(view.avatar?.dataProblem).toBeUndefined();
      expect(Buffer.from(view.avatar?.dataBase64 ?? '', 'base64').equals(photo)).toBe(true);
    });

    it('python-omemo’s device (slixmpp-omemo’s library) reads the same in both XEP-0384 versions, its unsigned label not shown', async () => {
      const [made] = (await driverSteps('slixmpp', slix, [{ op: 'publish-python-omemo', deviceId: 5151, label: 'slixmpp-omemo on Debian' }])) as [
        { ed25519: string; curve25519: string },
      ];
      const iq = juliet.actor.session.client.iqCaller;
      const readings: Record<OmemoVersion, OmemoBundle | undefined> = { axolotl: undefined, omemo2: undefined };
      for (const version of ['omemo2', 'axolotl'] as const) {
        const listed = await fetchItems(iq, slix.jid, devicesNode(version));
        if (listed.status !== 'ok') throw new Error(`${version} devices: ${listed.status}`);
        const list = readDeviceList(version, listed.items);
        if (!list.ok) throw new Error(list.problem);
        expect(list.list.devices.map((d) => d.id)).toEqual([5151]);
        const { node, itemId } = bundleLocation(version, 5151);
        const bundles = await fetchItems(iq, slix.jid, node);
        if (bundles.status !== 'ok') throw new Error(`${version} bundle: ${bundles.status}`);
        const item = bundles.items.find((i) => itemId === undefined || i.id === itemId);
        if (!item) throw new Error(`${version}: no bundle item`);
        const bundle = readBundle(version, item, 5151);
        if (!bundle.ok) throw new Error(bundle.problem);
        expect(bundle.bundle).toMatchObject({ signatureValid: true, preKeyCount: 30, problems: [] });
        readings[version] = bundle.bundle;
        if (version === 'omemo2') {
          // twomemo 1.0 publishes the label without the labelsig XEP-0384 §5.3.1 requires: not shown.
          expect(list.list.devices[0]?.label).toBeUndefined();
          expect(list.list.problems).toEqual(['device 5151: its label is not signed, so it is not shown']);
        }
        if (server.kind === 'prosody') {
          await captureItems(`python-omemo-${version}-devices`, devicesNode(version), listed.items);
          await captureItems(`python-omemo-${version}-bundle`, node, [item]);
        }
      }
      // One device, one fingerprint: the omemo:2 Ed25519 key turned into its Curve25519 form by the app
      // equals python-xeddsa's conversion and the key python-omemo put in the axolotl bundle.
      expect(readings.omemo2?.identityKey.toString('hex')).toBe(made.ed25519);
      expect(readings.omemo2?.fingerprint).toBe(made.curve25519);
      expect(readings.axolotl?.fingerprint).toBe(made.curve25519);
      if (server.kind === 'prosody') await captureExpected({ pythonOmemoEd25519: made.ed25519, pythonOmemoCurve25519: made.curve25519 });
    });

    it('slixmpp refuses the server when told to trust another CA (its verification is on)', async () => {
      const other = server.kind === 'prosody' ? inject('ejabberd') : inject('prosody');
      const run = await runDriver('slixmpp', { ...slix, caFile: other.caFile }, [{ op: 'read-nick', jid: slix.jid }]);
      expect(run.outcome).toMatchObject({ ok: false, error: expect.stringMatching(/certificate verify failed/) as string });
    });
  });
}
