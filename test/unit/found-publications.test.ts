/**
 * A publish cut off after the server took it (the app killed before it recorded the publication):
 * at the next sign-in the key node's items say the key is published, and the server's word wins. The
 * key is recorded as published, to the node's audience as the server reports it, and drift watch
 * expects it; Delete then withdraws it first. A revoked key's item, an item under another id and an
 * item carrying another certificate are not recorded. Over a PEP service in memory.
 */
import type { KeyObject } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSelfSignedCertificate } from '../../main/keys/certificate.js';
import { certificateFingerprint } from '../../main/keys/fingerprint.js';
import { generateRsaKeyPair } from '../../main/keys/generate.js';
import { createRevocation } from '../../main/keys/revocation.js';
import { silentLogger } from '../../main/logger.js';
import { FoundPublications } from '../../main/services/found-publications.js';
import { OwnKeys } from '../../main/services/own-keys.js';
import { OwnKeysStore } from '../../main/vault/stores/own-keys-store.js';
import { PublishedNodesStore } from '../../main/vault/stores/published-nodes-store.js';
import { fetchItems } from '../../main/xmpp/fetch-items.js';
import { NS } from '../../main/xmpp/namespaces.js';
import { pubkeyPayload } from '../../main/xmpp/pubkey-items.js';
import { BASE_FIELDS, fakePep, JULIET, pepSession } from '../support/fake-pep-service.js';
import { unlockedVaults } from '../support/vaults.js';

let privateKey: KeyObject;
beforeAll(async () => {
  ({ privateKey } = await generateRsaKeyPair(2048));
}, 60_000);

describe('an own key on the server that the vault records as not published', () => {
  let dir: string;
  let pep: ReturnType<typeof fakePep>;
  let store: OwnKeysStore;
  let published: PublishedNodesStore;
  let keys: OwnKeys;
  let found: FoundPublications;
  let changed: string[];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keyring-found-'));
    pep = fakePep({ fields: BASE_FIELDS });
    const vaults = await unlockedVaults(dir);
    changed = [];
    store = new OwnKeysStore(vaults, { changed: (account) => changed.push(account) });
    published = new PublishedNodesStore(vaults);
    const session = pepSession(pep);
    keys = new OwnKeys({ store, published, session });
    found = new FoundPublications({ store, published, session, log: silentLogger });
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function addKey(days: number): Promise<{ fingerprint: string; der: Buffer }> {
    const der = await createSelfSignedCertificate({ bareJid: JULIET, privateKey, validityDays: days });
    const fingerprint = certificateFingerprint(der);
    await store.add(JULIET, { fingerprint, certificateDer: der, privateKey });
    return { fingerprint, der };
  }

  /** Published, then the vault put back as it was before the publish was recorded (the kill). */
  async function publishedButNotRecorded(fingerprint: string, access: Parameters<OwnKeys['publish']>[1]): Promise<void> {
    await keys.publish(fingerprint, access);
    await store.setPublication(JULIET, fingerprint, NS.pubkey, undefined);
    await published.recordRetract(JULIET, NS.pubkey, fingerprint);
  }

  const readNode = () => found.readNode(fetchItems(pep.ctx.iq, JULIET, NS.pubkey));
  const publicationOf = (fingerprint: string) => keys.list().find((k) => k.fingerprint === fingerprint)?.publications;

  it('is recorded as published, to the audience the server reports, and drift watch expects it', async () => {
    const { fingerprint } = await addKey(30);
    await publishedButNotRecorded(fingerprint, { model: 'presence' });
    expect(publicationOf(fingerprint)).toEqual([]);
    // Another client changed the node's access meanwhile: the server's is what counts.
    pep.nodes.get(NS.pubkey)?.config.set('pubsub#access_model', ['open']);

    changed = [];
    expect(await readNode()).toEqual([fingerprint]);
    expect(publicationOf(fingerprint)).toEqual([expect.objectContaining({ node: NS.pubkey, accessModel: 'open' })]);
    expect(published.expects(JULIET, NS.pubkey, fingerprint)).toBe(true);
    // Every window hears of it (the store says so after each write: core.ts makes it keys:changed).
    expect(changed).toContain(JULIET);
    // Read again: nothing new.
    expect(await readNode()).toEqual([]);
  });

  it('a node never recorded (the very first publish was cut off) is recorded as found', async () => {
    const { fingerprint } = await addKey(30);
    await publishedButNotRecorded(fingerprint, { model: 'whitelist', allow: ['romeo@montague.lit'] });
    await published.replace(JULIET, NS.pubkey, { access: { model: 'open' }, maxItems: 32, items: [] });
    expect(await readNode()).toEqual([fingerprint]);
    expect(publicationOf(fingerprint)).toEqual([expect.objectContaining({ accessModel: 'whitelist', allow: ['romeo@montague.lit'] })]);
  });

  it('Delete then withdraws it before erasing it', async () => {
    const { fingerprint } = await addKey(30);
    await publishedButNotRecorded(fingerprint, { model: 'presence' });
    await readNode();
    expect(await keys.delete(fingerprint)).toEqual({ retracted: true });
    expect(pep.nodes.get(NS.pubkey)?.items).toEqual([]);
  });

  it('a revoked key, an item under another id and another certificate are not recorded', async () => {
    const revoked = await addKey(30);
    const elsewhere = await addKey(31);
    const other = await createSelfSignedCertificate({ bareJid: JULIET, privateKey, validityDays: 32 });
    await publishedButNotRecorded(revoked.fingerprint, { model: 'presence' });
    await store.setRevoked(JULIET, revoked.fingerprint, await createRevocation({ bareJid: JULIET, certificateDer: revoked.der, privateKey, reason: 'superseded' }));
    const node = pep.nodes.get(NS.pubkey);
    if (!node) throw new Error('no key node');
    // Our certificate under an id contacts refuse; a certificate this vault does not hold under our id.
    node.items.push('not-a-fingerprint', elsewhere.fingerprint);
    node.payloads.set('not-a-fingerprint', pubkeyPayload(elsewhere.der));
    node.payloads.set(elsewhere.fingerprint, pubkeyPayload(other));

    expect(await readNode()).toEqual([]);
    expect(publicationOf(revoked.fingerprint)).toEqual([]);
    expect(publicationOf(elsewhere.fingerprint)).toEqual([]);
  });
});
