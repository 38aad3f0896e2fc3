/**
 * A publish that changes who reads the key node, cut off between configuring the node and adding its
 * members (the app closed, the connection lost: here the server refuses the affiliations): the node is
 * then part of the way to the audience asked. Drift watch reports what differs from the record, but
 * not as another app's doing: the report carries the change this app had started, for the window and
 * `keyring doctor` to say it may be that, half done. A change nobody here asked for is still another app's.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import xml from '@xmpp/xml';
import type { Profile } from '../../../contract/index.js';
import type { KeyObject } from 'node:crypto';
import { createSelfSignedCertificate } from '../../../main/keys/certificate.js';
import { certificateFingerprint } from '../../../main/keys/fingerprint.js';
import { generateRsaKeyPair } from '../../../main/keys/generate.js';
import { NS } from '../../../main/xmpp/namespaces.js';
import { type fakePep, JULIET } from '../../support/fake-pep-service.js';
import { profileOnPep } from '../../support/own-keys-on-pep.js';
import { julietDriftDevices } from '../../support/juliet-drift-device.js';

const ROMEO = 'romeo@montague.lit';
const newDevice = julietDriftDevices('keyring-unfinished-');

let privateKey: KeyObject;
beforeAll(async () => {
  ({ privateKey } = await generateRsaKeyPair(2048));
});

async function julietsDevice() {
  const { pep, device, drift } = await newDevice();
  let made = 0;
  const addKey = async () => {
    const certificateDer = await createSelfSignedCertificate({ bareJid: JULIET, privateKey, validityDays: 30 + ++made });
    const fingerprint = certificateFingerprint(certificateDer);
    await device.store.add(JULIET, { fingerprint, certificateDer, privateKey });
    return fingerprint;
  };
  return { pep, device, drift, addKey };
}

/** The server refuses every change of affiliations (as a cut connection would leave them unmade) until the function returned is called. */
function refuseAffiliations(pep: ReturnType<typeof fakePep>): () => void {
  const set = pep.ctx.iq.set.bind(pep.ctx.iq);
  pep.ctx.iq.set = (element, ...rest) => {
    if (element.is('pubsub', NS.pubsubOwner) && element.getChild('affiliations')) return Promise.reject(new Error('connection lost'));
    return set(element, ...rest);
  };
  return () => (pep.ctx.iq.set = set);
}

describe('a change of who reads the key node, cut off half-way', () => {
  it('is reported as what differs, with the change this app had started: not as another app’s', async () => {
    const { pep, device, drift, addKey } = await julietsDevice();
    await device.keys.publish(await addKey(), { model: 'presence' });
    // The node is configured as asked; the server then refuses to add romeo (as a cut connection would).
    const allowAgain = refuseAffiliations(pep);
    await expect(device.keys.publish(await addKey(), { model: 'whitelist', allow: [ROMEO] }, true)).rejects.toThrow();
    allowAgain();

    const node = (await drift.check()).nodes.find((n) => n.node === NS.pubkey);
    expect(node?.findings.map((f) => f.code)).toEqual(['access-narrowed']);
    expect(node?.unfinishedChange).toEqual({ model: 'whitelist', allow: [ROMEO] });
  });

  it('a change turned down at the consent check leaves no trace: another client setting part of it, or all of it, is another app’s change', async () => {
    const { pep, device, drift, addKey } = await julietsDevice();
    await device.keys.publish(await addKey(), { model: 'presence' });
    // Asked without confirming the change of audience: refused before anything was sent; not confirmed.
    await expect(device.keys.publish(await addKey(), { model: 'whitelist', allow: [ROMEO] }, false)).rejects.toMatchObject({ code: 'access-model-conflict' });
    expect(device.published.list(JULIET)[NS.pubkey]?.accessAsked).toBeUndefined();

    // Another client of the account makes the node a whitelist with nobody on it: another app's doing.
    await pep.setAccessModel(NS.pubkey, 'whitelist');
    const part = (await drift.check()).nodes.find((n) => n.node === NS.pubkey);
    expect(part?.findings.map((f) => f.code)).toEqual(['access-narrowed']);
    expect(part?.unfinishedChange).toBeUndefined();

    // Then lets romeo in: exactly the audience turned down, still reported, never taken for the person's choice.
    await pep.ctx.iq.set(xml('pubsub', { xmlns: NS.pubsubOwner }, xml('affiliations', { node: NS.pubkey }, xml('affiliation', { jid: ROMEO, affiliation: 'member' }))));
    const all = (await drift.check()).nodes.find((n) => n.node === NS.pubkey);
    expect(all?.findings.map((f) => f.code)).toEqual(['access-narrowed', 'members-added']);
    expect(all?.unfinishedChange).toBeUndefined();
  });

  it('a change cut off once, then turned down: the earlier change is still the one noted', async () => {
    const { pep, device, addKey } = await julietsDevice();
    await device.keys.publish(await addKey(), { model: 'presence' });
    const allowAgain = refuseAffiliations(pep);
    await expect(device.keys.publish(await addKey(), { model: 'whitelist', allow: [ROMEO] }, true)).rejects.toThrow();
    allowAgain();
    await expect(device.keys.publish(await addKey(), { model: 'open' }, false)).rejects.toMatchObject({ code: 'access-model-conflict' });
    expect(device.published.list(JULIET)[NS.pubkey]?.accessAsked).toEqual({ model: 'whitelist', allow: [ROMEO] });
  });

  it('the profile’s nodes too: a change of its audience turned down leaves none of them noted', async () => {
    const { device } = await julietsDevice();
    const profiles = profileOnPep(device);
    const profile: Profile = { fullName: 'Juliet Capulet', nickname: 'Jules', emails: [], phones: [], urls: [] };
    await profiles.publish(profile, { model: 'presence' });
    await expect(profiles.publish(profile, { model: 'whitelist', allow: [ROMEO] })).rejects.toMatchObject({ code: 'access-model-conflict' });
    expect(device.published.list(JULIET)[NS.vcard4]?.accessAsked).toBeUndefined();
    expect(device.published.list(JULIET)[NS.nick]?.accessAsked).toBeUndefined();
  });

  it('a refused publish overlapping a confirmed one leaves the other’s record as it is: widening it back later is still reported', async () => {
    const { pep, device, drift, addKey } = await julietsDevice();
    await device.keys.publish(await addKey(), { model: 'presence' });
    const [a, b] = [await addKey(), await addKey()];
    // A's consent check waits (its reading of the node held) until B, a confirmed narrowing, is recorded.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let armed = true;
    const get = pep.ctx.iq.get.bind(pep.ctx.iq);
    pep.ctx.iq.get = async (element, ...rest) => {
      if (armed && element.is('pubsub', NS.pubsubOwner) && element.getChild('configure')) {
        armed = false;
        await gate;
      }
      return get(element, ...rest);
    };
    const first = device.keys.publish(a, { model: 'presence' }, false).then(
      () => 'published',
      (error: { code?: string }) => error.code,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    await device.keys.publish(b, { model: 'whitelist', allow: [ROMEO] }, true);
    release();
    expect(await first).toBe('access-model-conflict');
    expect(device.published.list(JULIET)[NS.pubkey]?.accessAsked).toBeUndefined();

    // Another client widens the node back to presence: another app's change, reported.
    await pep.setAccessModel(NS.pubkey, 'presence');
    const node = (await drift.check()).nodes.find((n) => n.node === NS.pubkey);
    expect(node?.findings.map((f) => f.code)).toContain('access-widened');
  });

  it('a change to an audience nobody here asked for carries none', async () => {
    const { pep, device, drift, addKey } = await julietsDevice();
    await device.keys.publish(await addKey(), { model: 'presence' });
    // Another client of the account makes the node open.
    await pep.setAccessModel(NS.pubkey, 'open');
    const node = (await drift.check()).nodes.find((n) => n.node === NS.pubkey);
    expect(node?.findings.map((f) => f.code)).toEqual(['access-widened']);
    expect(node?.unfinishedChange).toBeUndefined();
  });
});
