/**
 * A key's item must hold the key's certificate, not only its name: the publish reads the item back and
 * checks it carries the certificate sent, and drift watch notices when another client of the account
 * publishes another certificate under the same item id later, and Restore puts the key back. Against a
 * PEP service in memory; test/integration/drift-replaced-key.test.ts runs it on Prosody and ejabberd.
 */
import type { KeyObject } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { describeDeviation } from '../../contract/format.js';
import { AppEvents } from '../../main/events.js';
import { KeyringError } from '../../main/errors.js';
import { createSelfSignedCertificate } from '../../main/keys/certificate.js';
import { certificateFingerprint } from '../../main/keys/fingerprint.js';
import { generateRsaKeyPair } from '../../main/keys/generate.js';
import { silentLogger } from '../../main/logger.js';
import { DriftWatch } from '../../main/services/drift-watch.js';
import { OwnKeys } from '../../main/services/own-keys.js';
import { OwnKeysStore } from '../../main/vault/stores/own-keys-store.js';
import { PublishedNodesStore } from '../../main/vault/stores/published-nodes-store.js';
import { NS } from '../../main/xmpp/namespaces.js';
import { pubkeyPayload } from '../../main/xmpp/pubkey-items.js';
import { BASE_FIELDS, EJABBERD_FIELDS, type FakeOptions, fakePep, JULIET, pepSession } from '../support/fake-pep-service.js';
import { unlockedVaults } from '../support/vaults.js';

const KEYS = NS.pubkey;
let privateKey: KeyObject;
let ours: Buffer;
let theirs: Buffer;
beforeAll(async () => {
  ({ privateKey } = await generateRsaKeyPair(2048));
  ours = await createSelfSignedCertificate({ bareJid: JULIET, privateKey, validityDays: 30 });
  theirs = await createSelfSignedCertificate({ bareJid: JULIET, privateKey, validityDays: 31 });
}, 60_000);

describe('a key item holds the key it is named after', () => {
  let dir: string;
  let drift: DriftWatch | undefined;

  async function app(options: FakeOptions) {
    dir = await mkdtemp(join(tmpdir(), 'keyring-read-back-'));
    const pep = fakePep(options);
    const vaults = await unlockedVaults(dir);
    const store = new OwnKeysStore(vaults);
    const published = new PublishedNodesStore(vaults);
    const session = pepSession(pep);
    const keys = new OwnKeys({ store, published, session });
    drift = new DriftWatch({ published, ownKeys: store, session, events: new AppEvents(), log: silentLogger, intervalMs: 3_600_000, settleMs: 3_600_000 });
    const fingerprint = certificateFingerprint(ours);
    await store.add(JULIET, { fingerprint, certificateDer: ours, privateKey });
    return { pep, keys, drift, store, published, fingerprint };
  }

  afterEach(async () => {
    drift?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('another client republishes the item with another certificate: drift reports it, Restore puts the key back', async () => {
    const { pep, keys, drift, published, fingerprint } = await app({ fields: BASE_FIELDS });
    const config = await keys.publish(fingerprint, { model: 'presence' });
    expect(published.list(JULIET)[KEYS]?.items).toEqual([{ id: fingerprint, certificate: fingerprint }]);
    // Read back and checked: nothing to warn of.
    expect(config.deviations).toEqual([]);

    pep.nodes.get(KEYS)?.payloads.set(fingerprint, pubkeyPayload(theirs));
    expect((await drift.check()).nodes[0]?.findings).toEqual([
      { code: 'items-replaced', severity: 'alarm', items: [{ itemId: fingerprint, expected: fingerprint, found: certificateFingerprint(theirs) }] },
    ]);

    const { repaired, report } = await drift.restore(KEYS);
    expect(repaired).toMatchObject([{ node: KEYS, republished: [fingerprint], withoutPayload: [] }]);
    expect(report.nodes[0]?.findings).toEqual([]);
    expect(pep.nodes.get(KEYS)?.payloads.get(fingerprint)?.toString()).toBe(pubkeyPayload(ours).toString());
  });

  it('the server keeps another certificate than the one sent: the publish fails with read-back-mismatch, nothing recorded', async () => {
    const { keys, published, store, fingerprint } = await app({ fields: BASE_FIELDS, onPublish: () => pubkeyPayload(theirs) });
    const error = await keys.publish(fingerprint, { model: 'presence' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeyringError);
    expect(error).toMatchObject({ code: 'read-back-mismatch', message: expect.stringContaining(certificateFingerprint(theirs)) as string });
    expect(published.list(JULIET)[KEYS]).toBeUndefined();
    expect(store.find(JULIET, fingerprint)?.publications).toEqual([]);
  });

  it('a server that will not show the owner her items (ejabberd, roster access): the publish stands, and says it is unverified', async () => {
    const { keys, published, fingerprint } = await app({ fields: EJABBERD_FIELDS, hidesItemsFromOwner: true });
    const config = await keys.publish(fingerprint, { model: 'roster', groups: ['Friends'] });
    expect(published.list(JULIET)[KEYS]?.items).toEqual([{ id: fingerprint, certificate: fingerprint }]);
    // Before, the answer was the same as for a publish read back and checked: the person was never told.
    const unverified = config.deviations.find((d) => d.code === 'item-unverified');
    expect(unverified).toMatchObject({ code: 'item-unverified', itemId: fingerprint, detail: expect.stringContaining('not-authorized') as string });
    expect(unverified && describeDeviation(unverified)).toMatch(/^the server would not show the item back \(not-authorized.*\), so the app could not check that it holds what was sent$/);
  });
});
