/**
 * Drift watch end to end, on both real servers, through the app's own core (its dispatcher, vault and
 * session): juliet publishes her keys with the app; slixmpp, signed in as juliet on another resource,
 * changes the key node behind the app's back. The app notices by itself (live where the server
 * announces the change, else at the next sign-in), reports the alarm as drift:changed, and Restore
 * (drift:restore) brings back the recorded audience and items: benvolio, outside the audience, is
 * refused again while romeo, inside it, still reads.
 *
 * What is announced (docs/drift.md): an access change on a presence node reaches the app live on
 * ejabberd (its subscription, notify_config on) and not at all on Prosody 0.12, so there the app finds
 * it when it signs in again. A republish with max_items 1 announces the new item on both.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DriftReport } from '../../contract/index.js';
import { KEY_NODE_MAX_ITEMS } from '../../main/services/own-keys.js';
import { fetchItems } from '../../main/xmpp/fetch-items.js';
import { NS } from '../../main/xmpp/namespaces.js';
import { pubkeyPayload } from '../../main/xmpp/pubkey-items.js';
import { connect, nextAppEvent, startApp, type App } from '../support/app.js';
import { driverSteps, type DriverAccount } from '../support/interop/python-driver.js';
import { befriend, connectActor, type Actor } from '../support/scenario.js';
import { must } from '../support/must.js';

const NODE = NS.pubkey;

for (const server of [inject('prosody'), inject('ejabberd')]) {
  const ejabberd = server.kind === 'ejabberd';

  describe(`drift watch on ${server.kind}: another client changes the key node; the app says so and Restore puts it back`, () => {
    let juliet: App;
    let romeo: Actor;
    let benvolio: Actor;
    let otherClient: DriverAccount;

    beforeAll(async () => {
      // The slow timer stays out of the way: what is noticed here comes from notifications or sign-in.
      [juliet, romeo, benvolio] = await Promise.all([
        startApp('juliet', 'capulet.lit', server, { driftWatch: { intervalMs: 3_600_000, settleMs: 150 } }),
        connectActor('romeo', 'montague.lit', server),
        // No presence subscription with juliet: outside a presence audience.
        connectActor('benvolio', 'montague.lit', server),
      ]);
      await befriend(juliet.actor, romeo, ['Friends']);
      otherClient = { jid: juliet.actor.jid, password: juliet.actor.params.password, server };
    }, 60_000);

    afterAll(async () => {
      await Promise.all([juliet?.stop(), romeo?.session.disconnect(), benvolio?.session.disconnect()]);
    });

    const api = () => juliet.core.api;
    const fetchAs = async (reader: Actor) => {
      const outcome = await fetchItems(reader.session.client.iqCaller, juliet.actor.jid, NODE);
      return outcome.status === 'ok' ? outcome.items.map((i) => i.id).sort() : 'refused';
    };
    const alarmed = (report: DriftReport) => report.severity === 'alarm';
    const keyNode = (report: DriftReport) => report.nodes.find((n) => n.node === NODE);

    /** A fresh key published from the app with presence access; its fingerprint. */
    async function publishKey(): Promise<string> {
      const key = must(await api().keys.generate({ bits: 2048 }));
      const answer = must(await api().keys.publish({ fingerprint: key.fingerprint, access: { model: 'presence' }, reconfigure: true }));
      expect(answer.outcome).toBe('published');
      return key.fingerprint;
    }

    /** Restore through the app, then check who reads. */
    async function restoreAndCheck(expectedIds: string[]): Promise<void> {
      const answer = must(await api().drift.restore({}));
      expect(answer.report.severity).toBeUndefined();
      expect(keyNode(answer.report)).toMatchObject({ findings: [], current: { access: { model: 'presence' } } });
      expect(await fetchAs(benvolio)).toBe('refused');
      expect(await fetchAs(romeo)).toEqual(expectedIds);
      // Nothing left to report, now or to the screens.
      expect(must(await api().drift.status()).severity).toBeUndefined();
    }

    it(`presence → open by the other client: the app ${ejabberd ? 'notices live' : 'notices at the next sign-in'} (alarm: access widened), Restore shuts benvolio out again`, async () => {
      const fingerprint = await publishKey();
      expect(keyNode(must(await api().drift.check()))).toMatchObject({ findings: [], recorded: { access: { model: 'presence' }, items: 1 } });
      expect(await fetchAs(benvolio)).toBe('refused');

      const noticed = nextAppEvent(juliet, 'drift:changed', alarmed, 'the drift alarm', 20_000);
      await driverSteps('slixmpp', otherClient, [{ op: 'configure', node: NODE, fields: { 'pubsub#access_model': 'open' } }]);
      expect(await fetchAs(benvolio)).toEqual([fingerprint]);
      if (!ejabberd) {
        // Prosody 0.12 announces no configuration change: the app reads everything when it signs in.
        must(await api().account.disconnect());
        // Offline, nothing can be read: a clear refusal, and the last report is still there to show.
        expect(await api().drift.check()).toMatchObject({ ok: false, error: { code: 'not-connected', message: expect.stringMatching(/^Sign in first/) as string } });
        expect(keyNode(must(await api().drift.status()))).toMatchObject({ findings: [] });
        await connect(juliet.core, juliet.actor.params);
      }
      const report = await noticed;
      expect(keyNode(report)).toMatchObject({
        kind: 'keys',
        severity: 'alarm',
        acceptable: true,
        current: { access: { model: 'open' } },
        findings: [{ code: 'access-widened', severity: 'alarm', recorded: { model: 'presence' }, current: { model: 'open' } }],
      });

      await restoreAndCheck([fingerprint]);
      // The next change is noticed too (the subscription survives a restore on ejabberd).
      await api().keys.retract({ fingerprint });
    }, 90_000);

    it('republished by the other client with max_items 1, wiping the app’s keys: noticed live (alarm: keys removed), Restore republishes them', async () => {
      const first = await publishKey();
      const second = await publishKey();
      expect(keyNode(must(await api().drift.check()))).toMatchObject({ findings: [], recorded: { items: 2 } });

      const noticed = nextAppEvent(juliet, 'drift:changed', alarmed, 'the drift alarm', 20_000);
      const theirs = randomBytes(32).toString('hex');
      await driverSteps('slixmpp', otherClient, [{ op: 'republish-wipe', node: NODE, itemId: theirs, payload: pubkeyPayload(randomBytes(64)).toString() }]);
      expect(await fetchAs(romeo)).toEqual([theirs]);

      const report = await noticed;
      expect(keyNode(report)?.findings).toEqual([
        { code: 'items-removed', severity: 'alarm', itemIds: [first, second] },
        { code: 'persistence-changed', severity: 'notice', changes: [{ setting: 'max_items', expected: KEY_NODE_MAX_ITEMS, current: '1' }] },
      ]);

      const repaired = must(await api().drift.restore({ node: NODE }));
      expect(repaired.repaired).toEqual([expect.objectContaining({ node: NODE, kind: 'keys', republished: [first, second], withoutPayload: [] })]);
      await restoreAndCheck([first, second, theirs].sort());
    }, 90_000);

    // Prosody announces no configuration change at all: there, only the timer finds one while signed in.
    if (!ejabberd) it('a change no server announces (Prosody: any configuration change) is found by the slow timer, without signing in again', async () => {
      const watcher = await startApp('juliet', 'capulet.lit', server, { driftWatch: { intervalMs: 1_000, settleMs: 150 } });
      try {
        const key = must(await watcher.core.api.keys.generate({ bits: 2048 }));
        must(await watcher.core.api.keys.publish({ fingerprint: key.fingerprint, access: { model: 'presence' } }));
        const noticed = nextAppEvent(watcher, 'drift:changed', alarmed, 'the drift alarm from the timer', 20_000);
        await driverSteps('slixmpp', { jid: watcher.actor.jid, password: watcher.actor.params.password, server }, [
          { op: 'configure', node: NODE, fields: { 'pubsub#access_model': 'open' } },
        ]);
        expect(keyNode(await noticed)?.findings).toMatchObject([{ code: 'access-widened', current: { model: 'open' } }]);
        expect(watcher.core.session.state.status).toBe('online');
      } finally {
        await watcher.stop();
      }
    }, 60_000);

    it('the app’s own change of audience is never reported as another app’s, whatever the server announces meanwhile', async () => {
      const fingerprint = await publishKey();
      must(await api().drift.check());
      const reports: DriftReport[] = [];
      const stop = juliet.core.events.subscribe((name, payload) => name === 'drift:changed' && reports.push(payload as DriftReport));
      try {
        for (const model of ['open', 'presence', 'open', 'presence'] as const) {
          must(await api().keys.publish({ fingerprint, access: { model }, reconfigure: true }));
        }
        // Past the settle time: any check the notifications caused has run.
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        expect(must(await api().drift.check()).severity).toBeUndefined();
      } finally {
        stop();
      }
      expect(reports.filter((r) => r.severity !== undefined)).toEqual([]);
    }, 60_000);

    it('Accept records the widened access as intended: no drift reported after, and the key list shows the new audience', async () => {
      const fingerprint = await publishKey();
      await driverSteps('slixmpp', otherClient, [{ op: 'configure', node: NODE, fields: { 'pubsub#access_model': 'open' } }]);
      expect(keyNode(must(await api().drift.check()))?.severity).toBe('alarm');

      const after = must(await api().drift.accept({ node: NODE }));
      expect(keyNode(after)).toMatchObject({ findings: [], recorded: { access: { model: 'open' } } });
      const keys = must(await api().keys.list());
      expect(keys.find((k) => k.fingerprint === fingerprint)?.publications).toEqual([expect.objectContaining({ node: NODE, accessModel: 'open' })]);
      // Accepting changed nothing on the server.
      expect(await fetchAs(benvolio)).toContain(fingerprint);
    }, 60_000);
  });
}
