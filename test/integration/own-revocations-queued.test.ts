/**
 * Writes asked for on this device while another device of the account revoked the same keys. This
 * device, offline meanwhile, queued a publish of one key and a revocation of another; the other device
 * revoked both. At sign-in this device reads the revocations from the key node (own-revocations.ts),
 * verifies them and marks both keys revoked here, the path a revocation made here takes; then the
 * queued writes run against that:
 * - the queued publish is refused in plain words, and the revoked key is NOT published again (the code
 *   before ran the queue beside the reading, so the publish went out before the key was known revoked);
 * - the queued revocation is done: the key is revoked, by the other device's statement, which stays on
 *   the node (the code before ended it as a failure, "This key was revoked").
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { BackupMade, EventPayloads } from '../../contract/index.js';
import { fetchItems } from '../../main/xmpp/fetch-items.js';
import { readRevocationItem, revocationItemId } from '../../main/xmpp/key-statements.js';
import { NS } from '../../main/xmpp/namespaces.js';
import { APP_PASSPHRASE, type App, connect, type OpenCore, resultValue } from '../support/app.js';
import { otherClient, publishedKeys, revokedHere, startJuliet } from '../support/juliet-key-node.js';
import { until } from '../support/scenario.js';

for (const server of [inject('prosody'), inject('ejabberd')]) {
  describe(`writes queued here for keys another device revoked meanwhile, on ${server.kind}`, () => {
    let ours: App;
    let other: OpenCore;
    let toPublish: string;
    let toRevoke: string;
    const ran: EventPayloads['queue:ran'][] = [];

    const onNode = async () => {
      const read = await fetchItems(other.core.session.iq, ours.actor.jid, NS.pubkey);
      if (read.status !== 'ok') throw new Error(`the key node could not be read: ${read.status}`);
      return read.items;
    };

    beforeAll(async () => {
      ours = await startJuliet(server);
      const keys = await publishedKeys(ours, 2);
      [toPublish, toRevoke] = keys as [string, string];
      const made: BackupMade = resultValue(await ours.core.api.backup.create({ file: false, toAccount: true, passphrase: APP_PASSPHRASE }));
      resultValue(await ours.core.api.account.disconnect());

      // Offline here: both writes wait for the connection.
      expect(resultValue(await ours.core.api.keys.publish({ fingerprint: toPublish, access: { model: 'presence' } }))).toMatchObject({ outcome: 'queued' });
      expect(resultValue(await ours.core.api.keys.revoke({ fingerprint: toRevoke, reason: 'retired' }))).toMatchObject({ outcome: 'queued' });

      // The other device, with the keys from the backup, revokes both.
      other = await otherClient(ours);
      resultValue(await other.core.api.backup.restore({ from: { kind: 'account' }, code: made.code }));
      for (const fingerprint of keys) {
        resultValue(await other.core.api.keys.publish({ fingerprint, access: { model: 'presence' } }));
        expect(resultValue(await other.core.api.keys.revoke({ fingerprint, reason: 'compromised' }))).toMatchObject({ published: true, withdrawn: true });
      }

      ours.core.events.subscribe((name, payload) => name === 'queue:ran' && ran.push(payload as EventPayloads['queue:ran']));
      await connect(ours.core, ours.actor.params);
      await until(() => ran.length === 2, 'both queued writes ran', 15_000);
    }, 120_000);

    afterAll(async () => {
      await Promise.all([ours, other].filter(Boolean).map((d) => d.stop()));
    });

    it('both keys are revoked here, from the other device’s verified revocations', async () => {
      expect(await revokedHere(ours, toPublish)).toMatchObject({ reason: 'compromised' });
      expect(await revokedHere(ours, toRevoke)).toMatchObject({ reason: 'compromised' });
    });

    it('the queued publish is refused in plain words, and the revoked key is not on the node again', async () => {
      const publish = ran.find((r) => r.action.kind === 'publish');
      expect(publish).toMatchObject({ ok: false, error: { message: 'This key was revoked: it is never published again.' } });
      const ids = (await onNode()).map((i) => i.id);
      expect(ids).not.toContain(toPublish);
      expect(ids).toContain(revocationItemId(toPublish));
    });

    it('the queued revocation is done: the other device’s statement stays on the node', async () => {
      expect(ran.find((r) => r.action.kind === 'revoke')).toEqual(expect.objectContaining({ ok: true }));
      const item = (await onNode()).find((i) => i.id === revocationItemId(toRevoke));
      if (!item) throw new Error('no revocation on the node');
      const read = readRevocationItem(item);
      expect(read.kind === 'revocation' ? read.statement.reason : read.kind).toBe('compromised');
      expect((await onNode()).map((i) => i.id)).not.toContain(toRevoke);
    });
  });
}
