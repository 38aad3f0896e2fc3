/**
 * A key node another client set to an access model the app does not offer ("authorize": a stolen
 * password, a server admin). A revoke is not held back by it: the key is revoked here at once (never
 * used or published again), the words say the statement could not go out yet and how it will, and once
 * the node is put back the next sign-in publishes it. A renewal is refused in words that ask for no
 * confirmation the command line cannot give (no --reconfigure there). Before, both failed with "must be
 * confirmed", and the compromised key stayed usable and unrevoked here.
 */
import type { KeyObject } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { inCliWords } from '../../main/cli/context.js';
import { toIpcError } from '../../main/errors.js';
import { createSelfSignedCertificate } from '../../main/keys/certificate.js';
import { certificateFingerprint } from '../../main/keys/fingerprint.js';
import { generateRsaKeyPair } from '../../main/keys/generate.js';
import { revocationItemId } from '../../main/xmpp/key-statements.js';
import { NS } from '../../main/xmpp/namespaces.js';
import { BASE_FIELDS, fakePep, JULIET } from '../support/fake-pep-service.js';
import { ownKeysOnPep } from '../support/own-keys-on-pep.js';
import { unlockedVaults } from '../support/vaults.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});
let privateKey: KeyObject;
beforeAll(async () => {
  ({ privateKey } = await generateRsaKeyPair(2048));
});

/** Juliet's device with one key published to her presence, and a way to set the node's access model as another client would. */
async function julietWithKey() {
  const dir = await mkdtemp(join(tmpdir(), 'keyring-unpublishable-'));
  dirs.push(dir);
  const pep = fakePep({ fields: BASE_FIELDS });
  const device = ownKeysOnPep(await unlockedVaults(dir), pep);
  const certificateDer = await createSelfSignedCertificate({ bareJid: JULIET, privateKey, validityDays: 30 });
  const fingerprint = certificateFingerprint(certificateDer);
  await device.store.add(JULIET, { fingerprint, certificateDer, privateKey });
  await device.keys.publish(fingerprint, { model: 'presence' });
  const setModel = (model: string) => pep.setAccessModel(NS.pubkey, model);
  return { pep, device, fingerprint, setModel };
}

describe('a key node set to "authorize" by another client', () => {
  it('a revoke revokes the key here, says the revocation is not out yet and how it goes out; the next sign-in after the node is put back publishes it', async () => {
    const { pep, device, fingerprint, setModel } = await julietWithKey();
    await setModel('authorize');

    const refusal = await device.keys.revoke(fingerprint, 'compromised').then(
      () => undefined,
      (error: unknown) => toIpcError(error),
    );
    expect(refusal).toMatchObject({ code: 'revocation-held-back' });
    expect(refusal?.message).toMatch(/^Your key is revoked here: this app will not use it or publish it again\. Its revocation could not be published yet, so your contacts are not told: who can read your keys is set on the server to a setting this app cannot publish to/);
    expect(refusal?.nextStep).toBe('It is "authorize". Put it back as you published it (Restore, on the banner of My keys), then sign in again: the revocation goes out then.');
    // The command line names its own way to put it back, and nothing says to confirm a change the revoke command cannot confirm.
    expect(refusal && inCliWords(refusal).nextStep).toBe('It is "authorize". Put it back as you published it (`keyring doctor --repair`), then sign in again: the revocation goes out then.');
    expect(device.store.find(JULIET, fingerprint)?.revoked).toBeDefined();
    expect(pep.nodes.get(NS.pubkey)?.items).toEqual([fingerprint]);
    // The list says the revocation is still to go out: "revoked" alone would read as "contacts were told".
    expect(device.keys.list().find((k) => k.fingerprint === fingerprint)).toMatchObject({ revoked: { reason: 'compromised' }, revocationUnpublished: true });

    // Put back as published (drift's Restore would do it), then signed in again: the revocation goes out.
    await setModel('presence');
    await device.signIn();
    expect(pep.nodes.get(NS.pubkey)?.items).toContain(revocationItemId(fingerprint));
    const after = device.keys.list().find((k) => k.fingerprint === fingerprint);
    expect(after?.revoked).toBeDefined();
    expect(after?.revocationUnpublished).toBeUndefined();
  });

  it('a key withdrawn before it was revoked: its revocation still goes out at the sign-in after the node is put back, once', async () => {
    const { pep, device, fingerprint, setModel } = await julietWithKey();
    // A second key (another key pair: a compromised key's other certificates are revoked with it) keeps
    // the node alive once the first is withdrawn.
    const otherKey = (await generateRsaKeyPair(2048)).privateKey;
    const certificateDer = await createSelfSignedCertificate({ bareJid: JULIET, privateKey: otherKey, validityDays: 30 });
    const other = certificateFingerprint(certificateDer);
    await device.store.add(JULIET, { fingerprint: other, certificateDer, privateKey: otherKey });
    await device.keys.publish(other, { model: 'presence' });
    await device.keys.retract(fingerprint);
    await setModel('authorize');
    await expect(device.keys.revoke(fingerprint, 'compromised')).rejects.toMatchObject({ code: 'revocation-held-back' });
    expect(pep.nodes.get(NS.pubkey)?.items).toEqual([other]);

    await setModel('presence');
    await device.signIn();
    expect(pep.nodes.get(NS.pubkey)?.items).toEqual([other, revocationItemId(fingerprint)]);
    expect(device.store.find(JULIET, fingerprint)?.revocationOwed).toBeUndefined();
    // Owed no more: the next sign-in publishes nothing.
    const publishes = () => pep.requests.filter((r) => r.getChild('publish')).length;
    const before = publishes();
    await device.signIn();
    expect(publishes()).toBe(before);
  });

  it('a revoke whose second reading of the node fails says that failure, not "must be confirmed"', async () => {
    const { pep, device, fingerprint, setModel } = await julietWithKey();
    await setModel('open');
    // The node's settings read once (the publish's own check, which finds the change), then no more.
    let configReads = 0;
    const get = pep.ctx.iq.get.bind(pep.ctx.iq);
    pep.ctx.iq.get = (element, ...rest) => {
      if (element.is('pubsub', NS.pubsubOwner) && element.getChild('configure') && ++configReads > 1) return Promise.reject(Object.assign(new Error('timeout'), { name: 'TimeoutError' }));
      return get(element, ...rest);
    };
    const refusal = await device.keys.revoke(fingerprint, 'compromised').then(
      () => undefined,
      (error: unknown) => toIpcError(error),
    );
    expect(refusal?.message).toMatch(/^Could not read the settings of your keys: /);
    expect(JSON.stringify(refusal)).not.toMatch(/must be confirmed/);
  });

  it('a renewal is refused in words that name the setting and ask for no confirmation', async () => {
    const { device, fingerprint, setModel } = await julietWithKey();
    await setModel('authorize');
    const refusal = await device.keys.renew(fingerprint, { newKey: false }).then(
      () => undefined,
      (error: unknown) => toIpcError(error),
    );
    // Its own code: the window shows these words, not a generic "your server cannot publish for that audience".
    expect(refusal?.code).toBe('access-model-not-offered');
    expect(JSON.stringify(refusal)).toMatch(/cannot publish to/);
    expect(JSON.stringify(refusal)).not.toMatch(/must be confirmed/);
    // What to do first is to put the setting back: publishing the new key before that fails the same way.
    expect(refusal?.nextStep).toBe(
      'It is "authorize". Put it back as you published it (Restore, on the banner of My keys), then publish the new key from My keys (its card says it replaces this one) to the same people; then retract the old one.',
    );
  });
});
