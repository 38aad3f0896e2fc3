/**
 * Another app of the account deleted a node the app published (the key node, the vCard). Restore
 * publishes it again; the other answer, "Keep it deleted", records the node as not published: the keys
 * stay in the vault, shown as not published, and drift watch stops reporting the node. Not for a key
 * node that held a revocation: contacts must still be able to read it (XEP-0222 §2), so only Restore.
 */
import type { KeyObject } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Profile } from '../../../contract/index.js';
import { deletionAcceptable } from '../../../main/drift/restore-plan.js';
import { createSelfSignedCertificate } from '../../../main/keys/certificate.js';
import { certificateFingerprint } from '../../../main/keys/fingerprint.js';
import { generateRsaKeyPair } from '../../../main/keys/generate.js';
import { revocationItemId } from '../../../main/xmpp/key-statements.js';
import { NS } from '../../../main/xmpp/namespaces.js';
import { JULIET } from '../../support/fake-pep-service.js';
import { profileOnPep } from '../../support/own-keys-on-pep.js';
import { julietDriftDevices } from '../../support/juliet-drift-device.js';

const FP = 'ab'.repeat(32);
const newDevice = julietDriftDevices('keyring-accept-deleted-');

let privateKey: KeyObject;
beforeAll(async () => {
  ({ privateKey } = await generateRsaKeyPair(2048));
});

async function julietWithAPublishedKey() {
  const { pep, device, drift } = await newDevice();
  const certificateDer = await createSelfSignedCertificate({ bareJid: JULIET, privateKey, validityDays: 30 });
  const fingerprint = certificateFingerprint(certificateDer);
  await device.store.add(JULIET, { fingerprint, certificateDer, privateKey });
  await device.keys.publish(fingerprint, { model: 'presence' });
  return { pep, device, drift, fingerprint };
}

describe('a node another app deleted can be kept deleted', () => {
  it('is offered unless the node held a revocation', () => {
    expect(deletionAcceptable({ itemIds: [FP] })).toBe(true);
    expect(deletionAcceptable({ itemIds: [] })).toBe(true);
    expect(deletionAcceptable({ itemIds: [FP, revocationItemId('cd'.repeat(32))] })).toBe(false);
  });

  it('the key node: the key stays in the vault, recorded as not published, and drift reports it no more', async () => {
    const { pep, device, drift, fingerprint } = await julietWithAPublishedKey();
    pep.nodes.delete(NS.pubkey);

    const found = (await drift.check()).nodes.find((n) => n.node === NS.pubkey);
    expect(found?.findings).toEqual([{ code: 'node-deleted', severity: 'alarm' }]);
    expect(found?.acceptable).toBe(true);

    const after = await drift.accept(NS.pubkey);
    expect(after.nodes.find((n) => n.node === NS.pubkey)).toBeUndefined();
    expect(after.severity).toBeUndefined();
    expect(device.keys.list().map((k) => [k.fingerprint, k.publications])).toEqual([[fingerprint, []]]);
    expect(device.published.list(JULIET)[NS.pubkey]).toBeUndefined();
    // Nothing was made again on the server: kept deleted.
    expect(pep.nodes.has(NS.pubkey)).toBe(false);
  });

  it('the profile card: recorded as not published; the nickname, still there, is still watched', async () => {
    const { pep, device, drift } = await julietWithAPublishedKey();
    const profile: Profile = { fullName: 'Juliet Capulet', nickname: 'Jules', emails: [], phones: [], urls: [] };
    await profileOnPep(device).publish(profile, { model: 'presence' });
    pep.nodes.delete(NS.vcard4);

    expect((await drift.check()).nodes.find((n) => n.node === NS.vcard4)?.acceptable).toBe(true);
    const after = await drift.accept(NS.vcard4);
    expect(after.nodes.map((n) => n.node)).toEqual([NS.pubkey, NS.nick]);
    expect(after.severity).toBeUndefined();
  });

  it('not a key node that held a revocation: only Restore, and nothing is changed', async () => {
    const { pep, device, drift, fingerprint } = await julietWithAPublishedKey();
    await device.keys.revoke(fingerprint, 'retired');
    expect(device.published.list(JULIET)[NS.pubkey]?.items.map((i) => i.id)).toContain(revocationItemId(fingerprint));
    pep.nodes.delete(NS.pubkey);

    expect((await drift.check()).nodes.find((n) => n.node === NS.pubkey)?.acceptable).toBe(false);
    await expect(drift.accept(NS.pubkey)).rejects.toThrow('only Restore fits');
    expect(device.published.list(JULIET)[NS.pubkey]).toBeDefined();
  });
});
