/**
 * A revoked key's item found on the key node without its revocation beside it makes the app publish
 * that revocation to the node's audience as the server reports it now (own-revocations.ts), as does a
 * revoke of a key the vault does not record as published (OwnKeys.revoke). Another client (a stolen
 * password, a server admin) can be behind that state: it widened who may read the node, then put the
 * revoked key's item back. The revocation still goes out (a public statement: more readers are
 * harmless), but the node is not reconfigured and its record keeps the access the person chose, so
 * drift watch still reports the widening. Before, the record was copied from the server and the alarm
 * fell silent at the next sign-in. Real vaults and signatures, over a PEP service in memory.
 */
import type { KeyObject } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSelfSignedCertificate } from '../../main/keys/certificate.js';
import { certificateFingerprint } from '../../main/keys/fingerprint.js';
import { generateRsaKeyPair } from '../../main/keys/generate.js';
import type { DriftWatch } from '../../main/services/drift-watch.js';
import type { OwnKeys } from '../../main/services/own-keys.js';
import type { OwnRevocations } from '../../main/services/own-revocations.js';
import type { OwnKeysStore } from '../../main/vault/stores/own-keys-store.js';
import type { PublishedNodesStore } from '../../main/vault/stores/published-nodes-store.js';
import { fetchItems } from '../../main/xmpp/fetch-items.js';
import { revocationItemId } from '../../main/xmpp/key-statements.js';
import { NS } from '../../main/xmpp/namespaces.js';
import { pubkeyPayload } from '../../main/xmpp/pubkey-items.js';
import type { RawItem } from '../../main/xmpp/pubsub.js';
import { BASE_FIELDS, fakePep, JULIET } from '../support/fake-pep-service.js';
import { driftWatchOnPep, ownKeysOnPep } from '../support/own-keys-on-pep.js';
import { unlockedVaults } from '../support/vaults.js';

let privateKey: KeyObject;
beforeAll(async () => {
  ({ privateKey } = await generateRsaKeyPair(2048));
}, 60_000);

describe('a revoked key put back on a key node another client widened', () => {
  let dir: string;
  let pep: ReturnType<typeof fakePep>;
  let store: OwnKeysStore;
  let published: PublishedNodesStore;
  let keys: OwnKeys;
  let revocations: OwnRevocations;
  let drift: DriftWatch;
  let fingerprint: string;
  let der: Buffer;

  const keyNode = () => {
    const node = pep.nodes.get(NS.pubkey);
    if (!node) throw new Error('no key node');
    return node;
  };
  const recordedAccess = () => published.list(JULIET)[NS.pubkey]?.access;
  const findings = async () => (await drift.check()).nodes.find((n) => n.node === NS.pubkey)?.findings.map((f) => f.code);
  /** Another client opens the node to everyone and puts the key's item back, its revocation gone. */
  const widenAndPutBack = () => {
    const node = keyNode();
    node.config.set('pubsub#access_model', ['open']);
    node.items = [fingerprint];
    node.payloads.set(fingerprint, pubkeyPayload(der));
    node.payloads.delete(revocationItemId(fingerprint));
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keyring-revoke-record-'));
    pep = fakePep({ fields: BASE_FIELDS });
    const device = ownKeysOnPep(await unlockedVaults(dir), pep);
    ({ store, published, keys, revocations } = device);
    drift = driftWatchOnPep(device);
    der = await createSelfSignedCertificate({ bareJid: JULIET, privateKey, validityDays: 30 });
    fingerprint = certificateFingerprint(der);
    await store.add(JULIET, { fingerprint, certificateDer: der, privateKey });
    await keys.publish(fingerprint, { model: 'presence' });
  });

  afterEach(async () => {
    drift.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('at sign-in the revocation goes out again and the key is withdrawn, and drift still reports the widened access', async () => {
    await keys.revoke(fingerprint, 'compromised');
    expect(keyNode().items).toEqual([revocationItemId(fingerprint)]);
    widenAndPutBack();
    const configuredBefore = pep.configSets();

    // A sign-in, as core.ts makes it: the revocations are applied before drift's first check.
    await revocations.readNode(fetchItems(pep.ctx.iq, JULIET, NS.pubkey));

    expect(keyNode().items).toEqual([revocationItemId(fingerprint)]);
    expect(pep.configSets()).toBe(configuredBefore);
    expect(pep.value(NS.pubkey, 'pubsub#access_model')).toBe('open');
    expect(recordedAccess()).toEqual({ model: 'presence' });
    expect(await findings()).toContain('access-widened');
  });

  it('someone let in as a member under presence access: their access is not quietly taken away, so drift still reports it', async () => {
    await keys.revoke(fingerprint, 'compromised');
    const node = keyNode();
    node.affiliations.set('mallory@evil.example', 'member');
    node.items = [fingerprint];
    node.payloads.set(fingerprint, pubkeyPayload(der));
    node.payloads.delete(revocationItemId(fingerprint));

    await revocations.readNode(fetchItems(pep.ctx.iq, JULIET, NS.pubkey));

    expect(keyNode().items).toEqual([revocationItemId(fingerprint)]);
    expect(keyNode().affiliations.get('mallory@evil.example')).toBe('member');
    expect(recordedAccess()).toEqual({ model: 'presence' });
    expect(await findings()).toContain('members-added');
  });

  it('from a notification carrying the key’s item alone: the same', async () => {
    await keys.revoke(fingerprint, 'compromised');
    widenAndPutBack();
    const item: RawItem = { id: fingerprint, payload: pubkeyPayload(der), size: 1 };

    await revocations.apply([item]);

    expect(keyNode().items).toEqual([revocationItemId(fingerprint)]);
    expect(recordedAccess()).toEqual({ model: 'presence' });
    expect(await findings()).toContain('access-widened');
  });

  it('a revoke while another client has widened the node is not held back: the revocation goes out, the node is left as it is, and drift still reports the widening', async () => {
    keyNode().config.set('pubsub#access_model', ['open']);
    const answer = await keys.revoke(fingerprint, 'compromised');
    expect(answer).toMatchObject({ published: true, withdrawn: true });
    expect(keyNode().items).toEqual([revocationItemId(fingerprint)]);
    expect(await keys.revokedHere(fingerprint)).toBe(true);
    expect(keyNode().config.get('pubsub#access_model')).toEqual(['open']);
    expect(recordedAccess()).toMatchObject({ model: 'presence' });
    expect(await findings()).toContain('access-widened');
  });

  it('a revoke of a key the vault lost track of publishing: the record keeps the chosen access', async () => {
    // As if a full disk had kept the publish out of the key's own record; the drift record has it.
    await store.setPublication(JULIET, fingerprint, NS.pubkey, undefined);
    keyNode().config.set('pubsub#access_model', ['open']);
    const configuredBefore = pep.configSets();

    const answer = await keys.revoke(fingerprint, 'compromised');

    expect(answer).toMatchObject({ published: true, withdrawn: true });
    expect(keyNode().items).toEqual([revocationItemId(fingerprint)]);
    expect(pep.configSets()).toBe(configuredBefore);
    expect(recordedAccess()).toEqual({ model: 'presence' });
    expect(await findings()).toContain('access-widened');
  });

  it('a revoke on a device with no record of the key node: the revocation is recorded to the audience the server reports', async () => {
    // Another device of the account, with the same key (restored from a backup), never published from here.
    const other = await mkdtemp(join(tmpdir(), 'keyring-revoke-record-other-'));
    try {
      const { store: otherStore, published: otherPublished, keys: otherKeys } = ownKeysOnPep(await unlockedVaults(other), pep);
      await otherStore.add(JULIET, { fingerprint, certificateDer: der, privateKey });
      expect(otherPublished.list(JULIET)[NS.pubkey]).toBeUndefined();

      await otherKeys.revoke(fingerprint, 'compromised');

      expect(keyNode().items).toEqual([revocationItemId(fingerprint)]);
      expect(otherPublished.list(JULIET)[NS.pubkey]).toMatchObject({ access: { model: 'presence' }, items: [{ id: revocationItemId(fingerprint), certificate: fingerprint }] });
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });
});
