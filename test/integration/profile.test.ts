/**
 * The profile the XEP-0222 way on real servers: juliet's app publishes her vCard4 (XEP-0292), nickname
 * (XEP-0172) and avatar (XEP-0084) to persistent nodes with the access she picks, and reads each node's
 * configuration back; romeo's app receives the notifications and fetches them; someone outside the
 * access model is refused; and a hostile profile, published raw by a test session (no app), is read
 * safely by romeo's app.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import xml from '@xmpp/xml';
import { NS } from '../../main/xmpp/namespaces.js';
import { publishRequest, retractRequest } from '../../main/xmpp/pubsub.js';
import { NICK_ITEM_ID, nickPayload } from '../../main/profile/nickname.js';
import { mergeProfileView } from '../../renderer/src/lib/profile-events.js';
import { VCARD_NS } from '../../main/profile/vcard4.js';
import type { ContactProfileView, EffectiveNodeConfig, Profile } from '../../contract/index.js';
import { PROFILE_LIMITS } from '../../contract/limits.js';
import { ask, connect, nextAppEvent, openCore, startApp, type App } from '../support/app.js';
import { makeJpeg, makePng } from '../support/images.js';
import { announceInterest, befriend, connectActor, secondResource, until, type Actor } from '../support/scenario.js';
import { readBackDeviations } from '../support/read-back.js';

const sha1 = (b: Buffer) => createHash('sha1').update(b).digest('hex');

const JULIET: Profile = {
  fullName: 'Juliet Capulet',
  nickname: 'Jules',
  emails: ['juliet@capulet.lit'],
  phones: ['+39 045 800 0000'],
  urls: ['https://capulet.lit/juliet'],
  note: 'What’s in a name?\nThat which we call a rose…',
  organisation: 'House Capulet',
  address: { street: 'Via Cappello 23', locality: 'Verona', region: 'VR', code: '37121', country: 'Italy' },
};

for (const server of [inject('prosody'), inject('ejabberd')]) {
  describe(`the profile, XEP-0222 way, on ${server.kind}`, () => {
    let juliet: App;
    let romeo: App;
    let outsider: App;
    let tybalt: Actor;
    const apps: App[] = [];

    beforeAll(async () => {
      [juliet, romeo, outsider] = await Promise.all([
        startApp('juliet', 'capulet.lit', server),
        startApp('romeo', 'montague.lit', server),
        // ejabberd: the nurse, in "Servants", outside the "Friends" group; Prosody (no roster access):
        // benvolio, with no presence subscription at all.
        server.kind === 'ejabberd' ? startApp('nurse', 'capulet.lit', server) : startApp('benvolio', 'montague.lit', server),
      ]);
      apps.push(juliet, romeo, outsider);
      tybalt = await connectActor('tybalt', 'capulet.lit', server);
      await befriend(juliet.actor, romeo.actor, ['Friends']);
      if (server.kind === 'ejabberd') await befriend(juliet.actor, outsider.actor, ['Servants']);
      await befriend(tybalt, romeo.actor, ['Enemies']);
      await announceInterest(romeo.actor);
    }, 60_000);

    afterAll(async () => {
      await Promise.all(apps.map((a) => a.stop()));
      await tybalt?.session.disconnect();
    });

    const access = () =>
      server.kind === 'ejabberd' ? { model: 'roster' as const, groups: ['Friends'] } : { model: 'presence' as const };
    /** `readBack`: a publish's answer, which says where the item could not be read back; false for a read of the node. */
    const persistent = (node: string, readBack = true): Partial<EffectiveNodeConfig> => ({
      node,
      accessModel: access().model,
      persistItems: true,
      sendLastPublishedItem: 'never',
      deviations: readBack ? readBackDeviations(server.kind, access().model) : [],
      ...(server.kind === 'ejabberd' ? { rosterGroupsAllowed: ['Friends'] } : {}),
    });

    it('publishes vCard4 and nickname with the XEP-0222 settings read back; romeo is notified and fetches them', async () => {
      const notified = nextAppEvent(romeo, 'contacts:profile', (v) => v.jid === juliet.actor.jid && v.vcard?.fullName === JULIET.fullName, 'romeo hears of juliet’s vCard');
      const published = await juliet.core.dispatch('profile:publish', { profile: JULIET, access: access() });
      expect(published).toMatchObject({ ok: true, value: { outcome: 'published', configs: [persistent(NS.vcard4), persistent(NS.nick)] } });
      const live = await notified;
      expect(live.origin).toBe('notification');

      const fetched = await romeo.core.dispatch('contacts:fetchProfile', { jid: juliet.actor.jid });
      expect(fetched).toMatchObject({ ok: true });
      const view = (fetched as { value: ContactProfileView }).value;
      // Her phone number as she typed it, though the vCard holds it as the tel: URI tel:+39-045-800-0000.
      expect(view.vcard).toEqual(JULIET);
      expect(view.nickname).toBe('Jules');
      expect(view.sources).toEqual([
        { node: NS.vcard4, status: 'ok' },
        { node: NS.nick, status: 'ok' },
        { node: NS.avatarMetadata, status: 'none' },
        { node: NS.profile, status: 'none' },
      ]);
    });

    it('publishes an avatar (data first, then metadata) that romeo receives, fetches and checks', async () => {
      const photo = makeJpeg(600, 400);
      // What the preview shows is what gets published: the same PNG, so the same SHA-1 id.
      const preview = await juliet.core.profile.previewAvatar(photo);
      const notified = nextAppEvent(romeo, 'contacts:profile', (v) => v.jid === juliet.actor.jid && v.avatar?.dataBase64 !== undefined, 'romeo gets juliet’s avatar');
      const result = await juliet.core.dispatch('profile:setAvatar', { dataBase64: photo.toString('base64'), access: access() });
      expect(result).toMatchObject({
        ok: true,
        value: {
          info: { id: preview.id, bytes: preview.png.length, type: 'image/png', width: 256, height: 256 },
          configs: [persistent(NS.avatarData), persistent(NS.avatarMetadata)],
        },
      });
      const info = (result as { value: { info: { id: string; bytes: number } } }).value.info;
      const live = await notified;
      const png = Buffer.from(live.avatar?.dataBase64 ?? '', 'base64');
      expect(png.length).toBe(info.bytes);
      expect(sha1(png)).toBe(info.id);
      expect(live.vcard?.fullName).toBe(JULIET.fullName); // the earlier parts are kept

      // A fresh fetch from romeo's side (no cache in a new read of the metadata; the data comes from the cache).
      const fetched = (await romeo.core.dispatch('contacts:fetchProfile', { jid: juliet.actor.jid })) as { ok: true; value: ContactProfileView };
      expect(fetched.value.avatar).toMatchObject({ info: { id: info.id, type: 'image/png', width: 256, height: 256 } });
      expect(fetched.value.avatar?.dataBase64).toBe(png.toString('base64'));

      // Juliet reads her own profile back from the server, with every node's configuration.
      const own = await juliet.core.dispatch('profile:get', undefined);
      expect(own).toMatchObject({
        ok: true,
        value: {
          jid: juliet.actor.jid,
          configs: [persistent(NS.vcard4, false), persistent(NS.nick, false), persistent(NS.avatarData, false), persistent(NS.avatarMetadata, false)],
        },
      });
      const ownView = (own as { value: ContactProfileView }).value;
      if (server.kind === 'prosody') {
        expect(ownView).toMatchObject({ nickname: 'Jules', vcard: { fullName: JULIET.fullName }, avatar: { info: { id: info.id } } });
      } else {
        // Measured: ejabberd 23.01 refuses the owner's own items request on a roster-access node unless the
        // owner is in one of the allowed groups of its own roster (not-authorized + not-in-roster-group).
        expect(ownView.sources.slice(0, 3)).toEqual(
          [NS.vcard4, NS.nick, NS.avatarMetadata].map((node) => ({ node, status: 'refused', detail: expect.stringMatching(/not-in-roster-group/) as string })),
        );
      }
    });

    it('romeo’s app keeps juliet’s profile and avatar in its vault: offline they still show, marked as kept', async () => {
      const online = await ask(romeo, 'contacts:fetchProfile', { jid: juliet.actor.jid });
      expect(online.storedAt).toBeUndefined();
      expect(online.avatar?.dataBase64).toBeDefined();
      await ask(romeo, 'account:disconnect', undefined);
      try {
        // The copy is written in the background (a failed write costs only the offline copy, profile.ts
        // #keepInVault): on a busy machine it lands a moment after the answer (CI saw the copy before it).
        let kept = await ask(romeo, 'contacts:fetchProfile', { jid: juliet.actor.jid });
        await until(async () => (kept = await ask(romeo, 'contacts:fetchProfile', { jid: juliet.actor.jid })).avatar?.info.id === online.avatar?.info.id, 'the kept copy with the avatar', 10_000);
        expect(kept.vcard).toEqual(online.vcard);
        expect(kept.nickname).toBe('Jules');
        expect(kept.avatar?.info).toEqual(online.avatar?.info);
        expect(kept.avatar?.dataBase64).toBe(online.avatar?.dataBase64);
        expect(Date.parse(kept.storedAt ?? '')).toBeGreaterThan(Date.now() - 60_000);
        // Someone never read is not made up.
        const unknown = await romeo.core.dispatch('contacts:fetchProfile', { jid: 'stranger@capulet.lit' });
        expect(unknown).toMatchObject({ ok: false, error: { code: 'not-connected' } });
      } finally {
        await connect(romeo.core, romeo.actor.params);
      }
    });

    it('keeps a copy of her own profile in the vault: where the server will not give it back, and offline', async () => {
      const own = await ask(juliet, 'profile:get', undefined);
      // On ejabberd the server refuses the owner (above): the parts come from the vault's copy, marked so.
      expect(own.vcard).toEqual(JULIET);
      expect(own.nickname).toBe('Jules');
      expect(own.avatar?.dataBase64).toBeDefined();
      expect(own.storedAt !== undefined).toBe(server.kind === 'ejabberd');
      // Offline: the copy, whole, with when it was kept.
      const opened = await openCore({ dataDir: juliet.dataDir });
      try {
        // Nobody signed in on this core: it works offline for the account used last (juliet), from the copy.
        const offline = await opened.core.dispatch('profile:get', undefined);
        expect(offline).toMatchObject({ ok: true, value: { vcard: { fullName: JULIET.fullName }, nickname: 'Jules' } });
      } finally {
        await opened.core.dispose();
      }
      await ask(juliet, 'account:disconnect', undefined);
      try {
        const copy = await ask(juliet, 'profile:get', undefined);
        expect(copy.vcard?.fullName).toBe(JULIET.fullName);
        expect(copy.vcard?.address).toEqual(JULIET.address);
        expect(copy.nickname).toBe('Jules');
        expect(copy.avatar?.info.id).toBe(own.avatar?.info.id);
        expect(copy.avatar?.dataBase64).toBe(own.avatar?.dataBase64);
        expect(Date.parse(copy.storedAt ?? '')).toBeGreaterThan(Date.now() - 60_000);
      } finally {
        await connect(juliet.core, juliet.actor.params);
      }
    });

    it('refuses someone outside the access model, node by node', async () => {
      const refused = (await outsider.core.dispatch('contacts:fetchProfile', { jid: juliet.actor.jid })) as { ok: true; value: ContactProfileView };
      expect(refused.ok).toBe(true);
      expect(refused.value.vcard).toBeUndefined();
      expect(refused.value.avatar).toBeUndefined();
      const status = Object.fromEntries(refused.value.sources.map((s) => [s.node, s.status]));
      // Measured: Prosody refuses a stranger even a node that does not exist (forbidden, not item-not-found).
      const missing = server.kind === 'prosody' ? 'refused' : 'none';
      expect(status).toEqual({ [NS.vcard4]: 'refused', [NS.nick]: 'refused', [NS.avatarMetadata]: 'refused', [NS.profile]: missing });
    });

    it('changing the access of the published profile needs consent (reconfigure)', async () => {
      const conflict = await juliet.core.dispatch('profile:publish', { profile: JULIET, access: { model: 'open' } });
      expect(conflict).toMatchObject({ ok: false, error: { code: 'access-model-conflict' } });
      const wider = await juliet.core.dispatch('profile:publish', { profile: JULIET, access: { model: 'open' }, reconfigure: true });
      // Her avatar (published above) goes to the same people: its two nodes change with the profile's.
      expect(wider).toMatchObject({
        ok: true,
        value: {
          outcome: 'published',
          configs: [{ accessModel: 'open', persistItems: true, sendLastPublishedItem: 'never' }, { accessModel: 'open' }, { node: NS.avatarData, accessModel: 'open' }, { node: NS.avatarMetadata, accessModel: 'open' }],
        },
      });
      const back = await juliet.core.dispatch('profile:publish', { profile: JULIET, access: access(), reconfigure: true });
      // From open to fewer readers: ejabberd lists no subscriptions, so anyone who subscribed while the
      // nodes were open may still be sent new items, and the publish says so (node-subscriptions.ts).
      // The card and the nickname are published again (and read back); the avatar's nodes only reconfigured.
      const narrowed = (node: string, readBack: boolean) => ({
        ...persistent(node),
        deviations: [
          ...(server.kind === 'ejabberd' ? [expect.objectContaining({ code: 'subscriptions-unknown' }) as unknown] : []),
          ...(readBack ? readBackDeviations(server.kind, access().model) : []),
        ],
      });
      expect(back).toMatchObject({
        ok: true,
        value: { outcome: 'published', configs: [narrowed(NS.vcard4, true), narrowed(NS.nick, true), narrowed(NS.avatarData, false), narrowed(NS.avatarMetadata, false)] },
      });
    });

    it('reads a hostile profile published raw (script, huge fields, broken avatar, XEP-0154 form) safely', async () => {
      const raw = (node: string, id: string, payload: ReturnType<typeof xml>) =>
        tybalt.session.client.iqCaller.set(publishRequest(node, { id, payload }), tybalt.jid);
      const huge = 'H'.repeat(100_000); // a 100 kB field: inside both servers' 256 KiB stanza limit
      const emails = Array.from({ length: 200 }, (_, i) => xml('email', {}, xml('text', {}, `e${i}@tybalt.lit`)));
      await raw(
        NS.vcard4,
        'current',
        xml(
          'vcard',
          { xmlns: VCARD_NS },
          xml('fn', {}, xml('text', {}, '<script>alert("fn")</script>\u202eTybalt\u009b31m')),
          xml('note', {}, xml('text', {}, huge), xml('script', { xmlns: 'http://www.w3.org/1999/xhtml' }, 'alert(1)')),
          xml('url', {}, xml('uri', {}, 'javascript:alert(document.cookie)')),
          ...emails,
          xml('unknown-property', {}, xml('text', {}, 'ignored')),
        ),
      );
      await raw(NS.nick, 'current', xml('nick', { xmlns: NS.nick }, huge));
      // Avatar data that is no image (its SHA-1 is right), announced as a PNG.
      const notImage = Buffer.from('<html><script>alert(1)</script></html>');
      await raw(NS.avatarData, sha1(notImage), xml('data', { xmlns: NS.avatarData }, notImage.toString('base64')));
      await raw(NS.avatarMetadata, sha1(notImage), xml('metadata', { xmlns: NS.avatarMetadata }, xml('info', { id: sha1(notImage), bytes: '38', type: 'image/png' })));
      await raw(
        NS.profile,
        'p1',
        xml(
          'profile',
          { xmlns: NS.profile },
          xml(
            'x',
            { xmlns: NS.dataForms, type: 'result' },
            xml('field', { var: 'FORM_TYPE', type: 'hidden' }, xml('value', {}, NS.profile)),
            xml('field', { var: 'nickname' }, xml('value', {}, '<img src=x onerror=alert(1)>')),
            xml('field', { var: 'description' }, xml('value', {}, huge)),
            xml('field', { var: 'avatar_data' }, xml('value', {}, 'AAAA')),
          ),
        ),
      );

      const fetched = await romeo.core.dispatch('contacts:fetchProfile', { jid: tybalt.jid });
      expect(fetched.ok).toBe(true);
      const view = (fetched as { value: ContactProfileView }).value;
      expect(view.vcard?.fullName).toBe('<script>alert("fn")</script>Tybalt31m');
      expect(view.vcard?.note).toHaveLength(PROFILE_LIMITS.noteChars);
      expect(view.vcard?.urls).toEqual(['javascript:alert(document.cookie)']); // text to show, never opened
      expect(view.vcard?.emails).toHaveLength(PROFILE_LIMITS.entries);
      expect(view.nickname).toHaveLength(PROFILE_LIMITS.fieldChars);
      expect(view.avatar?.dataBase64).toBeUndefined();
      expect(view.avatar?.dataProblem).toMatch(/not a PNG or JPEG/);
      expect(view.xep0154?.fields.map((f) => f.name)).toEqual(['nickname', 'description']);
      expect(view.xep0154?.profile.nickname).toBe('<img src=x onerror=alert(1)>');
      expect(view.xep0154?.fields[1]?.values[0]).toHaveLength(PROFILE_LIMITS.fieldChars);
      expect(view.sources.map((s) => s.status)).toEqual(['ok', 'ok', 'ok', 'ok']);

      // A wrong SHA-1 id and a truncated PNG are refused too; romeo's app keeps working.
      const png = makePng(16, 16);
      const wrongId = sha1(Buffer.from('something else'));
      await raw(NS.avatarData, wrongId, xml('data', { xmlns: NS.avatarData }, png.toString('base64')));
      await raw(NS.avatarMetadata, wrongId, xml('metadata', { xmlns: NS.avatarMetadata }, xml('info', { id: wrongId, bytes: String(png.length), type: 'image/png' })));
      const wrong = (await romeo.core.dispatch('contacts:fetchProfile', { jid: tybalt.jid })) as { value: ContactProfileView };
      expect(wrong.value.avatar?.dataProblem).toMatch(/SHA-1/);
      const truncated = png.subarray(0, 20);
      await raw(NS.avatarData, sha1(truncated), xml('data', { xmlns: NS.avatarData }, truncated.toString('base64')));
      await raw(NS.avatarMetadata, sha1(truncated), xml('metadata', { xmlns: NS.avatarMetadata }, xml('info', { id: sha1(truncated), bytes: '20', type: 'image/png' })));
      const broken = (await romeo.core.dispatch('contacts:fetchProfile', { jid: tybalt.jid })) as { value: ContactProfileView };
      expect(broken.value.avatar?.dataProblem).toMatch(/IHDR/);
      // Not a vCard at all on the vCard node.
      await raw(NS.vcard4, 'current', xml('vCard', { xmlns: 'vcard-temp' }, xml('FN', {}, 'old')));
      const foreign = (await romeo.core.dispatch('contacts:fetchProfile', { jid: tybalt.jid })) as { value: ContactProfileView };
      expect(foreign.value.vcard).toBeUndefined();
      expect(foreign.value.sources[0]).toMatchObject({ node: NS.vcard4, status: 'invalid', detail: /no <vcard/ });

      expect(await romeo.core.dispatch('contacts:fetchProfile', { jid: juliet.actor.jid })).toMatchObject({ ok: true, value: { nickname: 'Jules' } });
    });

    // ejabberd before 24.12 sends no retract notification at all (docs/servers.md): Prosody only.
    it.runIf(server.kind === 'prosody')('juliet’s nickname is retracted (as another client of hers may): romeo’s page drops it and keeps the rest', async () => {
      // What romeo's page holds: the whole profile, as a fetch gave it.
      const held = await ask(romeo, 'contacts:fetchProfile', { jid: juliet.actor.jid });
      expect(held.nickname).toBe('Jules');
      expect(held.avatar?.dataBase64).toBeDefined();
      const notified = nextAppEvent(romeo, 'contacts:profile', (v) => v.jid === juliet.actor.jid && v.updated.includes(NS.nick), 'romeo hears juliet’s nickname retracted');
      // XEP-0060 §7.2.2.1: the node notifies the retract (notify_retract, set by the app's publish).
      await juliet.actor.session.client.iqCaller.set(retractRequest(NS.nick, NICK_ITEM_ID), juliet.actor.jid);
      const event = await notified;
      expect(event).toMatchObject({ origin: 'notification', refreshed: ['nickname'] });
      expect(event.nickname).toBeUndefined();
      expect(event.sources.find((s) => s.node === NS.nick)?.status).toBe('none');
      const shown = mergeProfileView(held, event);
      expect(shown.nickname).toBeUndefined();
      expect(shown.vcard).toEqual(held.vcard);
      expect(shown.avatar?.dataBase64).toBe(held.avatar?.dataBase64);
    });

    it('juliet clears her nickname: it goes from the vCard and the nickname node alike, and romeo’s page drops it', async () => {
      await ask(juliet, 'profile:publish', { profile: JULIET, access: access() });
      const held = await ask(romeo, 'contacts:fetchProfile', { jid: juliet.actor.jid });
      expect(held.nickname).toBe('Jules');
      const { nickname: _cleared, ...withoutNickname } = JULIET;
      const notified = nextAppEvent(romeo, 'contacts:profile', (v) => v.jid === juliet.actor.jid && v.updated.includes(NS.nick), 'romeo hears juliet’s nickname withdrawn');
      const cleared = await ask(juliet, 'profile:publish', { profile: withoutNickname, access: access() });
      // The nickname node is published to (an empty <nick/>), not left holding the old one.
      expect(cleared).toMatchObject({ outcome: 'published', configs: [persistent(NS.vcard4), persistent(NS.nick)] });
      const event = await notified;
      expect(event).toMatchObject({ origin: 'notification', refreshed: ['nickname'] });
      expect(event.nickname).toBeUndefined();
      expect(mergeProfileView(held, event).nickname).toBeUndefined();
      const fetched = await ask(romeo, 'contacts:fetchProfile', { jid: juliet.actor.jid });
      expect(fetched.nickname).toBeUndefined();
      expect(fetched.vcard?.nickname).toBeUndefined();
      expect(fetched.vcard?.fullName).toBe(JULIET.fullName);
      // Her own editor starts without one (ejabberd refuses the owner: the copy says the same).
      const own = await ask(juliet, 'profile:get', undefined);
      expect(own.nickname).toBeUndefined();
      expect(own.vcard?.nickname).toBeUndefined();
      // Nothing left to withdraw: the next publish without a nickname leaves the nickname node alone, as
      // her server says. ejabberd will not say (it refuses her her own roster-access items): not knowing
      // whether another app put one there, the app withdraws again.
      const again = await ask(juliet, 'profile:publish', { profile: withoutNickname, access: access() });
      const withdrawnAgain = server.kind === 'prosody' ? [] : [persistent(NS.nick)];
      expect(again).toMatchObject({ outcome: 'published', configs: [persistent(NS.vcard4), ...withdrawnAgain] });
    });

    it('a nickname another app of hers published, which this app never read, goes when she publishes without one', async () => {
      // Her other client (a second session of her account) publishes a nickname the XEP-0172 way: an item
      // without an id, so the server names it. Juliet's app never reads it: its copy says she has none.
      const otherApp = await secondResource(juliet.actor);
      try {
        await otherApp.session.client.iqCaller.set(xml('pubsub', { xmlns: NS.pubsub }, xml('publish', { node: NS.nick }, xml('item', {}, nickPayload('Julie')))), juliet.actor.jid);
      } finally {
        await otherApp.session.disconnect();
      }
      expect((await ask(romeo, 'contacts:fetchProfile', { jid: juliet.actor.jid })).nickname).toBe('Julie');
      const { nickname: _none, ...withoutNickname } = JULIET;
      const published = await ask(juliet, 'profile:publish', { profile: withoutNickname, access: access() });
      expect(published).toMatchObject({ outcome: 'published', configs: [persistent(NS.vcard4), persistent(NS.nick)] });
      // The read-back: her server gives no nickname to romeo, nor (where it answers the owner) to her.
      const fetched = await ask(romeo, 'contacts:fetchProfile', { jid: juliet.actor.jid });
      expect(fetched.nickname).toBeUndefined();
      expect(fetched.vcard?.fullName).toBe(JULIET.fullName);
      const own = await ask(juliet, 'profile:get', undefined);
      expect(own.nickname).toBeUndefined();
      if (server.kind === 'prosody') expect(own.sources.find((s) => s.node === NS.nick)?.status).toBe('ok');
    });
  });
}
