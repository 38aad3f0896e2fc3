/**
 * Who may read the published keys (My keys' "readable by …", the publish panel's starting point) is
 * read from the server once per session, not at every opening of My keys: main already knows it from
 * what can change it, the read-back of its own publishes and drift watch's readings of the key node,
 * and reads it again only once it may have changed (a refused publish, a change the server announced,
 * a new session). Requests counted against a PEP service in memory.
 */
import type { KeyObject } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Element } from '@xmpp/xml';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppEvents } from '../../main/events.js';
import { createSelfSignedCertificate } from '../../main/keys/certificate.js';
import { certificateFingerprint } from '../../main/keys/fingerprint.js';
import { generateRsaKeyPair } from '../../main/keys/generate.js';
import { silentLogger } from '../../main/logger.js';
import { DriftWatch } from '../../main/services/drift-watch.js';
import { OwnKeys } from '../../main/services/own-keys.js';
import { OwnKeysStore } from '../../main/vault/stores/own-keys-store.js';
import { PublishedNodesStore } from '../../main/vault/stores/published-nodes-store.js';
import { NS } from '../../main/xmpp/namespaces.js';
import { BASE_FIELDS, fakePep, JULIET, pepSession } from '../support/fake-pep-service.js';
import { unlockedVaults } from '../support/vaults.js';

/** A request that reads the key node's configuration or its affiliations (XEP-0060 §8.2.1, §8.9.1). */
const readsKeyNodeSettings = (r: Element) => {
  const child = r.is('pubsub', NS.pubsubOwner) ? r.getChildElements()[0] : undefined;
  return child?.attrs.node === NS.pubkey && ((child.name === 'configure' && !child.getChild('x', NS.dataForms)) || (child.name === 'affiliations' && child.children.length === 0));
};

let privateKey: KeyObject;
beforeAll(async () => {
  ({ privateKey } = await generateRsaKeyPair(2048));
}, 60_000);

describe('My keys’ audience is read from the server once, then kept up to date', () => {
  let dir: string;
  let pep: ReturnType<typeof fakePep>;
  let keys: OwnKeys;
  let drift: DriftWatch;
  let fingerprints: string[];
  const settingsReads = () => pep.requests.filter(readsKeyNodeSettings).length;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keyring-audience-'));
    pep = fakePep({ fields: BASE_FIELDS });
    const vaults = await unlockedVaults(dir);
    const store = new OwnKeysStore(vaults);
    const published = new PublishedNodesStore(vaults);
    const session = pepSession(pep);
    keys = new OwnKeys({ store, published, session });
    drift = new DriftWatch({ published, ownKeys: store, session, events: new AppEvents(), log: silentLogger, intervalMs: 3_600_000, settleMs: 3_600_000, onKeyNodeRead: (state) => keys.noteKeyNode(state) });
    fingerprints = [];
    for (let i = 0; i < 2; i++) {
      const der = await createSelfSignedCertificate({ bareJid: JULIET, privateKey, validityDays: 30 + i });
      const fingerprint = certificateFingerprint(der);
      await store.add(JULIET, { fingerprint, certificateDer: der, privateKey });
      fingerprints.push(fingerprint);
    }
  });

  afterEach(async () => {
    drift.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('opened again and again: the server is asked once', async () => {
    await keys.publish(fingerprints[0] ?? '', { model: 'presence' });
    keys.forgetServerAccess(); // as a new session does
    const before = settingsReads();
    for (let i = 0; i < 5; i++) expect(await keys.audience()).toEqual({ source: 'server', publishedKeys: 1, access: { model: 'presence' } });
    // Once: the configuration and the affiliations, one request each.
    expect(settingsReads() - before).toBe(2);
  });

  it('asked for twice at once (the screen and the publish panel opening): one reading', async () => {
    await keys.publish(fingerprints[0] ?? '', { model: 'presence' });
    keys.forgetServerAccess();
    const before = settingsReads();
    const answers = await Promise.all([keys.audience(), keys.audience()]);
    expect(answers.map((a) => a.access)).toEqual([{ model: 'presence' }, { model: 'presence' }]);
    expect(settingsReads() - before).toBe(2);
  });

  it('a publish that changes the access: the read-back is the new audience, nothing read again', async () => {
    await keys.publish(fingerprints[0] ?? '', { model: 'presence' });
    const before = settingsReads();
    expect((await keys.audience()).access).toEqual({ model: 'presence' });
    await keys.publish(fingerprints[1] ?? '', { model: 'open' }, true);
    const publishReads = settingsReads() - before;
    expect(await keys.audience()).toEqual({ source: 'server', publishedKeys: 2, access: { model: 'open' } });
    expect(await keys.audience()).toEqual({ source: 'server', publishedKeys: 2, access: { model: 'open' } });
    expect(settingsReads() - before).toBe(publishReads);
  });

  it('a drift check reads the node: its reading is the audience, nothing read again', async () => {
    await keys.publish(fingerprints[0] ?? '', { model: 'presence' });
    keys.forgetServerAccess();
    // Another client changed the access; drift watch reads the node (its own configuration read).
    pep.nodes.get(NS.pubkey)?.config.set('pubsub#access_model', ['open']);
    await drift.check();
    const before = settingsReads();
    expect((await keys.audience()).access).toEqual({ model: 'open' });
    expect(settingsReads() - before).toBe(0);
  });

  it('a publish refused because the node changed meanwhile: the next asking reads the server again', async () => {
    await keys.publish(fingerprints[0] ?? '', { model: 'presence' });
    pep.nodes.get(NS.pubkey)?.config.set('pubsub#access_model', ['open']);
    // Still what main last knew, until something says otherwise.
    expect((await keys.audience()).access).toEqual({ model: 'presence' });
    await expect(keys.publish(fingerprints[1] ?? '', { model: 'presence' })).rejects.toMatchObject({ code: 'access-model-conflict' });
    const before = settingsReads();
    expect((await keys.audience()).access).toEqual({ model: 'open' });
    expect(settingsReads() - before).toBe(2);
  });

  it('no key node yet: that is held too', async () => {
    const before = settingsReads();
    expect(await keys.audience()).toEqual({ source: 'server', publishedKeys: 0 });
    expect(await keys.audience()).toEqual({ source: 'server', publishedKeys: 0 });
    expect(settingsReads() - before).toBe(1);
  });
});
