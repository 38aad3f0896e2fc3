/**
 * Profile publishes read back, and profile items replaced under their own id, on both real servers.
 * Juliet publishes her vCard, nickname and avatar with the app: each item is read back (XEP-0060
 * §6.5.8) and must say what was sent, and what the server echoes must never be a false alarm. Then
 * slixmpp, signed in as juliet on another resource, publishes another nickname and another vCard under
 * the same item id (§7.1.2 replaces the item). Compared by id alone, drift saw nothing while romeo read
 * the other ones; it compares what each item says with the digest recorded (docs/drift.md): an alarm
 * quoting what it says now, and Restore puts the app's back.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DriftReport, Profile } from '../../contract/index.js';
import { describeDriftFinding } from '../../contract/format.js';
import { nickPayload, readNickItem } from '../../main/profile/nickname.js';
import { vcard4Payload } from '../../main/profile/vcard4.js';
import { fetchItems } from '../../main/xmpp/fetch-items.js';
import { NS } from '../../main/xmpp/namespaces.js';
import { nextAppEvent, startApp, type App } from '../support/app.js';
import { makeJpeg } from '../support/images.js';
import { driverSteps, type DriverAccount } from '../support/interop/python-driver.js';
import { befriend, connectActor, type Actor } from '../support/scenario.js';
import { must } from '../support/must.js';

/** Every field the editor has, a multi-line note and an address among them: what a server could mangle. */
const JULIET: Profile = {
  fullName: 'Juliet Capulet',
  nickname: 'Jules',
  emails: ['juliet@capulet.lit', 'balcony@capulet.lit'],
  phones: ['+39 045 800 0000'],
  urls: ['https://capulet.lit/juliet'],
  note: 'What’s in a name?\nThat which we call a rose…',
  organisation: 'House Capulet',
  address: { street: 'Via Cappello 23', locality: 'Verona', region: 'VR', code: '37121', country: 'Italy' },
};

for (const server of [inject('prosody'), inject('ejabberd')]) {
  describe(`on ${server.kind}: profile items read back, and replaced by another client`, () => {
    let juliet: App;
    let romeo: Actor;
    let otherClient: DriverAccount;

    beforeAll(async () => {
      [juliet, romeo] = await Promise.all([
        startApp('juliet', 'capulet.lit', server, { driftWatch: { intervalMs: 3_600_000, settleMs: 150 } }),
        connectActor('romeo', 'montague.lit', server),
      ]);
      await befriend(juliet.actor, romeo, ['Friends']);
      otherClient = { jid: juliet.actor.jid, password: juliet.actor.params.password, server };
    }, 60_000);

    afterAll(async () => {
      await Promise.all([juliet?.stop(), romeo?.session.disconnect()]);
    });

    const api = () => juliet.core.api;
    const nodeOf = (report: DriftReport, node: string) => report.nodes.find((n) => n.node === node);
    /** Juliet's nickname as romeo reads it. */
    const romeoReadsNickname = async () => {
      const outcome = await fetchItems(romeo.session.client.iqCaller, juliet.actor.jid, NS.nick);
      const item = outcome.status === 'ok' ? outcome.items[0] : undefined;
      const read = item ? readNickItem(item) : undefined;
      return read && 'nickname' in read ? read.nickname : outcome.status;
    };

    it('the whole profile and an avatar publish and verify (what the server echoes is no false alarm); drift finds nothing', async () => {
      // Presence access on both: ejabberd 23.01 hides roster-access items from their owner, which would
      // leave the read-back unverified instead of compared (docs/drift.md).
      must(await api().profile.publish({ profile: JULIET, access: { model: 'presence' }, reconfigure: true }));
      const photo = makeJpeg(300, 200);
      must(await api().profile.setAvatar({ dataBase64: photo.toString('base64'), access: { model: 'presence' }, reconfigure: true }));
      const report = must(await api().drift.check());
      for (const node of [NS.vcard4, NS.nick, NS.avatarData, NS.avatarMetadata]) {
        // ejabberd 23.01 lists no PEP node's subscriptions (feature-not-implemented): unchecked, never "none".
        expect(nodeOf(report, node), node).toMatchObject({ findings: [], unchecked: server.kind === 'ejabberd' ? ['subscriptions'] : [] });
      }
      expect(await romeoReadsNickname()).toBe('Jules');
    }, 60_000);

    it('another nickname and another card under the same ids: drift says what they say now (noticed live); Restore puts the app’s back', async () => {
      const noticed = nextAppEvent(juliet, 'drift:changed', (r) => nodeOf(r, NS.nick)?.severity === 'alarm', 'the drift alarm', 20_000);
      await driverSteps('slixmpp', otherClient, [
        { op: 'publish-item', node: NS.nick, itemId: 'current', payload: nickPayload('Romeo’s Juliet').toString() },
        { op: 'publish-item', node: NS.vcard4, itemId: 'current', payload: vcard4Payload({ ...JULIET, emails: ['juliet@montague.lit'] }).toString() },
      ]);
      expect(await romeoReadsNickname()).toBe('Romeo’s Juliet');
      expect(nodeOf(await noticed, NS.nick)?.findings).toEqual([
        { code: 'items-replaced', severity: 'alarm', items: [expect.objectContaining({ itemId: 'current', now: 'Romeo’s Juliet' })] },
      ]);

      const report = must(await api().drift.check());
      const nick = nodeOf(report, NS.nick)?.findings[0];
      const card = nodeOf(report, NS.vcard4)?.findings[0];
      expect(nick && describeDriftFinding('nickname', nick)).toBe('Your profile’s nickname was changed by another app or the server: it now says “Romeo’s Juliet” (was “Jules”).');
      // Against the card the app published: the field that changed, not the whole card.
      expect(card && describeDriftFinding('vcard', card)).toBe(
        'Your profile card was changed by another app or the server: E-mail addresses are now “juliet@montague.lit” (was “juliet@capulet.lit, balcony@capulet.lit”).',
      );

      const repaired = must(await api().drift.restore({}));
      expect(repaired.repaired).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ node: NS.nick, kind: 'nickname', republished: ['current'] }),
          expect.objectContaining({ node: NS.vcard4, kind: 'vcard', republished: ['current'] }),
        ]),
      );
      expect(nodeOf(repaired.report, NS.nick)).toMatchObject({ findings: [] });
      expect(nodeOf(repaired.report, NS.vcard4)).toMatchObject({ findings: [] });
      expect(await romeoReadsNickname()).toBe('Jules');
    }, 90_000);

    it('a card another app wrote with details the editor does not show: a publish here keeps them, verified, and drift finds nothing', async () => {
      // As Gajim, Conversations or a phone would write it: a prefix for the namespace, a birthday, a job
      // title, another namespace's element, a phone marked "work" (walk 6: all were erased by a publish).
      const written =
        `<v:vcard xmlns:v='urn:ietf:params:xml:ns:vcard-4.0'><v:fn><v:text>Juliet Capulet</v:text></v:fn>` +
        `<v:bday><v:date>1999-07-31</v:date></v:bday><v:title><v:text>Heiress</v:text></v:title><mood xmlns='urn:example:mood'>fine</mood>` +
        `<v:tel><v:parameters><v:type><v:text>work</v:text></v:type></v:parameters><v:uri>tel:+39-045-800-0000</v:uri></v:tel></v:vcard>`;
      await driverSteps('slixmpp', otherClient, [{ op: 'publish-item', node: NS.vcard4, itemId: 'current', payload: written }]);
      const own = must(await api().profile.get());
      expect(own.otherDetails).toEqual({ kept: ['birthday', 'job title', 'other details'], notKept: [] });
      const shown = own.vcard ?? { emails: [], phones: [], urls: [] };

      const answer = must(await api().profile.publish({ profile: { ...shown, nickname: 'Jules' }, base: shown, access: { model: 'presence' } }));

      if (answer.outcome !== 'published') throw new Error('queued, not published');
      expect(answer.configs.find((c) => c.node === NS.vcard4)?.deviations.map((d) => d.code)).not.toContain('item-unverified');
      const outcome = await fetchItems(romeo.session.client.iqCaller, juliet.actor.jid, NS.vcard4);
      const held = outcome.status === 'ok' ? outcome.items[0]?.payload : undefined;
      expect(held?.getChild('bday')?.getChildText('date')).toBe('1999-07-31');
      expect(held?.getChild('title')?.getChildText('text')).toBe('Heiress');
      expect(held?.getChild('mood', 'urn:example:mood')?.getText()).toBe('fine');
      expect(held?.getChild('tel')?.getChild('parameters')?.getChild('type')?.getChildText('text')).toBe('work');
      expect(held?.getChild('nickname')?.getChildText('text')).toBe('Jules');
      expect(nodeOf(must(await api().drift.check()), NS.vcard4)).toMatchObject({ findings: [] });
    }, 60_000);
  });
}
