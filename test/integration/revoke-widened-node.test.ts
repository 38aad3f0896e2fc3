/**
 * A key is revoked as compromised just when someone else may hold the account's password: another
 * client has opened the key node to everyone. The revoke is not held back by that change of audience
 * (the code before refused it, "must be confirmed", and the revocation never went out): the statement
 * goes to the node as it is, the node is not reconfigured, and drift watch still reports the widening,
 * on each real server.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type App, type OpenCore, resultValue } from '../support/app.js';
import { keyNodeOf, openKeyNodeToEveryone, otherClient, publishedKeys, revokedHere, startJuliet } from '../support/juliet-key-node.js';

for (const server of [inject('prosody'), inject('ejabberd')]) {
  describe(`a revoke on a key node another client opened to everyone, on ${server.kind}`, () => {
    let ours: App;
    let other: OpenCore;
    let revoked: string;

    beforeAll(async () => {
      ours = await startJuliet(server);
      [revoked] = (await publishedKeys(ours, 1)) as [string];
      // Another client signed in with the password: it opens the node to everyone, with a key of its own.
      other = await otherClient(ours);
      await openKeyNodeToEveryone(other);
    }, 120_000);

    afterAll(async () => {
      await Promise.all([ours, other].filter(Boolean).map((device) => device.stop()));
    });

    it('the revocation goes out to the node as it is, and drift still reports the widened access', async () => {
      const answer = resultValue(await ours.core.api.keys.revoke({ fingerprint: revoked, reason: 'compromised' }));
      expect(answer).toMatchObject({ published: true, withdrawn: true });
      expect(await revokedHere(ours, revoked)).toMatchObject({ reason: 'compromised' });
      expect(keyNodeOf(resultValue(await ours.core.api.drift.check()))?.findings.map((f) => f.code)).toContain('access-widened');
    });
  });
}
