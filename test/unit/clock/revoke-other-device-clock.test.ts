/**
 * The laptop, whose clock runs 2 days ahead, revokes a key as compromised; the phone (clock right) holds
 * the same key. Over a PEP service in memory, real vaults and signatures (as test/unit/revoke-cut-off.test.ts).
 * The phone takes the key as revoked at its next sign-in and never publishes it again.
 */
import type { KeyObject } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSelfSignedCertificate } from '../../../main/keys/certificate.js';
import { certificateFingerprint } from '../../../main/keys/fingerprint.js';
import { generateRsaKeyPair } from '../../../main/keys/generate.js';
import { silentLogger } from '../../../main/logger.js';
import { OwnKeys } from '../../../main/services/own-keys.js';
import { OwnRevocations } from '../../../main/services/own-revocations.js';
import { OwnKeysStore } from '../../../main/vault/stores/own-keys-store.js';
import { PublishedNodesStore } from '../../../main/vault/stores/published-nodes-store.js';
import { fetchItems } from '../../../main/xmpp/fetch-items.js';
import { revocationItemId } from '../../../main/xmpp/key-statements.js';
import { NS } from '../../../main/xmpp/namespaces.js';
import { BASE_FIELDS, fakePep, JULIET, pepSession } from '../../support/fake-pep-service.js';
import { unlockedVaults } from '../../support/vaults.js';

const DAY = 86_400_000;
let privateKey: KeyObject;
const dirs: string[] = [];
beforeAll(async () => {
  ({ privateKey } = await generateRsaKeyPair(2048));
}, 60_000);
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('a compromised key revoked on a device whose clock runs 2 days ahead', () => {
  it('is revoked on the other device at its next sign-in, which then refuses to publish it', async () => {
    const pep = fakePep({ fields: BASE_FIELDS });
    const device = async () => {
      const dir = await mkdtemp(join(tmpdir(), 'keyring-clock-'));
      dirs.push(dir);
      const vaults = await unlockedVaults(dir);
      const store = new OwnKeysStore(vaults);
      const published = new PublishedNodesStore(vaults);
      const session = pepSession({ ctx: { iq: pep.ctx.iq } });
      return { store, keys: new OwnKeys({ store, published, session }), revocations: new OwnRevocations({ store, published, session, log: silentLogger }) };
    };
    const der = await createSelfSignedCertificate({ bareJid: JULIET, privateKey, validityDays: 30, notBefore: new Date(Date.now() - 5 * DAY) });
    const fingerprint = certificateFingerprint(der);
    const laptop = await device();
    const phone = await device();
    await laptop.store.add(JULIET, { fingerprint, certificateDer: der, privateKey });
    await phone.store.add(JULIET, { fingerprint, certificateDer: der, privateKey });
    // Both devices published it (the same item): each records it as published.
    await phone.keys.publish(fingerprint, { model: 'presence' });
    await laptop.keys.publish(fingerprint, { model: 'presence' });

    const realNow = Date.now();
    vi.useFakeTimers({ toFake: ['Date'], now: realNow + 2 * DAY });
    await laptop.revocations.readNode(fetchItems(pep.ctx.iq, JULIET, NS.pubkey));
    await laptop.keys.revoke(fingerprint, 'compromised');
    vi.useRealTimers();
    const items = () => pep.nodes.get(NS.pubkey)?.items ?? [];
    expect(items()).toEqual([revocationItemId(fingerprint)]);

    // The phone signs in (its clock right).
    const revokedAtSignIn = await phone.revocations.readNode(fetchItems(pep.ctx.iq, JULIET, NS.pubkey));
    const shown = phone.keys.list().find((k) => k.fingerprint === fingerprint);
    const republished = await phone.keys.publish(fingerprint, { model: 'presence' }).then(
      () => 'published again',
      (error: unknown) => (error as { code?: string }).code,
    );
    expect({ revokedAtSignIn, revokedOnPhone: shown?.revoked?.reason, current: shown?.current, republished, onNode: items() }).toEqual({
      revokedAtSignIn: [fingerprint],
      revokedOnPhone: 'compromised',
      current: false,
      republished: 'invalid-argument',
      onNode: [revocationItemId(fingerprint)],
    });
  }, 60_000);
});
