/**
 * A revoked key's item found on the key node without its revocation beside it makes the app publish
 * that revocation to the node's audience as the server reports it now (own-revocations.ts), as does a
 * revoke of a key the vault does not record as published (OwnKeys.revoke). Another client (a stolen
 * password, a server admin) can be behind that state: it widened who may read the node, then put the
 * revoked key's item back. The revocation still goes out (a public statement: more readers are
 * harmless), but the node is not reconfigured and its record keeps the access the person chose, so
 * drift watch still reports the widening. Before, the record was copied from the server and the alarm
 * fell silent at the next sign-in. Real vaults and signatures, over a PEP service in memory that
 * checks publish-options preconditions as both real servers do.
 *
 * The same client may also have stopped the node keeping items (persist_items=false): a publish asking
 * for persistence is then refused (precondition-not-met), and before, the revoke failed there, as did
 * the revocation published at sign-in (the key's item then left on the node, its revocation never out).
 * Now persistence alone is put back first (XEP-0222 §2), who may read the node left as it is.
 */
import type { KeyObject } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSelfSignedCertificate } from '../../main/keys/certificate.js';
import { parseForm } from '../../main/xmpp/data-form.js';
import { certificateFingerprint } from '../../main/keys/fingerprint.js';
import { generateRsaKeyPair } from '../../main/keys/generate.js';
import type { DriftWatch } from '../../main/services/drift-watch.js';
import { KEY_NODE_MAX_ITEMS, type OwnKeys } from '../../main/services/own-keys.js';
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
/**
 * A second key's: a revocation as compromised covers every certificate of its key (revoked-here.ts),
 * so a second certificate of the first key would be revoked with it, and the second revoke refused.
 */
let otherPrivateKey: KeyObject;
beforeAll(async () => {
  ({ privateKey } = await generateRsaKeyPair(2048));
  ({ privateKey: otherPrivateKey } = await generateRsaKeyPair(2048));
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
  /** Another client stops the node keeping items: a publish asking persist_items=true is refused. */
  const stopKeepingItems = () => keyNode().config.set('pubsub#persist_items', ['0']);
  /** As an admin's pinned configuration would: persistence off, and a configure answered but leaving it off. */
  const pinPersistenceOff = () => {
    stopKeepingItems();
    const pinned = pep.ctx.iq.set.bind(pep.ctx.iq);
    pep.ctx.iq.set = async (element, ...rest) => {
      const answer = await pinned(element, ...rest);
      if (element.is('pubsub', NS.pubsubOwner) && element.getChild('configure')) stopKeepingItems();
      return answer;
    };
  };
  /** The fields of each configuration form sent after the first `since` requests. */
  const configuredFields = (since: number) =>
    pep.requests
      .slice(since)
      .map((r) => (r.is('pubsub', NS.pubsubOwner) ? r.getChild('configure')?.getChild('x', NS.dataForms) : undefined))
      .filter((x) => x !== undefined)
      .map((x) => [...parseForm(x).fields.keys()]);
  /**
   * What the publish leaves on a node another client widened and made keep no items: the revocation
   * alone on it; since the first `sent` requests, one configuration, of persistence only (the access
   * model not even set again to what it is); the node still open, its record still the person's
   * choice; and drift reporting the widening, no longer persistence.
   */
  const expectPersistenceAlonePutBack = async (sent: number) => {
    expect(keyNode().items).toEqual([revocationItemId(fingerprint)]);
    expect(configuredFields(sent)).toEqual([['pubsub#persist_items']]);
    expect(pep.value(NS.pubkey, 'pubsub#persist_items')).toBe('1');
    expect(pep.value(NS.pubkey, 'pubsub#access_model')).toBe('open');
    expect(recordedAccess()).toEqual({ model: 'presence' });
    const found = await findings();
    expect(found).toContain('access-widened');
    expect(found).not.toContain('persistence-changed');
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keyring-revoke-record-'));
    pep = fakePep({ fields: BASE_FIELDS, checksPreconditions: true, keepsMaxItems: true });
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

  it('at sign-in, on a node that client also made keep no items: persistence alone is put back, the revocation goes out and the key is withdrawn, drift still reports the widening', async () => {
    await keys.revoke(fingerprint, 'compromised');
    widenAndPutBack();
    stopKeepingItems();
    const sent = pep.requests.length;

    await revocations.readNode(fetchItems(pep.ctx.iq, JULIET, NS.pubkey));

    // The code before: the publish refused (precondition-not-met), the key's item left there alone.
    await expectPersistenceAlonePutBack(sent);
  });

  it('at sign-in, on a server that keeps the node from storing items even when asked: nothing published, and the key is not withdrawn without its revocation', async () => {
    await keys.revoke(fingerprint, 'compromised');
    widenAndPutBack();
    pinPersistenceOff();

    await revocations.readNode(fetchItems(pep.ctx.iq, JULIET, NS.pubkey));

    // Withdrawn alone, the key would be all contacts hold, never told it is revoked: tried again later.
    expect(keyNode().items).toEqual([fingerprint]);
    expect(pep.value(NS.pubkey, 'pubsub#access_model')).toBe('open');
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

  it('a revoke on a node another client widened and made to keep no items: persistence alone is put back, the revocation goes out and stays, drift still reports the widening', async () => {
    keyNode().config.set('pubsub#access_model', ['open']);
    stopKeepingItems();
    const sent = pep.requests.length;

    const answer = await keys.revoke(fingerprint, 'compromised');

    expect(answer).toMatchObject({ published: true, withdrawn: true, config: { accessModel: 'open', persistItems: true } });
    await expectPersistenceAlonePutBack(sent);
  });

  it('the same for a key the vault lost track of publishing, on a node also cut to one item: room for the keys comes back with persistence', async () => {
    await store.setPublication(JULIET, fingerprint, NS.pubkey, undefined);
    keyNode().config.set('pubsub#access_model', ['open']);
    keyNode().config.set('pubsub#max_items', ['1']);
    stopKeepingItems();
    const sent = pep.requests.length;

    const answer = await keys.revoke(fingerprint, 'compromised');

    expect(answer).toMatchObject({ published: true, withdrawn: true, config: { accessModel: 'open', persistItems: true, maxItems: String(KEY_NODE_MAX_ITEMS) } });
    expect(keyNode().items).toEqual([revocationItemId(fingerprint)]);
    expect(configuredFields(sent)).toEqual([['pubsub#persist_items', 'pubsub#max_items']]);
    expect(pep.value(NS.pubkey, 'pubsub#access_model')).toBe('open');
    expect(recordedAccess()).toEqual({ model: 'presence' });
    expect(await findings()).toContain('access-widened');
  });

  it('a node another client widened and cut to one item, persistence left on: a second revocation does not push the first off', async () => {
    const der2 = await createSelfSignedCertificate({ bareJid: JULIET, privateKey: otherPrivateKey, validityDays: 30 });
    const fingerprint2 = certificateFingerprint(der2);
    await store.add(JULIET, { fingerprint: fingerprint2, certificateDer: der2, privateKey: otherPrivateKey });
    await keys.publish(fingerprint2, { model: 'presence' });
    await keys.revoke(fingerprint, 'compromised');
    keyNode().config.set('pubsub#access_model', ['open']);
    keyNode().config.set('pubsub#max_items', ['1']);
    const sent = pep.requests.length;

    await keys.revoke(fingerprint2, 'superseded');

    // Room for the keys comes back (persistence was never off), the access left as that client set it.
    expect(configuredFields(sent)).toEqual([['pubsub#max_items']]);
    expect(keyNode().items).toEqual([revocationItemId(fingerprint), revocationItemId(fingerprint2)]);
    expect(pep.value(NS.pubkey, 'pubsub#access_model')).toBe('open');
    expect(await findings()).toContain('access-widened');
  });

  it('a server that keeps the node from storing items even when asked: the revoke is refused in words, nothing published', async () => {
    keyNode().config.set('pubsub#access_model', ['open']);
    pinPersistenceOff();

    await expect(keys.revoke(fingerprint, 'compromised')).rejects.toThrow(/^Storing your keys is turned off on the server and stayed off/);
    expect(keyNode().items).toEqual([fingerprint]);
    expect(await keys.revokedHere(fingerprint)).toBe(false);
  });

  it('a server that keeps the node at one item even when asked for more: the second revoke is refused in words, the first revocation stays', async () => {
    const der2 = await createSelfSignedCertificate({ bareJid: JULIET, privateKey: otherPrivateKey, validityDays: 30 });
    const fingerprint2 = certificateFingerprint(der2);
    await store.add(JULIET, { fingerprint: fingerprint2, certificateDer: der2, privateKey: otherPrivateKey });
    await keys.publish(fingerprint2, { model: 'presence' });
    await keys.revoke(fingerprint, 'compromised');
    keyNode().config.set('pubsub#access_model', ['open']);
    keyNode().config.set('pubsub#max_items', ['1']);
    // As an admin's pinned configuration would (ejabberd's force_node_config): the configure is answered, and max_items stays 1.
    const pinned = pep.ctx.iq.set.bind(pep.ctx.iq);
    pep.ctx.iq.set = async (element, ...rest) => {
      const answer = await pinned(element, ...rest);
      if (element.is('pubsub', NS.pubsubOwner) && element.getChild('configure')) keyNode().config.set('pubsub#max_items', ['1']);
      return answer;
    };

    await expect(keys.revoke(fingerprint2, 'superseded')).rejects.toThrow(/^The server kept your keys at 1 item when the app asked for room for 32 .* Nothing was published\.$/);
    // Published, the second revocation would have pushed the first off the node (keepsMaxItems).
    expect(keyNode().items).toContain(revocationItemId(fingerprint));
    expect(keyNode().items).not.toContain(revocationItemId(fingerprint2));
    expect(await keys.revokedHere(fingerprint2)).toBe(false);
  });

  it('a server that does not say how many items it keeps: the revocation still goes out (not refused for a number never given)', async () => {
    // Widened by another client: the revocation goes out as the node is (publishAsIs), after the put-back.
    keyNode().config.set('pubsub#access_model', ['open']);
    const unsaid = () => keyNode().config.delete('pubsub#max_items');
    unsaid();
    const answered = pep.ctx.iq.set.bind(pep.ctx.iq);
    pep.ctx.iq.set = async (element, ...rest) => {
      const answer = await answered(element, ...rest);
      if (element.is('pubsub', NS.pubsubOwner) && element.getChild('configure')) unsaid();
      return answer;
    };

    await keys.revoke(fingerprint, 'compromised');

    expect(keyNode().items).toEqual([revocationItemId(fingerprint)]);
    expect(await keys.revokedHere(fingerprint)).toBe(true);
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
