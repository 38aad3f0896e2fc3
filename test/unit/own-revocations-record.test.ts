/**
 * A key revoked here because its verified revocation was found on the key node (another device revoked
 * it) stops being expected on the node, as when this device revokes it (revoked-here.ts): drift watch
 * then does not report the removal of its item. A revocation that does not verify changes neither the
 * key nor the record, so that removal stays an alarm. Real vaults and real signatures; the node's
 * items are given as a read would give them.
 */
import type { KeyObject } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSelfSignedCertificate } from '../../main/keys/certificate.js';
import { certificateFingerprint } from '../../main/keys/fingerprint.js';
import { generateRsaKeyPair } from '../../main/keys/generate.js';
import { createRevocation, type RevocationStatement } from '../../main/keys/revocation.js';
import { silentLogger } from '../../main/logger.js';
import { OwnRevocations } from '../../main/services/own-revocations.js';
import { OwnKeysStore } from '../../main/vault/stores/own-keys-store.js';
import { PublishedNodesStore } from '../../main/vault/stores/published-nodes-store.js';
import { revocationItemId, revocationPayload } from '../../main/xmpp/key-statements.js';
import { NS } from '../../main/xmpp/namespaces.js';
import type { RawItem } from '../../main/xmpp/pubsub.js';
import { fakeSession } from '../support/fake-session.js';
import { unlockedVaults } from '../support/vaults.js';

const ACCOUNT = 'juliet@capulet.lit';

let privateKeys: KeyObject[];

beforeAll(async () => {
  privateKeys = (await Promise.all([generateRsaKeyPair(2048), generateRsaKeyPair(2048)])).map((k) => k.privateKey);
}, 60_000);

function revocationItem(statement: RevocationStatement): RawItem {
  const payload = revocationPayload(statement);
  return { id: revocationItemId(statement.fingerprint), payload, size: payload.toString().length };
}

describe('own revocations found on the key node, and what drift watch expects there', () => {
  let dir: string;
  let keys: OwnKeysStore;
  let published: PublishedNodesStore;
  let revocations: OwnRevocations;
  /** Two keys of this vault, both published (recorded on the key node). */
  let mine: { fingerprint: string; der: Buffer; privateKey: KeyObject }[];

  const expected = () => published.list(ACCOUNT)[NS.pubkey]?.items.map((i) => i.id);
  const revoke = (i: number, reason: 'compromised' | 'retired' = 'compromised') => {
    const key = mine[i];
    if (!key) throw new Error(`no key ${i}`);
    return createRevocation({ bareJid: ACCOUNT, certificateDer: key.der, privateKey: key.privateKey, reason });
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keyring-own-revocations-'));
    const vaults = await unlockedVaults(dir);
    keys = new OwnKeysStore(vaults);
    published = new PublishedNodesStore(vaults);
    revocations = new OwnRevocations({ store: keys, published, session: fakeSession({ account: ACCOUNT }), log: silentLogger });
    mine = [];
    for (const privateKey of privateKeys) {
      const der = await createSelfSignedCertificate({ bareJid: ACCOUNT, privateKey, validityDays: 30 });
      const fingerprint = certificateFingerprint(der);
      await keys.add(ACCOUNT, { fingerprint, certificateDer: der, privateKey });
      mine.push({ fingerprint, der, privateKey });
    }
    await published.replace(ACCOUNT, NS.pubkey, { access: { model: 'presence' }, maxItems: 32, items: mine.map((k) => ({ id: k.fingerprint })), applied: {} });
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a verified revocation: the key is revoked here and its item is no longer expected; the other key still is', async () => {
    const [a, b] = mine.map((k) => k.fingerprint);
    expect(await revocations.apply([revocationItem(await revoke(0))])).toEqual([a]);
    expect(keys.find(ACCOUNT, a ?? '')?.revoked).toMatchObject({ reason: 'compromised' });
    expect(expected()).toEqual([b]);
  });

  it('a revocation that does not verify (its reason changed after signing): neither the key nor the record changes', async () => {
    const signed = await revoke(0, 'retired');
    expect(await revocations.apply([revocationItem({ ...signed, reason: 'compromised' })])).toEqual([]);
    expect(keys.find(ACCOUNT, mine[0]?.fingerprint ?? '')?.revoked).toBeUndefined();
    expect(expected()).toEqual(mine.map((k) => k.fingerprint));
  });

  it('a revocation signed by another key of the account than the one it names: neither changes', async () => {
    const byB = await revoke(1);
    // Names key A, carries and is signed by key B.
    const forged = { ...byB, fingerprint: mine[0]?.fingerprint ?? '' };
    expect(await revocations.apply([revocationItem(forged)])).toEqual([]);
    expect(keys.find(ACCOUNT, mine[0]?.fingerprint ?? '')?.revoked).toBeUndefined();
    expect(expected()).toEqual(mine.map((k) => k.fingerprint));
  });

  it('a key revoked here before the record was kept in step: its item stops being expected, and it is not news again', async () => {
    const statement = await revoke(0);
    const [a, b] = mine.map((k) => k.fingerprint);
    // As a sign-in before this fix left it: revoked, and the item still expected.
    await keys.setRevoked(ACCOUNT, a ?? '', statement);
    expect(expected()).toEqual([a, b]);
    expect(await revocations.apply([revocationItem(statement)])).toEqual([]);
    expect(expected()).toEqual([b]);
  });
});
