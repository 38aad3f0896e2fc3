/**
 * Backup and restore on real servers (issue 16, points 4 and 5): juliet keeps a backup on her account's
 * owner-only node (XEP-0223); a second app on a fresh data dir restores it with the address, the
 * password and the code, and the keys work there (they publish, they sign) with her trust in romeo's
 * key back. A wrong or mistyped code, and a backup changed on the node, change nothing; romeo, in her
 * roster, cannot read the node.
 */
import { randomBytes, sign, verify, X509Certificate } from 'node:crypto';
import { xml } from '@xmpp/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { BackupMade, ContactKeysView, KeyringApi } from '../../contract/index.js';
import { generateBackupCode } from '../../main/vault/backup-code.js';
import { BACKUP_NODE, BACKUP_NODE_MAX_ITEMS, backupItems } from '../../main/xmpp/backup-items.js';
import { fetchItems } from '../../main/xmpp/fetch-items.js';
import { publishPersistent } from '../../main/xmpp/persistent-node.js';
import { OwnKeysStore } from '../../main/vault/stores/own-keys-store.js';
import { APP_PASSPHRASE, type App, connect, type OpenCore, openCore, resultValue, startApp } from '../support/app.js';
import { befriend } from '../support/scenario.js';

for (const server of [inject('prosody'), inject('ejabberd')]) {
  describe(`backup and restore, on ${server.kind}`, () => {
    let juliet: App;
    let romeo: App;
    let made: BackupMade;
    let fingerprint: string;
    let romeoFingerprint: string;

    beforeAll(async () => {
      [juliet, romeo] = await Promise.all([startApp('juliet', 'capulet.lit', server), startApp('romeo', 'montague.lit', server)]);
      await befriend(juliet.actor, romeo.actor, ['Friends']);
      // Romeo's key, verified by juliet: a trust decision the backup must carry.
      romeoFingerprint = resultValue(await romeo.core.api.keys.generate({ bits: 2048, validityDays: 30 })).fingerprint;
      resultValue(await romeo.core.api.keys.publish({ fingerprint: romeoFingerprint, access: { model: 'presence' } }));
      resultValue(await juliet.core.api.contacts.fetchKeys({ jid: romeo.actor.jid }));
      resultValue(await juliet.core.api.contacts.verify({ jid: romeo.actor.jid, claim: romeoFingerprint }));
      fingerprint = resultValue(await juliet.core.api.keys.generate({ bits: 2048, validityDays: 30, label: 'Laptop' })).fingerprint;
      expect(resultValue(await juliet.core.api.backup.status()).notBackedUp).toEqual([fingerprint]);
      made = resultValue(await juliet.core.api.backup.create({ file: false, toAccount: true, passphrase: APP_PASSPHRASE }));
    }, 90_000);

    afterAll(async () => {
      await Promise.all([juliet, romeo].map((a) => a.stop()));
    });

    /** A second device of juliet's: a fresh data dir, signed in to her account. */
    async function newDevice(): Promise<OpenCore> {
      const device = await openCore();
      await connect(device.core, juliet.actor.params);
      return device;
    }

    it('the backup goes to the account and clears the reminder', async () => {
      expect(made).toMatchObject({ fingerprints: [fingerprint], contacts: 1, account: { node: BACKUP_NODE, parts: 1 } });
      expect(made.code).toMatch(/^([0-9A-Z]{4}-){6}[0-9A-Z]{4}$/);
      for (const group of made.code.split('-')) expect(made.page).toContain(`<span>${group}</span>`);
      expect(resultValue(await juliet.core.api.backup.status())).toMatchObject({ notBackedUp: [], backups: [{ where: 'account', how: 'made', fingerprints: [fingerprint] }] });
    });

    it('only juliet can read the backup node: romeo, in her roster, is refused', async () => {
      const seen = await fetchItems(romeo.core.session.iq, juliet.actor.jid, BACKUP_NODE);
      expect(seen.status, JSON.stringify(seen)).toBe('refused');
      const own = await fetchItems(juliet.core.session.iq, juliet.actor.jid, BACKUP_NODE);
      expect(own.status).toBe('ok');
    });

    it('a fresh data dir gets the keys back from the account: they publish and sign, and romeo’s key is verified again', async () => {
      const device = await newDevice();
      try {
        const restored = resultValue(await device.core.api.backup.restore({ from: { kind: 'account' }, code: made.code.toLowerCase().replaceAll('-', ' ') }));
        expect(restored).toMatchObject({ account: juliet.actor.jid, from: 'account', keys: [{ fingerprint, outcome: 'restored' }] });
        expect(restored.trust).toEqual([{ jid: romeo.actor.jid, fingerprint: romeoFingerprint, outcome: 'restored' }]);
        expect(resultValue(await device.core.api.keys.list()).map((k) => k.fingerprint)).toEqual([fingerprint]);
        expect(resultValue(await device.core.api.backup.status()).notBackedUp).toEqual([]);

        // It signs: the private key restored fits the certificate.
        const privateKey = new OwnKeysStore(device.core.vaults).privateKey(juliet.actor.jid, fingerprint);
        if (!privateKey) throw new Error('no private key restored');
        const record = device.core.vaults.vault.account(juliet.actor.jid)?.ownKeys[0];
        const certificate = new X509Certificate(Buffer.from(record?.certificate ?? '', 'base64'));
        const signature = sign('sha256', Buffer.from('hello'), privateKey);
        expect(verify('sha256', Buffer.from('hello'), certificate.publicKey, signature)).toBe(true);

        // It publishes, and romeo fetches it.
        expect(await device.core.api.keys.publish({ fingerprint, access: { model: 'presence' } })).toMatchObject({ ok: true, value: { outcome: 'published' } });
        const romeoSees = resultValue(await romeo.core.api.contacts.fetchKeys({ jid: juliet.actor.jid }));
        expect(romeoSees.keys.map((k) => k.fingerprint)).toContain(fingerprint);

        // Juliet's trust in romeo's key came back with the backup.
        const known: ContactKeysView = resultValue(await device.core.api.contacts.fetchKeys({ jid: romeo.actor.jid }));
        expect(known.keys.find((k) => k.fingerprint === romeoFingerprint)?.trust).toBe('verified');

        // Restoring again: everything is already here.
        const again = resultValue(await device.core.api.backup.restore({ from: { kind: 'account' }, code: made.code }));
        expect(again.keys).toEqual([{ fingerprint, outcome: 'same' }]);
      } finally {
        await device.stop();
      }
    }, 60_000);

    /**
     * The vault's state on `api`'s device that no refused restore may change. The roster's copy is left
     * out: it is the server's roster as last read, saved whenever a read lands (a contact's presence at
     * sign-in starts one), which no restore touches.
     */
    async function snapshot(device: OpenCore, api: KeyringApi) {
      const { roster: _roster, ...account } = device.core.vaults.vault.account(juliet.actor.jid) ?? {};
      return { keys: resultValue(await api.keys.list()), backups: resultValue(await api.backup.status()), account: JSON.stringify(account) };
    }

    it('a wrong code, a mistyped code and a backup changed on the node change nothing', async () => {
      const device = await newDevice();
      try {
        const before = await snapshot(device, device.core.api);
        const wrong = await device.core.api.backup.restore({ from: { kind: 'account' }, code: generateBackupCode() });
        expect(wrong).toMatchObject({ ok: false, error: { code: 'wrong-backup-code', field: 'code' } });
        // One character changed: the check characters catch it before any decryption.
        const typo = made.code.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
        expect(await device.core.api.backup.restore({ from: { kind: 'account' }, code: typo })).toMatchObject({ ok: false, error: { code: 'backup-code-mistyped' } });
        expect(await snapshot(device, device.core.api)).toEqual(before);

        // Someone with access to the server changes one item on the node (one base64 character).
        const items = await fetchItems(juliet.core.session.iq, juliet.actor.jid, BACKUP_NODE);
        if (items.status !== 'ok') throw new Error(`backup node: ${items.status}`);
        const item = items.items[0];
        if (!item?.payload) throw new Error('no backup item');
        const text = item.payload.text();
        const at = Math.floor(text.length / 2);
        const payload = xml('backup', { ...item.payload.attrs }, text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1));
        await publishPersistent(
          { iq: juliet.core.session.iq, owner: juliet.actor.jid },
          { node: BACKUP_NODE, access: { model: 'whitelist', allow: [] }, ownerOnly: true, maxItems: BACKUP_NODE_MAX_ITEMS },
          { id: item.id, payload },
        );
        const tampered = await device.core.api.backup.restore({ from: { kind: 'account' }, code: made.code });
        expect(tampered.ok).toBe(false);
        expect(['backup-incomplete', 'backup-damaged']).toContain(tampered.ok ? '' : tampered.error.code);
        expect(await snapshot(device, device.core.api)).toEqual(before);
      } finally {
        await device.stop();
      }
    }, 60_000);

    it('a backup left on the node with a date a year ahead (a clock that ran ahead) does not shadow the next one: it is retracted, the new one restores', async () => {
      const ctx = { iq: juliet.core.session.iq, owner: juliet.actor.jid };
      const stale = backupItems(randomBytes(3000), new Date(Date.now() + 365 * 86_400_000));
      for (const item of stale.items) {
        await publishPersistent(ctx, { node: BACKUP_NODE, access: { model: 'whitelist', allow: [] }, ownerOnly: true, maxItems: BACKUP_NODE_MAX_ITEMS }, item);
      }
      const next = await juliet.core.api.backup.create({ file: false, toAccount: true, passphrase: APP_PASSPHRASE });
      expect(next, JSON.stringify(next)).toMatchObject({ ok: true });
      const made2 = resultValue(next);
      const items = await fetchItems(juliet.core.session.iq, juliet.actor.jid, BACKUP_NODE);
      expect(items.status === 'ok' ? items.items.map((i) => i.id) : items.status).toEqual([`${made2.account?.backupId ?? ''}-1`]);
      const device = await newDevice();
      try {
        const restored = resultValue(await device.core.api.backup.restore({ from: { kind: 'account' }, code: made2.code }));
        expect(restored.createdAt).toBe(made2.createdAt);
      } finally {
        await device.stop();
      }
    }, 60_000);
  });
}
