/**
 * "Keep it deleted" is refused for a key node that held a published revocation (contacts must still read
 * it, XEP-0222 §2), and, as this checks, for one where a revocation is still to go out (held back when
 * the key was revoked, the node then set to "authorize"): kept deleted, it would never go out (a sign-in
 * publishes it only where the node is), while contacts that cached the compromised key keep trusting it.
 */
import type { KeyObject } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSelfSignedCertificate } from '../../../main/keys/certificate.js';
import { certificateFingerprint } from '../../../main/keys/fingerprint.js';
import { generateRsaKeyPair } from '../../../main/keys/generate.js';
import { revocationItemId } from '../../../main/xmpp/key-statements.js';
import { NS } from '../../../main/xmpp/namespaces.js';
import { JULIET } from '../../support/fake-pep-service.js';
import { julietDriftDevices } from '../../support/juliet-drift-device.js';

const newDevice = julietDriftDevices('keyring-heldback-deleted-');
let privateKey: KeyObject;
beforeAll(async () => {
  ({ privateKey } = await generateRsaKeyPair(2048));
});

describe('a key node holding a key whose revocation is held back, deleted by another app', () => {
  it('cannot be kept deleted (the revocation must still go out)', async () => {
    const { pep, device, drift } = await newDevice();
    const certificateDer = await createSelfSignedCertificate({ bareJid: JULIET, privateKey, validityDays: 30 });
    const fingerprint = certificateFingerprint(certificateDer);
    await device.store.add(JULIET, { fingerprint, certificateDer, privateKey });
    await device.keys.publish(fingerprint, { model: 'presence' });
    await pep.setAccessModel(NS.pubkey, 'authorize');
    await device.keys.revoke(fingerprint, 'compromised').catch(() => undefined); // held back
    expect(device.keys.list()[0]).toMatchObject({ revocationUnpublished: true });

    pep.nodes.delete(NS.pubkey);
    const found = (await drift.check()).nodes.find((n) => n.node === NS.pubkey);
    const kept = found?.acceptable === true ? await drift.accept(NS.pubkey).then(() => true, () => false) : false;
    // Even if kept, the revocation would have to go out at the next sign-in:
    await device.signIn();
    const revocationOut = pep.nodes.get(NS.pubkey)?.items.includes(revocationItemId(fingerprint)) === true;
    expect({ kept, revocationOut, stillOwed: device.keys.list()[0]?.revocationUnpublished === true }).toEqual({ kept: false, revocationOut: false, stillOwed: true });
    // The banner says why, and Restore is what is left.
    expect(found).toMatchObject({ acceptable: false, revocationAtStake: true });
    await expect(drift.accept(NS.pubkey)).rejects.toMatchObject({ code: 'invalid-argument' });
  });
});
