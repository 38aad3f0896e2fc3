/**
 * Accept on a full disk (a real full tmpfs under the vault: test/support/small-disk.ts; a PEP service
 * in memory). Accept writes only the vault, node by node: a disk that fills after the first node was
 * recorded must not be answered with the vault's "nothing was changed", and accepting again once there
 * is space must record the rest, the keys' audience in My keys with it. The key node's Accept writes
 * each key's audience before the node's record: a disk full after that write is a part recorded too.
 */
import type { KeyObject } from 'node:crypto';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Profile } from '../../../contract/index.js';
import { createSelfSignedCertificate } from '../../../main/keys/certificate.js';
import { certificateFingerprint } from '../../../main/keys/fingerprint.js';
import { generateRsaKeyPair } from '../../../main/keys/generate.js';
import type { DriftWatch } from '../../../main/services/drift-watch.js';
import type { OwnKeys } from '../../../main/services/own-keys.js';
import type { VaultDocument } from '../../../main/vault/schema.js';
import type { PublishedNodesStore } from '../../../main/vault/stores/published-nodes-store.js';
import { NS } from '../../../main/xmpp/namespaces.js';
import { BASE_FIELDS, fakePep, JULIET } from '../../support/fake-pep-service.js';
import { driftWatchOnPep, ownKeysOnPep, profileOnPep } from '../../support/own-keys-on-pep.js';
import { outcomeOf, smallDiskSuite } from '../../support/small-disk-suite.js';

const small = smallDiskSuite();
const disk = small.disk;

const PROFILE: Profile = { fullName: 'Juliet Capulet', nickname: 'Jules', emails: [], phones: [], urls: [] };

describe.skipIf(disk === undefined)(small.title('Accept, the disk full'), () => {
  const vaults = small.vaultPerTest();
  let pep: ReturnType<typeof fakePep>;
  let published: PublishedNodesStore;
  let drift: DriftWatch;

  beforeEach(async () => {
    pep = fakePep({ fields: BASE_FIELDS });
    const device = ownKeysOnPep(vaults(), pep);
    published = device.published;
    drift = driftWatchOnPep(device);
    await profileOnPep(device).publish(PROFILE, { model: 'presence' });
  });
  afterEach(() => drift.stop());

  it('full after the first node was recorded: says part was recorded, and accepting again records the rest', async () => {
    // Another app of the account opened both nodes to everyone.
    for (const node of [NS.vcard4, NS.nick]) pep.nodes.get(node)?.config.set('pubsub#access_model', ['open']);
    const replace = published.replace.bind(published);
    published.replace = async (...args) => {
      await replace(...args);
      await disk?.fill();
    };
    expect(await outcomeOf(drift.accept())).toBe(
      'Part of what your server holds now was recorded as intended, but the app could not record the rest (the disk is full). Free some space, then accept again.',
    );
    published.replace = replace;
    await disk?.free();
    expect(await outcomeOf(drift.accept())).toBe('succeeded');
    const report = await drift.check();
    expect(report.nodes.filter((n) => n.node === NS.vcard4 || n.node === NS.nick).map((n) => [n.node, n.findings])).toEqual([
      [NS.vcard4, []],
      [NS.nick, []],
    ]);
  });

  it('full from the start: the vault’s own words, nothing changed', async () => {
    pep.nodes.get(NS.vcard4)?.config.set('pubsub#access_model', ['open']);
    await disk?.fill();
    expect(await outcomeOf(drift.accept())).toBe('Could not save the vault (the disk is full); nothing was changed.');
  });
});

describe.skipIf(disk === undefined)(small.title('Accept on the key node, the disk full'), () => {
  const vaults = small.vaultPerTest('keys-vault');
  let privateKey: KeyObject;
  let pep: ReturnType<typeof fakePep>;
  let keys: OwnKeys;
  let drift: DriftWatch;
  let fingerprints: string[];

  beforeAll(async () => {
    ({ privateKey } = await generateRsaKeyPair(2048));
  });
  beforeEach(async () => {
    pep = fakePep({ fields: BASE_FIELDS });
    const services = ownKeysOnPep(vaults(), pep);
    keys = services.keys;
    drift = driftWatchOnPep(services);
    // Two own keys published on the key node (two certificates of one key pair: two fingerprints).
    fingerprints = [];
    for (const validityDays of [30, 31]) {
      const certificateDer = await createSelfSignedCertificate({ bareJid: JULIET, privateKey, validityDays });
      const fingerprint = certificateFingerprint(certificateDer);
      await services.store.add(JULIET, { fingerprint, certificateDer, privateKey });
      await keys.publish(fingerprint, { model: 'presence' });
      fingerprints.push(fingerprint);
    }
  });
  afterEach(() => drift.stop());

  const audiences = () => fingerprints.map((f) => keys.list().find((k) => k.fingerprint === f)?.publications.map((p) => p.accessModel));

  it('full after the first write of the keys’ audience: says part was recorded, and accepting again records the rest', async () => {
    // Another app of the account opened the key node to everyone.
    pep.nodes.get(NS.pubkey)?.config.set('pubsub#access_model', ['open']);
    // The disk fills once the first write of Accept is on it, whatever that write holds.
    const vault = vaults().vault;
    const update = vault.update.bind(vault);
    let wrote = false;
    vault.update = async <T>(change: (draft: VaultDocument) => T): Promise<T> => {
      const result = await update(change);
      if (!wrote) await disk?.fill();
      wrote = true;
      return result;
    };
    expect(await outcomeOf(drift.accept())).toBe(
      'Part of what your server holds now was recorded as intended, but the app could not record the rest (the disk is full). Free some space, then accept again.',
    );
    vault.update = update;
    await disk?.free();
    expect(await outcomeOf(drift.accept())).toBe('succeeded');
    expect((await drift.check()).nodes.find((n) => n.node === NS.pubkey)?.findings).toEqual([]);
    expect(audiences()).toEqual([['open'], ['open']]);
  });
});
