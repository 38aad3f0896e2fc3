/**
 * XEP-0222's scenario across servers, as it happens in real life: juliet and the nurse on capulet.lit,
 * romeo and benvolio on montague.lit, two real servers federating over TLS with certificates checked
 * against the test CA (test/support/federation.ts). Everything romeo and benvolio do reaches juliet's PEP
 * service over server-to-server links: the subscriptions, romeo's caps (+notify, asked back across the
 * link), the notifications, fetches and refusals. Each app is the whole core, as the desktop runs it.
 *
 * What the servers do here is what the README's federation row reports; a server that changes its
 * behaviour makes this suite fail rather than the README go stale.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchItems } from '../../main/xmpp/fetch-items.js';
import { NS } from '../../main/xmpp/namespaces.js';
import type { AccessRequest, ContactKeysView, ContactProfileView, Profile } from '../../contract/index.js';
import { ask, nextAppEvent, startApp, type App } from '../support/app.js';
import { CAPULET, MONTAGUE, startFederation, type Federation } from '../support/federation.js';
import { announceInterest, befriend, collect, connectActor, until, type Actor } from '../support/scenario.js';
import { readBackDeviations } from '../support/read-back.js';

const VERONA = 'verona.lit';
const JULIET: Profile = { fullName: 'Juliet Capulet', nickname: 'Jules', emails: ['juliet@capulet.lit'], phones: [], urls: [] };
/** Long enough for a notification that is coming to cross both servers on a busy machine. */
const LIVE_MS = 10_000;
/** How long we listen for a notification that must not come. */
const QUIET_MS = 1500;

for (const capuletKind of ['prosody', 'ejabberd'] as const) {
  describe(`federation: juliet on ${capuletKind} (capulet.lit), romeo and benvolio on prosody (montague.lit)`, () => {
    let federation: Federation;
    let juliet: App;
    let romeo: App;
    let nurse: App;
    let benvolio: App;
    let mercutio: Actor | undefined;
    const apps: App[] = [];

    beforeAll(async () => {
      // ejabberd's own certificate check on incoming links is proven here with an impostor; Prosody's,
      // both ways, in federation-faults.test.ts.
      federation = await startFederation({ capulet: capuletKind, ...(capuletKind === 'ejabberd' ? { impostor: VERONA } : {}) });
      [juliet, nurse, romeo, benvolio] = await Promise.all([
        startApp('juliet', CAPULET, federation.capulet.info),
        startApp('nurse', CAPULET, federation.capulet.info),
        startApp('romeo', MONTAGUE, federation.montague.info),
        startApp('benvolio', MONTAGUE, federation.montague.info),
      ]);
      apps.push(juliet, nurse, romeo, benvolio);
      if (federation.impostor) mercutio = await connectActor('mercutio', VERONA, federation.impostor.info);
      await befriend(juliet.actor, romeo.actor, ['Friends']);
      await befriend(juliet.actor, nurse.actor, ['Servants']);
      await announceInterest(nurse.actor);
      await announceInterest(romeo.actor, CAPULET);
    }, 90_000);

    afterAll(async () => {
      await Promise.all(apps.map((a) => a.stop()));
      await mercutio?.session.disconnect();
      await federation?.stop();
    });

    // XEP-0222's roster group where the server has roster access (ejabberd); a whitelist naming romeo
    // where it does not (Prosody 0.12 refuses `roster`). Either way only romeo may read.
    const friendsOnly = (): AccessRequest =>
      capuletKind === 'ejabberd' ? { model: 'roster', groups: ['Friends'] } : { model: 'whitelist', allow: [romeo.actor.jid] };
    const refusal = capuletKind === 'ejabberd' ? /^not-authorized \+ not-in-roster-group/ : /^forbidden/;

    const keysSeenBy = (app: App) =>
      collect((l: (v: ContactKeysView) => void) =>
        app.core.events.subscribe((event, payload) => {
          if (event === 'contacts:keys' && (payload as ContactKeysView).jid === juliet.actor.jid) l(payload as ContactKeysView);
        }),
      );
    const keyArrives = (app: App, fingerprint: string, timeoutMs = LIVE_MS) =>
      nextAppEvent(
        app,
        'contacts:keys',
        (v) => v.jid === juliet.actor.jid && v.fetch === 'notified' && v.keys.some((k) => k.fingerprint === fingerprint),
        `${app.actor.jid} notified of juliet’s key`,
        timeoutMs,
      );
    const generate = async () => (await ask(juliet, 'keys:generate', { bits: 2048 })).fingerprint;
    const fetchKeys = (app: App) => ask(app, 'contacts:fetchKeys', { jid: juliet.actor.jid });

    it(`keys for Friends only (${capuletKind === 'ejabberd' ? 'roster group' : 'whitelist'}): romeo on montague.lit is notified over s2s and fetches a valid key; benvolio and the nurse are refused and hear nothing`, async () => {
      const fingerprint = await generate();
      const heard = [nurse, benvolio].map(keysSeenBy);
      const live = keyArrives(romeo, fingerprint);

      const published = await juliet.core.dispatch('keys:publish', { fingerprint, access: friendsOnly() });
      expect(published).toMatchObject({
        ok: true,
        value: { outcome: 'published', config: { accessModel: friendsOnly().model, persistItems: true, sendLastPublishedItem: 'never', deviations: readBackDeviations('ejabberd', friendsOnly().model) } },
      });
      await live;

      expect(await fetchKeys(romeo)).toMatchObject({ fetch: 'ok', keys: [{ fingerprint, status: 'valid', trust: 'unverified' }] });
      for (const outsider of [benvolio, nurse]) {
        const view = await fetchKeys(outsider);
        expect(view).toMatchObject({ fetch: 'refused', keys: [] });
        expect(view.detail).toMatch(refusal);
      }
      await new Promise((r) => setTimeout(r, QUIET_MS));
      // They heard nothing: no notification, and their own refused fetch was an answer, not an event.
      for (const h of heard) {
        h.stop();
        expect(h.values).toEqual([]);
      }
    });

    it('keys for presence: romeo (over s2s) and the nurse (at home) are both notified; benvolio, without a subscription, is refused', async () => {
      const fingerprint = await generate();
      const heard = keysSeenBy(benvolio);
      const live = [romeo, nurse].map((a) => keyArrives(a, fingerprint));

      const published = await juliet.core.dispatch('keys:publish', { fingerprint, access: { model: 'presence' }, reconfigure: true });
      expect(published).toMatchObject({ ok: true, value: { outcome: 'published', config: { accessModel: 'presence' } } });
      await Promise.all(live);

      expect(await fetchKeys(romeo)).toMatchObject({ fetch: 'ok' });
      expect(await fetchKeys(nurse)).toMatchObject({ fetch: 'ok' });
      const refused = await fetchKeys(benvolio);
      expect(refused).toMatchObject({ fetch: 'refused', keys: [] });
      // ejabberd names the reason; Prosody says forbidden.
      expect(refused.detail).toMatch(capuletKind === 'ejabberd' ? /^not-authorized \+ presence-subscription-required/ : /^forbidden/);
      await new Promise((r) => setTimeout(r, QUIET_MS));
      heard.stop();
      expect(heard.values).toEqual([]);
    });

    it('profile (vCard4 and nickname) for Friends only: romeo is notified over s2s and reads it; the nurse and benvolio are refused', async () => {
      const live = nextAppEvent(
        romeo,
        'contacts:profile',
        (v) => v.jid === juliet.actor.jid && v.origin === 'notification' && v.vcard?.fullName === JULIET.fullName,
        'romeo notified of juliet’s vCard',
        LIVE_MS,
      );
      const published = await juliet.core.dispatch('profile:publish', { profile: JULIET, access: friendsOnly(), reconfigure: true });
      expect(published).toMatchObject({
        ok: true,
        value: {
          outcome: 'published',
          configs: [
            { node: NS.vcard4, accessModel: friendsOnly().model, persistItems: true, sendLastPublishedItem: 'never', deviations: readBackDeviations('ejabberd', friendsOnly().model) },
            { node: NS.nick, accessModel: friendsOnly().model, persistItems: true, sendLastPublishedItem: 'never', deviations: readBackDeviations('ejabberd', friendsOnly().model) },
          ],
        },
      });
      await live;

      const read = (app: App) => ask(app, 'contacts:fetchProfile', { jid: juliet.actor.jid });
      const romeoView = await read(romeo);
      expect(romeoView).toMatchObject({ vcard: { fullName: JULIET.fullName, emails: JULIET.emails }, nickname: 'Jules' });
      expect(sourceOf(romeoView, NS.vcard4)).toBe('ok');
      for (const outsider of [nurse, benvolio]) {
        const view = await read(outsider);
        expect(view.vcard).toBeUndefined();
        expect(view.nickname).toBeUndefined();
        expect([sourceOf(view, NS.vcard4), sourceOf(view, NS.nick)]).toEqual(['refused', 'refused']);
      }
    });

    if (capuletKind === 'ejabberd') {
      it('whitelist naming romeo on ejabberd: he can fetch over s2s but is not notified (as on one server)', async () => {
        const fingerprint = await generate();
        const pushed = keysSeenBy(romeo);
        const published = await juliet.core.dispatch('keys:publish', {
          fingerprint,
          access: { model: 'whitelist', allow: [romeo.actor.jid] },
          reconfigure: true,
        });
        expect(published).toMatchObject({ ok: true, value: { outcome: 'published', config: { accessModel: 'whitelist', whitelist: [romeo.actor.jid] } } });
        await new Promise((r) => setTimeout(r, QUIET_MS));
        pushed.stop();
        expect(pushed.values).toEqual([]);
        expect(await fetchKeys(romeo)).toMatchObject({ fetch: 'ok' });
        expect((await fetchKeys(romeo)).keys.map((k) => k.fingerprint)).toContain(fingerprint);
      });

      it('an impostor server for verona.lit, whose certificate the test CA never signed, cannot reach juliet', async () => {
        const asked = await fetchItems((mercutio as Actor).session.client.iqCaller, juliet.actor.jid, NS.pubkey, 10_000);
        // The impostor offered SASL EXTERNAL (XEP-0178) with its certificate; ejabberd could not verify it
        // against ca_file and has no dialback to fall back on.
        expect(asked).toMatchObject({ status: 'unreachable' });
        expect((asked as { detail: string }).detail).toMatch(/Could not authenticate to remote server/);
        // ejabberd writes its log a moment later than it answers.
        const refusedForTheCertificate = /Failed inbound s2s EXTERNAL authentication verona\.lit -> capulet\.lit .*unable to verify the first certificate/;
        const log = join(federation.capulet.dir, 'logs', 'ejabberd.log');
        await until(async () => refusedForTheCertificate.test(await readFile(log, 'utf8')), 'ejabberd logs why it refused verona.lit');
      });
    }

    it('juliet signing in after romeo: his presence comes back over s2s (RFC 6121 §4.3 probe), and her next key reaches him', async () => {
      expect(await juliet.core.dispatch('account:disconnect', undefined)).toMatchObject({ ok: true });
      const romeoSeen = nextAppEvent(juliet, 'roster:presence', (p) => p.jid === romeo.actor.jid && p.online, 'juliet sees romeo online', LIVE_MS);
      expect(await juliet.core.dispatch('account:connect', juliet.actor.params)).toMatchObject({ ok: true });
      await romeoSeen;
      const fingerprint = await generate();
      const live = keyArrives(romeo, fingerprint);
      const published = await juliet.core.dispatch('keys:publish', { fingerprint, access: { model: 'presence' }, reconfigure: true });
      expect(published).toMatchObject({ ok: true });
      await live;
    });
  });
}

function sourceOf(view: ContactProfileView, node: string): string | undefined {
  return view.sources.find((s) => s.node === node)?.status;
}
