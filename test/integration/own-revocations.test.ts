/**
 * A key revoked on one device of the account is revoked on the others (docs/key-lifecycle.md): the
 * statement stays on the account's key node, and every device of the account must honour it, or it
 * would show the key as usable and could publish it again. Proven on real servers with three devices
 * of juliet's account: the laptop that revokes, a phone signed in at the time (the own node's
 * notification), a tablet offline at the time (read at its next sign-in), and a new device restored from
 * a backup made before the revocation (read after the restore, and told to My keys as the others are).
 * Fails on the code before, where only the device that revoked knew.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { BackupMade, OtherDeviceKeysView } from '../../contract/index.js';
import { APP_PASSPHRASE, type App, connect, type OpenCore, openCore, resultValue, startApp } from '../support/app.js';

async function until(what: string, condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

for (const server of [inject('prosody'), inject('ejabberd')]) {
  describe(`own keys revoked on another device, on ${server.kind}`, () => {
    let laptop: App;
    let phone: OpenCore;
    let tablet: OpenCore;
    let fingerprint: string;
    let made: BackupMade;
    const phoneNews: OtherDeviceKeysView[] = [];

    const revokedOn = async (device: OpenCore) => resultValue(await device.core.api.keys.list()).find((k) => k.fingerprint === fingerprint)?.revoked;

    beforeAll(async () => {
      laptop = await startApp('juliet', 'capulet.lit', server);
      fingerprint = resultValue(await laptop.core.api.keys.generate({ bits: 2048, validityDays: 30 })).fingerprint;
      resultValue(await laptop.core.api.keys.publish({ fingerprint, access: { model: 'presence' } }));
      made = resultValue(await laptop.core.api.backup.create({ file: false, toAccount: true, passphrase: APP_PASSPHRASE }));
      // The phone and the tablet get the key from that backup, before it is revoked.
      [phone, tablet] = await Promise.all([openCore(), openCore()]);
      for (const device of [phone, tablet]) {
        await connect(device.core, laptop.actor.params);
        resultValue(await device.core.api.backup.restore({ from: { kind: 'account' }, code: made.code }));
        expect(await revokedOn(device)).toBeUndefined();
      }
      phone.core.api.on('keys:otherDevice', (view) => phoneNews.push(view));
      resultValue(await tablet.core.api.account.disconnect());
      resultValue(await laptop.core.api.keys.revoke({ fingerprint, reason: 'compromised' }));
    }, 120_000);

    afterAll(async () => {
      await Promise.all([laptop, phone, tablet].filter(Boolean).map((d) => d.stop()));
    });

    it('the phone, signed in, hears of it and marks the key revoked', async () => {
      await until('the phone shows the key revoked', async () => (await revokedOn(phone)) !== undefined);
      expect(await revokedOn(phone)).toMatchObject({ reason: 'compromised' });
      expect(phoneNews).toContainEqual(expect.objectContaining({ revoked: [fingerprint] }));
      const again = await phone.core.api.keys.publish({ fingerprint, access: { model: 'presence' } });
      expect(again).toMatchObject({ ok: false, error: { message: 'This key was revoked: it is never published again.' } });
    });

    it('the tablet, offline then, reads it at its next sign-in', async () => {
      expect(await revokedOn(tablet)).toBeUndefined();
      await connect(tablet.core, laptop.actor.params);
      await until('the tablet shows the key revoked', async () => (await revokedOn(tablet)) !== undefined);
      expect(await revokedOn(tablet)).toMatchObject({ reason: 'compromised' });
    });

    it('a device restored from a backup made before the revocation has the key revoked once restored', async () => {
      const fresh = await openCore();
      const news: OtherDeviceKeysView[] = [];
      fresh.core.api.on('keys:otherDevice', (view) => news.push(view));
      try {
        await connect(fresh.core, laptop.actor.params);
        const restored = resultValue(await fresh.core.api.backup.restore({ from: { kind: 'account' }, code: made.code }));
        expect(restored.keys).toEqual([expect.objectContaining({ fingerprint, outcome: 'restored' })]);
        expect(await revokedOn(fresh)).toMatchObject({ reason: 'compromised' });
        // My keys is told, as when another device revoked it.
        expect(news).toContainEqual(expect.objectContaining({ revoked: [fingerprint] }));
      } finally {
        await fresh.stop();
      }
    });
  });
}
