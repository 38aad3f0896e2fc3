/**
 * A change of a node's audience the server made, whose record a full disk then refused (a real full
 * tmpfs under the vault: test/support/small-disk.ts; a PEP service in memory). The server changed who
 * may read the whole node at the app's request: drift watch must not take that for another app's
 * change, neither in the same session nor after the next sign-in, which records it. A change to an
 * audience the app did not ask for is still reported.
 */
import type { KeyObject } from 'node:crypto';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Profile } from '../../../contract/index.js';
import { createSelfSignedCertificate } from '../../../main/keys/certificate.js';
import { certificateFingerprint } from '../../../main/keys/fingerprint.js';
import { generateRsaKeyPair } from '../../../main/keys/generate.js';
import type { DriftWatch } from '../../../main/services/drift-watch.js';
import type { OwnKeys } from '../../../main/services/own-keys.js';
import type { ProfileService } from '../../../main/services/profile.js';
import type { OwnKeysStore } from '../../../main/vault/stores/own-keys-store.js';
import type { PublishedNodesStore } from '../../../main/vault/stores/published-nodes-store.js';
import { NS } from '../../../main/xmpp/namespaces.js';
import { BASE_FIELDS, fakePep, JULIET } from '../../support/fake-pep-service.js';
import { driftWatchOnPep, ownKeysOnPep, profileOnPep } from '../../support/own-keys-on-pep.js';
import { outcomeOf, smallDiskSuite } from '../../support/small-disk-suite.js';

const small = smallDiskSuite();
const disk = small.disk;

const PUBLISHED_NOT_RECORDED =
  'Your key was published on your server, but the app could not record it (the disk is full). Until then My keys shows it as not published. ' +
  'Free some space: at your next sign-in the app finds it on your server and records it.';

/** The disk fills as soon as the server has changed a node's configuration (XEP-0060 §8.2.4); undone by the function returned. */
function fillOnceReconfigured(pep: ReturnType<typeof fakePep>): () => void {
  const iq = pep.ctx.iq;
  const set = iq.set.bind(iq);
  iq.set = async (element, ...rest) => {
    const answer = await set(element, ...rest);
    if (element.is('pubsub', NS.pubsubOwner) && element.getChild('configure')) await disk?.fill();
    return answer;
  };
  return () => (iq.set = set);
}

describe.skipIf(disk === undefined)(small.title('the key node’s audience changed by the app, the disk full'), () => {
  const vaults = small.vaultPerTest();
  let privateKey: KeyObject;
  let pep: ReturnType<typeof fakePep>;
  let store: OwnKeysStore;
  let published: PublishedNodesStore;
  let keys: OwnKeys;
  /** A sign-in's reading of the key node, as core.ts makes it. */
  let signIn: () => Promise<void>;
  let drift: DriftWatch;
  let first: string;
  /** Certificates made so far: each one valid for a day more, so each has a fingerprint of its own. */
  let made = 0;

  beforeAll(async () => {
    ({ privateKey } = await generateRsaKeyPair(2048));
  });
  beforeEach(async () => {
    pep = fakePep({ fields: BASE_FIELDS });
    const device = ownKeysOnPep(vaults(), pep);
    ({ store, published, keys, signIn } = device);
    drift = driftWatchOnPep(device);
    first = await addKey();
    await keys.publish(first, { model: 'presence' });
  });
  afterEach(() => drift.stop());

  async function addKey(): Promise<string> {
    const certificateDer = await createSelfSignedCertificate({ bareJid: JULIET, privateKey, validityDays: 30 + ++made });
    const fingerprint = certificateFingerprint(certificateDer);
    await store.add(JULIET, { fingerprint, certificateDer, privateKey });
    return fingerprint;
  }
  const keyNodeFindings = async () => (await drift.check()).nodes.find((n) => n.node === NS.pubkey)?.findings;
  const audienceOf = (fingerprint: string) => keys.list().find((k) => k.fingerprint === fingerprint)?.publications.map((p) => p.accessModel);

  it('a new key published to everyone, the disk full once the node was reconfigured: not another app’s change, and the next sign-in records it', async () => {
    const second = await addKey();
    const undo = fillOnceReconfigured(pep);
    expect(await outcomeOf(keys.publish(second, { model: 'open' }, true))).toBe(PUBLISHED_NOT_RECORDED);
    undo();
    expect(pep.value(NS.pubkey, 'pubsub#access_model')).toBe('open');
    // The same session, the disk still full: the wider access is the app's own.
    expect(await keyNodeFindings()).toEqual([]);
    await disk?.free();
    await signIn();
    expect(await keyNodeFindings()).toEqual([]);
    expect(published.list(JULIET)[NS.pubkey]?.access).toEqual({ model: 'open' });
    expect(published.list(JULIET)[NS.pubkey]?.accessAsked).toBeUndefined();
    // One audience per node: both keys are readable by everyone now, and My keys says so.
    expect([audienceOf(first), audienceOf(second)]).toEqual([['open'], ['open']]);
  });

  it('a key already published, published again to everyone on a disk full once the node was reconfigured: not another app’s change, and the next sign-in records it', async () => {
    const undo = fillOnceReconfigured(pep);
    expect(await outcomeOf(keys.publish(first, { model: 'open' }, true))).toBe(PUBLISHED_NOT_RECORDED);
    undo();
    expect(await keyNodeFindings()).toEqual([]);
    await disk?.free();
    await signIn();
    expect(published.list(JULIET)[NS.pubkey]?.access).toEqual({ model: 'open' });
    expect(audienceOf(first)).toEqual(['open']);
    expect(await keyNodeFindings()).toEqual([]);
  });

  it('another app’s change to an audience the app did not ask for is still reported', async () => {
    const second = await addKey();
    const undo = fillOnceReconfigured(pep);
    expect(await outcomeOf(keys.publish(second, { model: 'open' }, true))).toBe(PUBLISHED_NOT_RECORDED);
    undo();
    pep.nodes.get(NS.pubkey)?.config.set('pubsub#access_model', ['whitelist']);
    expect((await keyNodeFindings())?.map((f) => f.code)).toEqual(['access-narrowed']);
    await disk?.free();
    await signIn();
    expect(published.list(JULIET)[NS.pubkey]?.access).toEqual({ model: 'presence' });
    expect((await keyNodeFindings())?.map((f) => f.code)).toEqual(['access-narrowed']);
  });

  it('full before anything goes out: the audience stays as it was, and the vault’s words are true', async () => {
    const second = await addKey();
    await disk?.fill();
    expect(await outcomeOf(keys.publish(second, { model: 'open' }, true))).toBe('Could not save the vault (the disk is full); nothing was changed.');
    expect(pep.value(NS.pubkey, 'pubsub#access_model')).toBe('presence');
    expect(pep.nodes.get(NS.pubkey)?.items).toEqual([first]);
  });
});

const BEFORE: Profile = { fullName: 'Juliet Capulet', nickname: 'Jules', emails: [], phones: [], urls: [] };
const AFTER: Profile = { fullName: 'Juliet Montague', nickname: 'Jules M.', emails: [], phones: [], urls: [] };

describe.skipIf(disk === undefined)(small.title('the profile’s audience changed by the app, the disk full'), () => {
  const vaults = small.vaultPerTest('profile-vault');
  let pep: ReturnType<typeof fakePep>;
  let profiles: ProfileService;
  let drift: DriftWatch;

  beforeEach(async () => {
    pep = fakePep({ fields: BASE_FIELDS });
    const device = ownKeysOnPep(vaults(), pep);
    profiles = profileOnPep(device);
    drift = driftWatchOnPep(device);
    await profiles.publish(BEFORE, { model: 'presence' });
  });
  afterEach(() => drift.stop());

  it('published to everyone, the disk full once the card’s node was reconfigured: neither node’s wider access is another app’s change', async () => {
    const undo = fillOnceReconfigured(pep);
    expect(await outcomeOf(profiles.publish(AFTER, { model: 'open' }, { reconfigure: true }))).toBe(
      'Your profile’s card was published on your server, but the app could not record it (the disk is full). Its nickname was not. ' +
        'Free some space, then publish your profile again: the app then records it.',
    );
    undo();
    expect([pep.value(NS.vcard4, 'pubsub#access_model'), pep.value(NS.nick, 'pubsub#access_model')]).toEqual(['open', 'open']);
    const report = await drift.check();
    expect(report.nodes.filter((n) => n.node === NS.vcard4 || n.node === NS.nick).map((n) => [n.node, n.findings])).toEqual([
      [NS.vcard4, []],
      [NS.nick, []],
    ]);
  });
});
