/**
 * Interop with python-nbxmpp (Debian's python3-nbxmpp, the XMPP library Gajim is built on), on both
 * real servers. nbxmpp runs as a child process (test/support/interop/nbxmpp_driver.py) and calls its own
 * modules the way Gajim does; the app runs as its core. Both ways: nbxmpp reads the vCard4, nickname and
 * avatar the app published, and the app reads nbxmpp's, plus the OMEMO device list and bundle nbxmpp
 * publishes, through the app's OMEMO reader (main/protocols/omemo.ts), with the same fingerprint.
 * Everything is published with the 'open' access model, so no roster is needed: access control is what
 * profile.test.ts and the XEP-0222 scenario check.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { formatOmemoFingerprint, readBundle, readDeviceList, bundleLocation } from '../../main/protocols/omemo.js';
import { fetchItems } from '../../main/xmpp/fetch-items.js';
import { NS } from '../../main/xmpp/namespaces.js';
import type { AvatarPublishResult, ContactProfileView, Profile } from '../../contract/index.js';
import { freshAccount } from '../support/accounts.js';
import { startApp, type App } from '../support/app.js';
import { makePng } from '../support/images.js';
import { captureExpected, captureItems } from '../support/interop/capture.js';
import { driverSteps, runDriver, type DriverAccount } from '../support/interop/python-driver.js';

const sha1 = (b: Buffer) => createHash('sha1').update(b).digest('hex');

const JULIET: Profile = {
  fullName: 'Juliet Capulet',
  nickname: 'Jules',
  emails: ['juliet@capulet.lit'],
  phones: [],
  urls: ['https://capulet.lit/juliet'],
  note: 'What’s in a name?',
  organisation: 'House Capulet',
};

interface NbxmppProfile {
  vcard: { name: string; value?: string; values?: string[] }[] | null;
  nick: string | null;
  avatar: { id: string; type: string; bytes: number; width: number | null; height: number | null; sha1: string; size: number; dataBase64: string } | null;
}

for (const server of [inject('prosody'), inject('ejabberd')]) {
  describe(`Gajim's library (python3-nbxmpp) and the app, on ${server.kind}`, () => {
    let juliet: App;
    let gajim: DriverAccount;
    let dir: string;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'keyring-nbxmpp-'));
      const [app, params] = await Promise.all([startApp('juliet', 'capulet.lit', server), freshAccount('nurse', 'capulet.lit', server)]);
      juliet = app;
      gajim = { jid: params.jid, password: params.password, server };
    });

    afterAll(async () => {
      await juliet?.stop();
      await rm(dir, { recursive: true, force: true });
    });

    it('nbxmpp reads the vCard4, nickname and avatar the app published, the avatar checked by its SHA-1', async () => {
      const published = await juliet.core.dispatch('profile:publish', { profile: JULIET, access: { model: 'open' } });
      expect(published.ok).toBe(true);
      const photo = makePng(300, 200);
      const avatar = await juliet.core.dispatch('profile:setAvatar', { dataBase64: photo.toString('base64'), access: { model: 'open' } });
      if (!avatar.ok) throw new Error(avatar.error.message);
      const info = (avatar.value as AvatarPublishResult).info;

      const [read] = (await driverSteps('nbxmpp', gajim, [{ op: 'read-profile', jid: juliet.actor.jid }])) as [NbxmppProfile];
      const property = (name: string) => read.vcard?.filter((p) => p.name === name) ?? [];
      expect(property('fn').map((p) => p.value)).toEqual([JULIET.fullName]);
      expect(property('nickname').map((p) => p.values)).toEqual([[JULIET.nickname]]);
      expect(property('email').map((p) => p.value)).toEqual(JULIET.emails);
      expect(property('url').map((p) => p.value)).toEqual(JULIET.urls);
      expect(property('org').map((p) => p.values)).toEqual([[JULIET.organisation]]);
      expect(property('note').map((p) => p.value)).toEqual([JULIET.note]);
      expect(read.nick).toBe(JULIET.nickname);
      // nbxmpp fetched the data item the metadata named and refused it had its SHA-1 not matched the id.
      expect(read.avatar).toMatchObject({ id: info.id, type: info.type, bytes: info.bytes, width: info.width, height: info.height, sha1: info.id, size: info.bytes });
    });

    it('the app reads the vCard4, nickname and avatar nbxmpp published (Gajim’s calls)', async () => {
      const png = makePng(48, 32, true);
      const file = join(dir, 'nurse.png');
      await writeFile(file, png);
      await driverSteps('nbxmpp', gajim, [
        { op: 'publish-vcard', fn: 'Angelica the Nurse', nickname: 'Nurse', emails: ['nurse@capulet.lit'], org: 'House Capulet', note: 'Go, girl, seek happy nights\nto happy days.', access: 'open' },
        { op: 'publish-nick', nick: 'Nurse', access: 'open' },
        { op: 'publish-avatar', file, type: 'image/png', width: 48, height: 32, access: 'open' },
      ]);

      const fetched = await juliet.core.dispatch('contacts:fetchProfile', { jid: gajim.jid });
      if (!fetched.ok) throw new Error(fetched.error.message);
      const view = fetched.value as ContactProfileView;
      expect(view.sources.slice(0, 3)).toEqual([
        { node: NS.vcard4, status: 'ok' },
        { node: NS.nick, status: 'ok' },
        { node: NS.avatarMetadata, status: 'ok' },
      ]);
      expect(view.vcard).toMatchObject({ fullName: 'Angelica the Nurse', nickname: 'Nurse', emails: ['nurse@capulet.lit'], organisation: 'House Capulet', note: 'Go, girl, seek happy nights\nto happy days.' });
      expect(view.nickname).toBe('Nurse');
      expect(view.avatar?.info).toMatchObject({ id: sha1(png), type: 'image/png', bytes: png.length, width: 48, height: 32 });
      expect(view.avatar?.dataProblem).toBeUndefined();
      expect(view.avatar?.dataBase64).toBe(png.toString('base64'));
    });

    it('the app reads the OMEMO device list and bundle nbxmpp published, with the fingerprint of the key it made', async () => {
      const [, bundleStep] = (await driverSteps('nbxmpp', gajim, [
        { op: 'publish-omemo-devices', deviceIds: [1717, 424242], access: 'open' },
        { op: 'publish-omemo-bundle', deviceId: 1717, access: 'open' },
      ])) as [unknown, { fingerprint: string }];

      const iq = juliet.actor.session.client.iqCaller;
      const listed = await fetchItems(iq, gajim.jid, NS.omemoAxolotlDevices);
      if (listed.status !== 'ok') throw new Error(`device list: ${listed.status}`);
      const list = readDeviceList('axolotl', listed.items);
      expect(list).toEqual({ ok: true, list: { version: 'axolotl', itemId: 'current', devices: [{ id: 1717 }, { id: 424242 }], problems: [], leftOut: [] } });

      const { node } = bundleLocation('axolotl', 1717);
      const bundleItems = await fetchItems(iq, gajim.jid, node);
      if (bundleItems.status !== 'ok' || !bundleItems.items[0]) throw new Error(`bundle: ${bundleItems.status}`);
      const bundle = readBundle('axolotl', bundleItems.items[0], 1717);
      expect(bundle).toMatchObject({ ok: true, bundle: { deviceId: 1717, fingerprint: bundleStep.fingerprint, signatureValid: true, preKeyCount: 30, problems: [] } });
      if (bundle.ok) expect(formatOmemoFingerprint(bundle.bundle.fingerprint, 'gajim')).toMatch(/^([0-9A-F]{8} ){7}[0-9A-F]{8}$/);

      if (server.kind === 'prosody') {
        await captureItems('nbxmpp-axolotl-devicelist', NS.omemoAxolotlDevices, listed.items);
        await captureItems('nbxmpp-axolotl-bundle-1717', node, bundleItems.items);
        await captureExpected({ nbxmppBundle1717Fingerprint: bundleStep.fingerprint });
      }
    });

    it('nbxmpp refuses the server when told to trust another CA (its verification is on)', async () => {
      const other = server.kind === 'prosody' ? inject('ejabberd') : inject('prosody');
      const run = await runDriver('nbxmpp', { ...gajim, caFile: other.caFile }, [{ op: 'publish-nick', nick: 'x', access: 'open' }]);
      expect(run.outcome).toMatchObject({ ok: false, error: expect.stringMatching(/BAD_CERTIFICATE|certificate/i) as string });
    });
  });
}
