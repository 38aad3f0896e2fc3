/**
 * A key revoked on another device of the account is not drift (docs/drift.md). The other device
 * publishes the key's signed revocation and withdraws the key's item from the key node; this device,
 * offline meanwhile, reads the revocation at its next sign-in and marks the key revoked. Its drift
 * watch, which expected that item, must then not report the removal as another client's doing: that
 * false alarm (the code before) taught people to ignore the real ones.
 *
 * The control: items removed with no revocation, or with one that does not verify (the other device
 * cannot sign for a key it does not hold), are still an alarm, and those keys are not revoked here.
 * And signed in while the other device revokes, this device hears of it from the key node's
 * notifications: that removal is not reported either.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { BackupMade, DriftReport } from '../../contract/index.js';
import { KEY_NODE_MAX_ITEMS } from '../../main/services/own-keys.js';
import { OwnKeysStore } from '../../main/vault/stores/own-keys-store.js';
import { revocationItemId, revocationPayload } from '../../main/xmpp/key-statements.js';
import { NS } from '../../main/xmpp/namespaces.js';
import { publishPersistent } from '../../main/xmpp/persistent-node.js';
import { APP_PASSPHRASE, type App, type OpenCore, resultValue } from '../support/app.js';
import { keyNodeOf, otherClient, publishedKeys, revokedHere, signInAndFirstCheck, startJuliet } from '../support/juliet-key-node.js';
import { until } from '../support/scenario.js';

for (const server of [inject('prosody'), inject('ejabberd')]) {
  describe(`a key revoked on another device of the account is not drift, on ${server.kind}`, () => {
    /** This device: it published the keys, and is offline while the other device acts. */
    let ours: App;
    /** Another device of the account, with the keys from a backup. */
    let other: OpenCore;
    let revokedKey: string;
    let withdrawnKey: string;
    let forgedKey: string;
    let liveKey: string;

    beforeAll(async () => {
      // The slow timer stays out of the way: what is checked comes from sign-in or notifications.
      ours = await startJuliet(server);
      const keys = await publishedKeys(ours, 4);
      [revokedKey, withdrawnKey, forgedKey, liveKey] = keys as [string, string, string, string];
      expect(keyNodeOf(resultValue(await ours.core.api.drift.check()))).toMatchObject({ findings: [], recorded: { items: 4 } });
      const made: BackupMade = resultValue(await ours.core.api.backup.create({ file: false, toAccount: true, passphrase: APP_PASSPHRASE }));
      resultValue(await ours.core.api.account.disconnect());

      other = await otherClient(ours);
      resultValue(await other.core.api.backup.restore({ from: { kind: 'account' }, code: made.code }));
      // A restored key carries no publication: published from there too (the same item, the same
      // audience), the other device knows the audience its revocation goes to.
      resultValue(await other.core.api.keys.publish({ fingerprint: revokedKey, access: { model: 'presence' } }));
    }, 120_000);

    afterAll(async () => {
      await Promise.all([ours, other].filter(Boolean).map((d) => d.stop()));
    });

    it('revoked there (its revocation published, its item withdrawn): revoked here after sign-in, and no drift at all', async () => {
      const revocation = resultValue(await other.core.api.keys.revoke({ fingerprint: revokedKey, reason: 'compromised' }));
      expect(revocation).toMatchObject({ published: true, withdrawn: true });
      expect(await revokedHere(ours, revokedKey)).toBeUndefined();

      const first = await signInAndFirstCheck(ours);
      // The first check waited for the revocation reading (the code before did not: the check could
      // end before the key was revoked here, so that is waited for, to show the alarm it still raised).
      await until(async () => (await revokedHere(ours, revokedKey)) !== undefined, 'the key is revoked here', 15_000);
      expect(await revokedHere(ours, revokedKey)).toMatchObject({ reason: 'compromised' });
      // The code before: items-removed, an alarm, for the revoked key's item.
      expect(first.severity).toBeUndefined();
      expect(keyNodeOf(first)).toMatchObject({ findings: [], recorded: { items: 3 } });
      expect(first.nodes.flatMap((n) => n.findings)).toEqual([]);
      // And so it stays when read again.
      expect(resultValue(await ours.core.api.drift.check()).severity).toBeUndefined();
    }, 60_000);

    it('items removed with no revocation, or with one that does not verify: still an alarm, and the keys are not revoked here', async () => {
      resultValue(await ours.core.api.account.disconnect());
      // Withdrawn elsewhere, with no revocation.
      resultValue(await other.core.api.keys.retract({ fingerprint: withdrawnKey }));
      // Withdrawn with a revocation that does not hold: a prepared one whose reason was changed after
      // it was signed.
      const prepared = new OwnKeysStore(other.core.vaults).find(ours.actor.jid, forgedKey)?.revocations?.find((r) => r.reason === 'retired');
      if (!prepared) throw new Error('no prepared revocation to tamper with');
      await publishPersistent(
        { iq: other.core.session.iq, owner: ours.actor.jid },
        { node: NS.pubkey, access: { model: 'presence' }, maxItems: KEY_NODE_MAX_ITEMS },
        { id: revocationItemId(forgedKey), payload: revocationPayload({ ...prepared, reason: 'compromised' }) },
      );
      resultValue(await other.core.api.keys.retract({ fingerprint: forgedKey }));

      const first = await signInAndFirstCheck(ours);
      expect(await revokedHere(ours, withdrawnKey)).toBeUndefined();
      expect(await revokedHere(ours, forgedKey)).toBeUndefined();
      expect(first.severity).toBe('alarm');
      expect(keyNodeOf(first)?.findings).toEqual([{ code: 'items-removed', severity: 'alarm', itemIds: [withdrawnKey, forgedKey] }]);
    }, 60_000);

    it('revoked there while this device is signed in: revoked here from the notification, and its removal is not reported', async () => {
      const removedReported: string[][] = [];
      const stop = ours.core.events.subscribe((name, payload) => {
        if (name !== 'drift:changed') return;
        for (const finding of keyNodeOf(payload as DriftReport)?.findings ?? []) if (finding.code === 'items-removed') removedReported.push(finding.itemIds);
      });
      try {
        // The other device's revocation goes to the audience of what it published.
        resultValue(await other.core.api.keys.publish({ fingerprint: liveKey, access: { model: 'presence' } }));
        expect(resultValue(await other.core.api.keys.revoke({ fingerprint: liveKey, reason: 'retired' }))).toMatchObject({ published: true, withdrawn: true });
        await until(async () => (await revokedHere(ours, liveKey)) !== undefined, 'the key is revoked here', 15_000);
        // Past the settle time: the checks the notifications caused have run.
        await new Promise((r) => setTimeout(r, 1_000));
        // The removals of the test before are still reported; the revoked key's never is.
        expect(keyNodeOf(resultValue(await ours.core.api.drift.check()))?.findings).toEqual([{ code: 'items-removed', severity: 'alarm', itemIds: [withdrawnKey, forgedKey] }]);
        expect(removedReported.flat()).not.toContain(liveKey);
      } finally {
        stop();
      }
    }, 60_000);
  });
}
