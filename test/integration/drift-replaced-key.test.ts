/**
 * A key replaced under its own name, on both real servers: juliet publishes a key with the app; slixmpp,
 * signed in as juliet on another resource, publishes another certificate under the same item id
 * (XEP-0060 §7.1.2 replaces the item). The ids are those the app recorded, so a comparison by id saw
 * nothing while romeo got the other certificate. Drift watch reads the key node's items whole and
 * compares the certificate each carries with the fingerprint recorded (docs/drift.md): an alarm, in
 * words; Restore publishes the app's certificate again and romeo reads it.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DriftFinding, DriftReport } from '../../contract/index.js';
import { describeDriftFinding } from '../../contract/format.js';
import { heldCertificate } from '../../main/drift/held-certificate.js';
import { fetchItems } from '../../main/xmpp/fetch-items.js';
import { NS } from '../../main/xmpp/namespaces.js';
import { pubkeyPayload } from '../../main/xmpp/pubkey-items.js';
import { nextAppEvent, startApp, type App } from '../support/app.js';
import { driverSteps, type DriverAccount } from '../support/interop/python-driver.js';
import { befriend, connectActor, type Actor } from '../support/scenario.js';
import { must } from '../support/must.js';

const NODE = NS.pubkey;

for (const server of [inject('prosody'), inject('ejabberd')]) {
  describe(`on ${server.kind}: another client republishes the app's key item with another certificate`, () => {
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
    const keyNode = (report: DriftReport) => report.nodes.find((n) => n.node === NODE);
    /** Which certificate romeo gets under the item `id`. */
    const romeoReads = async (id: string) => {
      const outcome = await fetchItems(romeo.session.client.iqCaller, juliet.actor.jid, NODE);
      return outcome.status === 'ok' ? heldCertificate(outcome.items.find((i) => i.id === id)?.payload) : outcome.status;
    };

    it('drift reports the key no longer held (alarm), noticed live; Restore puts the app’s certificate back', async () => {
      const published = must(await api().keys.generate({ bits: 2048 }));
      must(await api().keys.publish({ fingerprint: published.fingerprint, access: { model: 'presence' }, reconfigure: true }));
      expect(keyNode(must(await api().drift.check()))).toMatchObject({ findings: [], recorded: { items: 1 } });
      expect(await romeoReads(published.fingerprint)).toBe(published.fingerprint);

      // Another key of the account, never published: its certificate goes out under the first one's name.
      const other = must(await api().keys.generate({ bits: 2048 }));
      const der = must(await api().keys.exportCertificate({ fingerprint: other.fingerprint, format: 'der' }));
      if (der.derBase64 === undefined) throw new Error('no DER');
      const noticed = nextAppEvent(juliet, 'drift:changed', (r) => r.severity === 'alarm', 'the drift alarm', 20_000);
      await driverSteps('slixmpp', otherClient, [
        { op: 'publish-item', node: NODE, itemId: published.fingerprint, payload: pubkeyPayload(Buffer.from(der.derBase64, 'base64')).toString() },
      ]);
      expect(await romeoReads(published.fingerprint)).toBe(other.fingerprint);

      // Both servers announce the publish to the account's +notify resources: the app reads again.
      const finding: DriftFinding = { code: 'items-replaced', severity: 'alarm', items: [{ itemId: published.fingerprint, expected: published.fingerprint, found: other.fingerprint }] };
      expect(keyNode(await noticed)?.findings).toEqual([finding]);
      const report = must(await api().drift.check());
      expect(keyNode(report)).toMatchObject({ severity: 'alarm', findings: [finding] });
      expect(describeDriftFinding('keys', finding)).toMatch(/^The key published under its fingerprint was replaced by another app: it no longer holds your key [0-9a-f ]+, but another key, [0-9a-f ]+\.$/);

      const repaired = must(await api().drift.restore({ node: NODE }));
      expect(repaired.repaired).toEqual([expect.objectContaining({ node: NODE, kind: 'keys', republished: [published.fingerprint], withoutPayload: [] })]);
      expect(keyNode(repaired.report)).toMatchObject({ findings: [] });
      expect(await romeoReads(published.fingerprint)).toBe(published.fingerprint);
    }, 90_000);
  });
}
