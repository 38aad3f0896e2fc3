/**
 * A write the server took, which a full disk kept the vault from recording (a real full tmpfs under
 * the vault: test/support/small-disk.ts; a PEP service in memory). "Nothing was changed" would be
 * false there: the answer says what the server did, why it is not recorded, and what comes next, and
 * what comes next is true: once there is space, the next sign-in records a publish and a revocation
 * from the server, and withdrawing or deleting again completes.
 */
import type { KeyObject } from 'node:crypto';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSelfSignedCertificate } from '../../main/keys/certificate.js';
import { certificateFingerprint } from '../../main/keys/fingerprint.js';
import { generateRsaKeyPair } from '../../main/keys/generate.js';
import { type OwnKeys } from '../../main/services/own-keys.js';
import { type OwnKeysStore } from '../../main/vault/stores/own-keys-store.js';
import type { PublishedNodesStore } from '../../main/vault/stores/published-nodes-store.js';
import { revocationItemId } from '../../main/xmpp/key-statements.js';
import { NS } from '../../main/xmpp/namespaces.js';
import { BASE_FIELDS, fakePep, JULIET, stanzaError } from '../support/fake-pep-service.js';
import { outcomeOf, smallDiskSuite } from '../support/small-disk-suite.js';
import { ownKeysOnPep } from '../support/own-keys-on-pep.js';

const small = smallDiskSuite();
const disk = small.disk;

describe.skipIf(disk === undefined)(small.title('the server took it, the disk was full'), () => {
  const vaults = small.vaultPerTest();
  let privateKey: KeyObject;
  let pep: ReturnType<typeof fakePep>;
  let store: OwnKeysStore;
  let published: PublishedNodesStore;
  let keys: OwnKeys;
  /** A sign-in's reading of the key node, as core.ts makes it. */
  let signIn: () => Promise<void>;
  /** Keys made so far: each valid for a day more, so each has a fingerprint of its own. */
  let made = 0;

  beforeAll(async () => {
    ({ privateKey } = await generateRsaKeyPair(2048));
  });
  beforeEach(() => {
    pep = fakePep({ fields: BASE_FIELDS });
    ({ store, published, keys, signIn } = ownKeysOnPep(vaults(), pep));
  });

  async function addKey(): Promise<string> {
    const certificateDer = await createSelfSignedCertificate({ bareJid: JULIET, privateKey, validityDays: 30 + ++made });
    const fingerprint = certificateFingerprint(certificateDer);
    await store.add(JULIET, { fingerprint, certificateDer, privateKey });
    return fingerprint;
  }
  const onNode = () => pep.nodes.get(NS.pubkey)?.items ?? [];
  const viewOf = (fingerprint: string) => keys.list().find((k) => k.fingerprint === fingerprint);

  it('a publish says the key is on the server, and the next sign-in records it', async () => {
    const fingerprint = await addKey();
    await disk?.fill();
    expect(await outcomeOf(keys.publish(fingerprint, { model: 'presence' }))).toBe(
      'Your key was published on your server, but the app could not record it (the disk is full). Until then My keys shows it as not published. ' +
        'Free some space: at your next sign-in the app finds it on your server and records it.',
    );
    expect(onNode()).toEqual([fingerprint]);
    expect(viewOf(fingerprint)?.publications).toEqual([]);
    await disk?.free();
    await signIn();
    expect(viewOf(fingerprint)?.publications).toEqual([expect.objectContaining({ node: NS.pubkey, accessModel: 'presence' })]);
  });

  it('a publish whose record the disk cuts off midway: My keys shows it as not published, as the words say, and drift watch expects it', async () => {
    const fingerprint = await addKey();
    // The disk fills just after the first of the publish's vault writes, whichever it is.
    const setPublication = store.setPublication.bind(store);
    const recordPublish = published.recordPublish.bind(published);
    let wrote = false;
    const thenFill = async () => {
      if (!wrote) await disk?.fill();
      wrote = true;
    };
    store.setPublication = async (...args) => {
      await setPublication(...args);
      await thenFill();
    };
    published.recordPublish = async (...args) => {
      await recordPublish(...args);
      await thenFill();
    };
    expect(await outcomeOf(keys.publish(fingerprint, { model: 'presence' }))).toBe(
      'Your key was published on your server, but the app could not record it (the disk is full). Until then My keys shows it as not published. ' +
        'Free some space: at your next sign-in the app finds it on your server and records it.',
    );
    expect(viewOf(fingerprint)?.publications).toEqual([]);
    // The app's own key: drift watch must not report it as put there by another client.
    expect(published.expects(JULIET, NS.pubkey, fingerprint)).toBe(true);
    await disk?.free();
    await signIn();
    expect(viewOf(fingerprint)?.publications).toEqual([expect.objectContaining({ node: NS.pubkey, accessModel: 'presence' })]);
  });

  it('a revoke says the revocation is on the server, not to use the key, and the next sign-in marks it revoked', async () => {
    const fingerprint = await addKey();
    await keys.publish(fingerprint, { model: 'presence' });
    await disk?.fill();
    expect(await outcomeOf(keys.revoke(fingerprint, 'retired'))).toBe(
      'The revocation of your key was published on your server, for your contacts to see, but the app could not record it (the disk is full). ' +
        'Until then this key shows as not revoked here: do not use it. Free some space: at your next sign-in the app reads the revocation from your server and marks the key revoked.',
    );
    expect(onNode()).toContain(revocationItemId(fingerprint));
    expect(viewOf(fingerprint)?.revoked).toBeUndefined();
    await disk?.free();
    await signIn();
    expect(viewOf(fingerprint)?.revoked).toBeDefined();
    // Its own item, left beside the revocation, went at that sign-in.
    expect(onNode()).toEqual([revocationItemId(fingerprint)]);
  });

  /** The disk fills as the next withdrawal goes out to the server (once): after the app noted it, before it records it. */
  const fillAtWithdrawal = () => {
    const set = pep.ctx.iq.set.bind(pep.ctx.iq);
    let fills = true;
    pep.ctx.iq.set = async (element, to, timeout) => {
      if (fills && element.getChild('retract')) {
        fills = false;
        await disk?.fill();
      }
      return set(element, to, timeout);
    };
  };

  it('a withdrawal on a full disk is refused before the server is asked: nothing was changed, and the words say so', async () => {
    const fingerprint = await addKey();
    await keys.publish(fingerprint, { model: 'presence' });
    await disk?.fill();
    expect(await outcomeOf(keys.retract(fingerprint))).toBe('Could not save the vault (the disk is full); nothing was changed.');
    expect(onNode()).toEqual([fingerprint]);
    expect(viewOf(fingerprint)?.publications).toHaveLength(1);
    expect(published.expects(JULIET, NS.pubkey, fingerprint)).toBe(true);
  });

  it('a withdrawal the disk fills after: the words say the key left the server, drift watch knows it for the app’s own, and withdrawing again records it', async () => {
    const fingerprint = await addKey();
    await keys.publish(fingerprint, { model: 'presence' });
    fillAtWithdrawal();
    expect(await outcomeOf(keys.retract(fingerprint))).toBe(
      'Your key was withdrawn from your server, but the app could not record it (the disk is full). Until then My keys shows it as published. ' +
        'Free some space, then withdraw it again: the app then records it.',
    );
    expect(onNode()).toEqual([]);
    expect(viewOf(fingerprint)?.publications).toHaveLength(1);
    // Not reported as removed by another app (items-removed).
    expect(published.expects(JULIET, NS.pubkey, fingerprint)).toBe(false);
    await disk?.free();
    expect(await outcomeOf(keys.retract(fingerprint))).toBe('succeeded');
    expect(viewOf(fingerprint)?.publications).toEqual([]);
  });

  it('a withdrawal the server refuses: drift watch expects the key again', async () => {
    const fingerprint = await addKey();
    await keys.publish(fingerprint, { model: 'presence' });
    const set = pep.ctx.iq.set.bind(pep.ctx.iq);
    pep.ctx.iq.set = (element, to, timeout) => (element.getChild('retract') ? Promise.reject(stanzaError('forbidden', 'auth')) : set(element, to, timeout));
    expect(await outcomeOf(keys.retract(fingerprint))).not.toBe('succeeded');
    expect(onNode()).toEqual([fingerprint]);
    expect(published.expects(JULIET, NS.pubkey, fingerprint)).toBe(true);
  });

  it('a delete on a full disk is refused before the server is asked: the key stays published and in the vault', async () => {
    const fingerprint = await addKey();
    await keys.publish(fingerprint, { model: 'presence' });
    await disk?.fill();
    expect(await outcomeOf(keys.delete(fingerprint))).toBe('Could not save the vault (the disk is full); nothing was changed.');
    expect(onNode()).toEqual([fingerprint]);
    expect(viewOf(fingerprint)).toBeDefined();
  });

  it('a delete the disk fills after: the words say the key left the server and is still in the vault, and deleting again deletes it', async () => {
    const fingerprint = await addKey();
    await keys.publish(fingerprint, { model: 'presence' });
    fillAtWithdrawal();
    expect(await outcomeOf(keys.delete(fingerprint))).toBe(
      'Your key was withdrawn from your server, but the app could not record it (the disk is full). It is still in the vault. Free some space, then delete it again.',
    );
    expect(onNode()).toEqual([]);
    expect(viewOf(fingerprint)).toBeDefined();
    expect(published.expects(JULIET, NS.pubkey, fingerprint)).toBe(false);
    await disk?.free();
    expect(await outcomeOf(keys.delete(fingerprint))).toBe('succeeded');
    expect(viewOf(fingerprint)).toBeUndefined();
  });

  it('a key never published, deleted on a full disk: the vault’s own words, nothing changed', async () => {
    const fingerprint = await addKey();
    await disk?.fill();
    expect(await outcomeOf(keys.delete(fingerprint))).toBe('Could not save the vault (the disk is full); nothing was changed.');
    expect(viewOf(fingerprint)).toBeDefined();
  });
});
