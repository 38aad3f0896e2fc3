/**
 * A revoke made on this device publishes its statement on the account's key node, and the server
 * notifies every resource of the account of it (XEP-0163 §4.3.1), this one too: before the publish is
 * answered, or between that answer and the vault's record of the key as revoked. That notification is
 * this device's own revocation, never "Key revoked on your account" news from another device (a walk
 * on a real Prosody showed it at once after a revoke here). A revocation made on another device still
 * is news, and so is a revoke here whose answer the connection cut off after its statement reached
 * the node. The same holds for a key deleted here: its retract's notification may be handled after the
 * key left the vault, and is still no news; another device's withdrawal is. Over a PEP service in memory, with real vaults and real signatures, and the notification
 * routed as main/core.ts routes it.
 */
import type { KeyObject } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IqCaller } from '@xmpp/iq/caller.js';
import type { Element } from '@xmpp/xml';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OtherDeviceKeysView } from '../../contract/index.js';
import { AppEvents } from '../../main/events.js';
import { createSelfSignedCertificate } from '../../main/keys/certificate.js';
import { certificateFingerprint } from '../../main/keys/fingerprint.js';
import { generateRsaKeyPair } from '../../main/keys/generate.js';
import { silentLogger } from '../../main/logger.js';
import { OwnDevices } from '../../main/services/own-devices.js';
import { revocationItemId } from '../../main/xmpp/key-statements.js';
import { NS } from '../../main/xmpp/namespaces.js';
import { BASE_FIELDS, fakePep, JULIET } from '../support/fake-pep-service.js';
import { ownKeysOnPep, type OwnKeysOnPep } from '../support/own-keys-on-pep.js';
import { unlockedVaults } from '../support/vaults.js';

let privateKey: KeyObject;
beforeAll(async () => {
  ({ privateKey } = await generateRsaKeyPair(2048));
}, 60_000);

/** When the server's notification of a published revocation reaches the device, against its publish's answer. */
type NotifiedAt = 'before-answer' | 'after-answer' | 'answer-cut-off';

interface Device extends OwnKeysOnPep {
  /** What My keys was told of changes from other devices. */
  news: OtherDeviceKeysView[];
  /** The notifications' handling, as core.ts hands it to OwnKeys: settled once each is applied. */
  applied: Promise<void>[];
  ownDevices: OwnDevices;
}

describe('a revocation or deletion notified to the device that made it', () => {
  const dirs: string[] = [];
  let pep: ReturnType<typeof fakePep>;
  const devices: Device[] = [];

  /**
   * The PEP service as a device reaches it: a published revocation is notified to every device of the
   * account (as the server does), at `at` against the publish's answer to the device that published it.
   */
  function notifyingIq(iq: IqCaller, at: NotifiedAt): IqCaller {
    return {
      ...iq,
      set: async (element, to, timeout) => {
        const item = element.is('pubsub', NS.pubsub) ? element.getChild('publish')?.getChild('item') : undefined;
        const id = item?.attrs.id;
        const payload = item?.getChildElements()[0];
        // A revocation's item id (key-statements.ts revocationItemId); a key's own item is its fingerprint.
        if (id === undefined || payload === undefined || !id.startsWith('revoked-')) return iq.set(element, to, timeout);
        const notifyAll = () => {
          for (const d of devices) notifyOf(d, id, payload);
        };
        if (at === 'before-answer') {
          const answer = iq.set(element, to, timeout);
          notifyAll();
          return answer;
        }
        const answer = await iq.set(element, to, timeout);
        // The answer came (or was lost); each device reads the notification before this revoke goes on.
        notifyAll();
        if (at === 'answer-cut-off') throw new Error('socket closed');
        return answer;
      },
    };
  }

  /** A notification of the own key node, routed as main/core.ts's 'pep' handler routes it. */
  function notifyOf(d: Device, id: string, payload: Element): void {
    const applied = d.ownDevices.onNotification({ from: JULIET, node: NS.pubkey, items: [{ id, payload, size: payload.toString().length }], retracted: [] });
    d.keys.afterRevocations(applied);
    d.applied.push(applied);
  }

  async function device(at: NotifiedAt = 'after-answer'): Promise<Device> {
    const dir = await mkdtemp(join(tmpdir(), 'keyring-revoke-notified-'));
    dirs.push(dir);
    const on = ownKeysOnPep(await unlockedVaults(dir), { ctx: { iq: notifyingIq(pep.ctx.iq, at) } });
    const news: OtherDeviceKeysView[] = [];
    const events = new AppEvents();
    events.subscribe((name, payload) => {
      if (name === 'keys:otherDevice') news.push(payload as OtherDeviceKeysView);
    });
    // As main/core.ts composes it.
    const ownDevices = new OwnDevices({ events, log: silentLogger, ownKeys: on.keys, revocations: on.revocations });
    const d: Device = Object.assign(on, { news, applied: [], ownDevices });
    devices.push(d);
    return d;
  }

  async function addKey(to: Device, der?: Buffer): Promise<string> {
    const certificateDer = der ?? (await createSelfSignedCertificate({ bareJid: JULIET, privateKey, validityDays: 30 }));
    const fingerprint = certificateFingerprint(certificateDer);
    await to.store.add(JULIET, { fingerprint, certificateDer, privateKey, label: 'laptop' });
    return fingerprint;
  }

  const revokedOn = (on: Device, fingerprint: string) => on.keys.list().find((k) => k.fingerprint === fingerprint)?.revoked;
  const revokedNews = (on: Device) => on.news.flatMap((n) => n.revoked);

  /** The laptop's key, published from it; the phone holds the same certificate (restored from a backup). */
  async function laptopAndPhoneHoldingOneKey(): Promise<{ laptop: Device; phone: Device; fingerprint: string; der: Buffer }> {
    const laptop = await device();
    const fingerprint = await addKey(laptop);
    await laptop.keys.publish(fingerprint, { model: 'presence' });
    const phone = await device();
    const der = Buffer.from(laptop.store.find(JULIET, fingerprint)?.certificate ?? '', 'base64');
    await addKey(phone, der);
    return { laptop, phone, fingerprint, der };
  }

  beforeEach(() => {
    pep = fakePep({ fields: BASE_FIELDS });
  });
  afterEach(async () => {
    devices.splice(0);
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });

  for (const at of ['after-answer', 'before-answer'] as const) {
    it(`a revoke made here is no news from another device (notified ${at === 'after-answer' ? 'between its answer and its record' : 'before its answer'})`, async () => {
      const laptop = await device(at);
      const fingerprint = await addKey(laptop);
      await laptop.keys.publish(fingerprint, { model: 'presence' });

      const answer = await laptop.keys.revoke(fingerprint, 'compromised');
      expect(answer).toMatchObject({ published: true, withdrawn: true });
      expect(laptop.applied).toHaveLength(1);
      await Promise.all(laptop.applied);

      expect(revokedOn(laptop, fingerprint)).toMatchObject({ reason: 'compromised' });
      expect(laptop.news, 'My keys told of a revocation from another device').toEqual([]);
      expect(pep.nodes.get(NS.pubkey)?.items).toEqual([revocationItemId(fingerprint)]);
    });
  }

  it('a second revoke of the key while one is under way waits for it, and is refused once it is done', async () => {
    const laptop = await device();
    const fingerprint = await addKey(laptop);
    await laptop.keys.publish(fingerprint, { model: 'presence' });

    const [first, second] = await Promise.allSettled([laptop.keys.revoke(fingerprint, 'compromised'), laptop.keys.revoke(fingerprint, 'retired')]);
    expect(first).toMatchObject({ status: 'fulfilled', value: { published: true, withdrawn: true } });
    expect(second).toMatchObject({ status: 'rejected', reason: { code: 'invalid-argument' } });
    // One statement published, and no news.
    expect(pep.requests.filter((r) => r.getChild('publish')?.getChild('item')?.attrs.id === revocationItemId(fingerprint))).toHaveLength(1);
    await Promise.all(laptop.applied);
    expect(laptop.news).toEqual([]);
  });

  it('a revocation made on another device is still news here', async () => {
    // The phone holds the same key (restored from a backup) and revokes it.
    const { laptop, phone, fingerprint } = await laptopAndPhoneHoldingOneKey();

    await phone.keys.revoke(fingerprint, 'superseded');
    await Promise.all([...laptop.applied, ...phone.applied]);

    expect(revokedOn(laptop, fingerprint)).toMatchObject({ reason: 'superseded' });
    expect(revokedNews(laptop)).toEqual([fingerprint]);
    expect(phone.news).toEqual([]);
  });

  /** The server's notification of the own key node's item `fingerprint` withdrawn (XEP-0060 §7.2.2.1). */
  const retractNotified = (d: Device, fingerprint: string) => d.ownDevices.onNotification({ from: JULIET, node: NS.pubkey, items: [], retracted: [fingerprint] });

  it('a key deleted here is no news from another device, though its withdrawal is notified once it left the vault', async () => {
    const laptop = await device();
    const fingerprint = await addKey(laptop);
    await laptop.keys.publish(fingerprint, { model: 'presence' });

    expect(await laptop.keys.delete(fingerprint)).toEqual({ retracted: true });
    expect(laptop.keys.has(fingerprint)).toBe(false);
    // As a server may send it (ejabberd from 24.12): after its answer, handled after the vault's removal.
    await retractNotified(laptop, fingerprint);

    expect(laptop.news, 'My keys told of a key withdrawn from another device').toEqual([]);
  });

  it('a key deleted here, then published and withdrawn by another device holding it, is news again', async () => {
    const { laptop, phone, fingerprint } = await laptopAndPhoneHoldingOneKey();

    await laptop.keys.delete(fingerprint);
    await retractNotified(laptop, fingerprint);
    await phone.keys.publish(fingerprint, { model: 'presence' });
    const payload = pep.nodes.get(NS.pubkey)?.payloads.get(fingerprint);
    if (!payload) throw new Error('the phone’s publish left no item');
    await laptop.ownDevices.onNotification({ from: JULIET, node: NS.pubkey, items: [{ id: fingerprint, payload, size: payload.toString().length }], retracted: [] });
    await phone.keys.delete(fingerprint);
    await retractNotified(laptop, fingerprint);

    expect(laptop.news.flatMap((n) => n.added)).toEqual([fingerprint]);
    expect(laptop.news.flatMap((n) => n.withdrawn)).toEqual([fingerprint]);
  });

  it('a key deleted here, put back in this vault, published by another device and deleted here again: that device’s withdrawal is news', async () => {
    const { laptop, phone, fingerprint, der } = await laptopAndPhoneHoldingOneKey();

    await laptop.keys.delete(fingerprint);
    await retractNotified(laptop, fingerprint);
    // The key comes back into the laptop's vault (a backup restored, an import).
    await addKey(laptop, der);
    await phone.keys.publish(fingerprint, { model: 'presence' });
    const payload = pep.nodes.get(NS.pubkey)?.payloads.get(fingerprint);
    if (!payload) throw new Error('the phone’s publish left no item');
    await laptop.ownDevices.onNotification({ from: JULIET, node: NS.pubkey, items: [{ id: fingerprint, payload, size: payload.toString().length }], retracted: [] });
    // Not published as far as the laptop's record goes: deleted without a retract.
    expect(await laptop.keys.delete(fingerprint)).toEqual({ retracted: false });
    await phone.keys.delete(fingerprint);
    await retractNotified(laptop, fingerprint);

    expect(laptop.news.flatMap((n) => n.withdrawn)).toEqual([fingerprint]);
  });

  it('a key another device withdraws, which this device never held, is news here', async () => {
    const laptop = await device();
    const phone = await device();
    const phoneOnly = await addKey(phone);
    await phone.keys.publish(phoneOnly, { model: 'presence' });
    await phone.keys.delete(phoneOnly);

    await retractNotified(laptop, phoneOnly);
    await retractNotified(phone, phoneOnly);

    expect(laptop.news.flatMap((n) => n.withdrawn)).toEqual([phoneOnly]);
    expect(phone.news).toEqual([]);
  });

  it('a revoke here whose answer the connection cut off is news: its statement is on the node, the key revoked here', async () => {
    const laptop = await device('answer-cut-off');
    const fingerprint = await addKey(laptop);
    await laptop.keys.publish(fingerprint, { model: 'presence' });

    await expect(laptop.keys.revoke(fingerprint, 'compromised')).rejects.toThrow();
    await Promise.all(laptop.applied);

    expect(revokedOn(laptop, fingerprint)).toMatchObject({ reason: 'compromised' });
    expect(revokedNews(laptop)).toEqual([fingerprint]);
  });
});
