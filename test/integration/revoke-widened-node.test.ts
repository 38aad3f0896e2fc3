/**
 * A key is revoked as compromised just when someone else may hold the account's password: another
 * client has opened the key node to everyone. The revoke is not held back by that change of audience
 * (the code before refused it, "must be confirmed", and the revocation never went out): the statement
 * goes to the node as it is, the node is not reconfigured, and drift watch still reports the widening,
 * on each real server.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { NS } from '../../main/xmpp/namespaces.js';
import { type App, connect, type OpenCore, openCore, resultValue, startApp } from '../support/app.js';

for (const server of [inject('prosody'), inject('ejabberd')]) {
  describe(`a revoke on a key node another client opened to everyone, on ${server.kind}`, () => {
    let ours: App;
    let other: OpenCore;
    let revoked: string;

    beforeAll(async () => {
      ours = await startApp('juliet', 'capulet.lit', server, { driftWatch: { intervalMs: 3_600_000, settleMs: 150 } });
      revoked = resultValue(await ours.core.api.keys.generate({ bits: 2048, validityDays: 30 })).fingerprint;
      resultValue(await ours.core.api.keys.publish({ fingerprint: revoked, access: { model: 'presence' } }));
      // Another client signed in with the password: it opens the node to everyone, with a key of its own.
      other = await openCore();
      await connect(other.core, ours.actor.params);
      const othersKey = resultValue(await other.core.api.keys.generate({ bits: 2048, validityDays: 30 })).fingerprint;
      resultValue(await other.core.api.keys.publish({ fingerprint: othersKey, access: { model: 'open' }, reconfigure: true }));
    }, 120_000);

    afterAll(async () => {
      await Promise.all([ours, other].filter(Boolean).map((device) => device.stop()));
    });

    it('the revocation goes out to the node as it is, and drift still reports the widened access', async () => {
      const answer = resultValue(await ours.core.api.keys.revoke({ fingerprint: revoked, reason: 'compromised' }));
      expect(answer).toMatchObject({ published: true, withdrawn: true });
      const listed = resultValue(await ours.core.api.keys.list()).find((k) => k.fingerprint === revoked);
      expect(listed?.revoked).toMatchObject({ reason: 'compromised' });
      const node = resultValue(await ours.core.api.drift.check()).nodes.find((n) => n.node === NS.pubkey);
      expect(node?.findings.map((f) => f.code)).toContain('access-widened');
    });
  });
}
