/**
 * My keys (and `keyring keys list`) name who reads each published key. The key node has one audience
 * for every key on it (XEP-0060 §4.5): a new key published "to mallory" onto a node whitelisting romeo
 * and mallory would take romeo off every key. That change needs consent (access-model-conflict, as for
 * roster groups), and once confirmed every key on the node shows the new members, none a reader who
 * was taken off. Against a PEP service in memory (test/support/fake-pep-service.ts).
 */
import type { KeyObject } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { KeyringError } from '../../main/errors.js';
import { createSelfSignedCertificate } from '../../main/keys/certificate.js';
import { certificateFingerprint } from '../../main/keys/fingerprint.js';
import { generateRsaKeyPair } from '../../main/keys/generate.js';
import { OwnKeys } from '../../main/services/own-keys.js';
import { OwnKeysStore } from '../../main/vault/stores/own-keys-store.js';
import { PublishedNodesStore } from '../../main/vault/stores/published-nodes-store.js';
import { NS } from '../../main/xmpp/namespaces.js';
import { BASE_FIELDS, fakePep, JULIET, pepSession } from '../support/fake-pep-service.js';
import { unlockedVaults } from '../support/vaults.js';

const ROMEO = 'romeo@montague.lit';
const MALLORY = 'mallory@evil.example';

let privateKey: KeyObject;
beforeAll(async () => {
  ({ privateKey } = await generateRsaKeyPair(2048));
}, 60_000);

describe('a new key published to other whitelist members', () => {
  let dir: string;
  let pep: ReturnType<typeof fakePep>;
  let keys: OwnKeys;
  let first: string;
  let second: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keyring-whitelist-'));
    pep = fakePep({ fields: BASE_FIELDS });
    const vaults = await unlockedVaults(dir);
    const store = new OwnKeysStore(vaults);
    keys = new OwnKeys({ store, published: new PublishedNodesStore(vaults), session: pepSession(pep) });
    const fingerprints: string[] = [];
    for (let i = 0; i < 2; i++) {
      const der = await createSelfSignedCertificate({ bareJid: JULIET, privateKey, validityDays: 30 + i });
      fingerprints.push(certificateFingerprint(der));
      await store.add(JULIET, { fingerprint: certificateFingerprint(der), certificateDer: der, privateKey });
    }
    [first = '', second = ''] = fingerprints;
    await keys.publish(first, { model: 'whitelist', allow: [ROMEO, MALLORY] });
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const allowOf = (fingerprint: string) => keys.list().find((k) => k.fingerprint === fingerprint)?.publications.find((p) => p.node === NS.pubkey)?.allow;

  it('unconfirmed, is refused, naming romeo, who stays a reader of the first key', async () => {
    const refused = await keys.publish(second, { model: 'whitelist', allow: [MALLORY] }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(KeyringError);
    expect((refused as KeyringError).code).toBe('access-model-conflict');
    expect((refused as KeyringError).message).toContain(`${ROMEO} would no longer be able to read them`);
    expect(pep.nodes.get(NS.pubkey)?.affiliations.get(ROMEO)).toBe('member');
    expect(pep.nodes.get(NS.pubkey)?.items).toEqual([first]);
    expect(allowOf(first)).toEqual([ROMEO, MALLORY]);
  });

  it('confirmed, every key on the node shows the new members, and none shows romeo', async () => {
    await keys.publish(second, { model: 'whitelist', allow: [MALLORY] }, true);
    expect(allowOf(second)).toEqual([MALLORY]);
    expect(allowOf(first)).toEqual([MALLORY]);
  });
});
