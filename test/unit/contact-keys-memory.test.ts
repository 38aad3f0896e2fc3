/**
 * What ContactKeys remembers of a contact's keys against a node in hostile hands (a stand-in server):
 * a key shown as a change stays one however it comes and goes, and a key its owner revoked stays revoked
 * however many keys (revoked or not) are published and withdrawn meanwhile (main/vault/contact-keys.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import xml, { type Element } from '@xmpp/xml';
import { AppEvents } from '../../main/events.js';
import { silentLogger } from '../../main/logger.js';
import { createSelfSignedCertificate } from '../../main/keys/certificate.js';
import { certificateFingerprint } from '../../main/keys/fingerprint.js';
import { generateRsaKeyPair } from '../../main/keys/generate.js';
import { createRevocation } from '../../main/keys/revocation.js';
import { ContactKeys } from '../../main/services/contact-keys.js';
import { ContactKeysStore } from '../../main/vault/stores/contact-keys-store.js';
import { revocationItemId, revocationPayload } from '../../main/xmpp/key-statements.js';
import { NS } from '../../main/xmpp/namespaces.js';
import { pubkeyPayload } from '../../main/xmpp/pubkey-items.js';
import { fakeSession } from '../support/fake-session.js';
import { unlockedVaults } from '../support/vaults.js';

const ACCOUNT = 'romeo@montague.lit';
const JULIET = 'juliet@capulet.lit';
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keyring-contact-keys-memory-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** ContactKeys over a node that serves whatever `node.items` holds at the time. */
async function overNode(): Promise<{ contactKeys: ContactKeys; node: { items: Element[] } }> {
  const node = { items: [] as Element[] };
  const session = fakeSession({
    account: ACCOUNT,
    answer: () => Promise.resolve(xml('pubsub', { xmlns: NS.pubsub }, xml('items', { node: NS.pubkey }, ...node.items))),
  });
  const vaults = await unlockedVaults(dir);
  const contactKeys = new ContactKeys({ store: new ContactKeysStore(vaults), session, events: new AppEvents(), log: silentLogger, isKnownContact: () => true });
  return { contactKeys, node };
}

const keyItem = (der: Buffer) => xml('item', { id: certificateFingerprint(der) }, pubkeyPayload(der));

describe('a swapped key withdrawn and served again', () => {
  it('still warns: the user never compared nor accepted it', async () => {
    const [realKey, forgedKey] = await Promise.all([generateRsaKeyPair(2048), generateRsaKeyPair(2048)]);
    const real = await createSelfSignedCertificate({ bareJid: JULIET, privateKey: realKey.privateKey });
    const forged = await createSelfSignedCertificate({ bareJid: JULIET, privateKey: forgedKey.privateKey });
    const { contactKeys, node } = await overNode();
    const decisionOfForged = async () => (await contactKeys.fetch(JULIET)).keys.find((k) => k.fingerprint === certificateFingerprint(forged))?.decision;

    node.items = [keyItem(real)];
    await contactKeys.fetch(JULIET);
    await contactKeys.verify(JULIET, { fingerprint: certificateFingerprint(real) });
    node.items = [keyItem(forged)];
    expect(await decisionOfForged()).toBe('changed');
    node.items = [];
    await contactKeys.fetch(JULIET);
    node.items = [keyItem(forged)];
    expect(await decisionOfForged()).toBe('changed');
  }, 60_000);
});

describe('a compromised key revoked by its owner', () => {
  /** Juliet's K1, seen (trusted on first use, never verified), then revoked as compromised; she moves to K2, which the user verifies. */
  async function revokedAndReplaced() {
    const [k1, k2] = await Promise.all([generateRsaKeyPair(2048), generateRsaKeyPair(2048)]);
    const cert1 = await createSelfSignedCertificate({ bareJid: JULIET, privateKey: k1.privateKey });
    const cert2 = await createSelfSignedCertificate({ bareJid: JULIET, privateKey: k2.privateKey });
    const revocation = await createRevocation({ bareJid: JULIET, certificateDer: cert1, privateKey: k1.privateKey, reason: 'compromised' });
    const fp1 = certificateFingerprint(cert1);
    const { contactKeys, node } = await overNode();
    node.items = [keyItem(cert1)];
    await contactKeys.fetch(JULIET);
    node.items = [keyItem(cert2), xml('item', { id: revocationItemId(fp1) }, revocationPayload(revocation))];
    expect((await contactKeys.fetch(JULIET)).keys.find((k) => k.fingerprint === fp1)?.decision).toBe('revoked');
    await contactKeys.verify(JULIET, { fingerprint: certificateFingerprint(cert2) });
    const decisionOfK1 = async () => (await contactKeys.fetch(JULIET)).keys.find((k) => k.fingerprint === fp1)?.decision;
    return { contactKeys, node, cert1, cert2, decisionOfK1 };
  }

  it('stays revoked when published again without its revocation, after 16 keys came and went', async () => {
    const { contactKeys, node, cert1, cert2, decisionOfK1 } = await revokedAndReplaced();
    const { privateKey } = await generateRsaKeyPair(2048);
    const junk = await Promise.all(Array.from({ length: 16 }, () => createSelfSignedCertificate({ bareJid: JULIET, privateKey })));
    node.items = [keyItem(cert2), ...junk.map(keyItem)];
    await contactKeys.fetch(JULIET);
    node.items = [keyItem(cert2)];
    await contactKeys.fetch(JULIET);
    node.items = [keyItem(cert2), keyItem(cert1)];
    expect(await decisionOfK1()).toBe('revoked');
  }, 120_000);

  it('stays revoked after a flood of throw-away keys, each revoked by itself, came and went', async () => {
    const { contactKeys, node, cert1, cert2, decisionOfK1 } = await revokedAndReplaced();
    const { privateKey } = await generateRsaKeyPair(2048);
    // More than the revoked records kept per contact (CONTACT_KEY_LIMITS.revokedKeys).
    const junk = await Promise.all(Array.from({ length: 20 }, () => createSelfSignedCertificate({ bareJid: JULIET, privateKey })));
    const revocations = await Promise.all(junk.map((der) => createRevocation({ bareJid: JULIET, certificateDer: der, privateKey, reason: 'compromised' })));
    // Published, then revoked and withdrawn.
    node.items = [keyItem(cert2), ...junk.map(keyItem)];
    await contactKeys.fetch(JULIET);
    node.items = [keyItem(cert2), ...junk.map((der, i) => xml('item', { id: revocationItemId(certificateFingerprint(der)) }, revocationPayload(revocations[i] as (typeof revocations)[number])))];
    await contactKeys.fetch(JULIET);
    node.items = [keyItem(cert2), keyItem(cert1)];
    expect(await decisionOfK1()).toBe('revoked');
  }, 120_000);
});
