/**
 * More writes the server took that a full disk kept the vault from recording (the model:
 * full-disk-after-server.test.ts; a real full tmpfs under the vault, a PEP service in memory): a backup
 * to the account, a key's renewal, and a device taken off the user's own OMEMO device list. The vault's "nothing was changed" would be false there; the
 * answer says what the server holds and what comes next, and what comes next is true.
 */
import type { KeyObject } from 'node:crypto';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSelfSignedCertificate } from '../../main/keys/certificate.js';
import { certificateFingerprint } from '../../main/keys/fingerprint.js';
import { generateRsaKeyPair } from '../../main/keys/generate.js';
import xml from '@xmpp/xml';
import { AppEvents } from '../../main/events.js';
import { silentLogger } from '../../main/logger.js';
import { BackupService } from '../../main/services/backup.js';
import { OtherAppKeys } from '../../main/services/other-app-keys.js';
import { type FoundPublications } from '../../main/services/found-publications.js';
import { type OwnKeys } from '../../main/services/own-keys.js';
import { BackupsStore } from '../../main/vault/stores/backups-store.js';
import { ContactKeysStore } from '../../main/vault/stores/contact-keys-store.js';
import { OtherKeysStore } from '../../main/vault/stores/other-keys-store.js';
import { type OwnKeysStore } from '../../main/vault/stores/own-keys-store.js';
import type { PublishedNodesStore } from '../../main/vault/stores/published-nodes-store.js';
import { BACKUP_NODE } from '../../main/xmpp/backup-items.js';
import { fetchItems } from '../../main/xmpp/fetch-items.js';
import { NS } from '../../main/xmpp/namespaces.js';
import { BASE_FIELDS, fakePep, JULIET, pepSession } from '../support/fake-pep-service.js';
import { outcomeOf, smallDiskSuite } from '../support/small-disk-suite.js';
import { ownKeysOnPep } from '../support/own-keys-on-pep.js';

const small = smallDiskSuite();
const disk = small.disk;

/** The lightest parameters a backup header accepts: these tests are about words, not the KDF. */
const LIGHT_KDF = { name: 'scrypt' as const, N: 2 ** 10, r: 8, p: 1 };

describe.skipIf(disk === undefined)(small.title('the server took it, the disk was full'), () => {
  const vaults = small.vaultPerTest();
  let privateKey: KeyObject;
  let pep: ReturnType<typeof fakePep>;
  let store: OwnKeysStore;
  let keys: OwnKeys;
  let found: FoundPublications;
  let published: PublishedNodesStore;
  let backups: BackupsStore;
  let backup: BackupService;
  /** Keys made so far: each valid for a day more, so each has a fingerprint of its own. */
  let made = 0;

  beforeAll(async () => {
    ({ privateKey } = await generateRsaKeyPair(2048));
  });
  beforeEach(() => {
    pep = fakePep({ fields: BASE_FIELDS });
    const services = ownKeysOnPep(vaults(), pep);
    const { session } = services;
    ({ store, keys, found, published } = services);
    backups = new BackupsStore(vaults());
    backup = new BackupService({
      ownKeys: store,
      contactKeys: new ContactKeysStore(vaults()),
      otherKeys: new OtherKeysStore(vaults()),
      backups,
      session,
      vaultLock: vaults(),
      revocations: { readNode: () => Promise.resolve([]) },
      kdf: LIGHT_KDF,
    });
  });

  async function addKey(): Promise<string> {
    const certificateDer = await createSelfSignedCertificate({ bareJid: JULIET, privateKey, validityDays: 30 + ++made });
    const fingerprint = certificateFingerprint(certificateDer);
    await store.add(JULIET, { fingerprint, certificateDer, privateKey });
    return fingerprint;
  }
  const onNode = (node: string) => pep.nodes.get(node)?.items ?? [];
  const viewOf = (fingerprint: string) => keys.list().find((k) => k.fingerprint === fingerprint);

  it('a backup to the account says it is there without a code, and the next backup takes its place', async () => {
    const fingerprint = await addKey();
    await disk?.fill();
    expect(await outcomeOf(backup.create({ file: false, toAccount: true, passphrase: 'correct horse battery' }))).toBe(
      'Your backup was put on your account, but the app could not record it (the disk is full). Its code is not shown, so nothing can open it; ' +
        'any backup you put there before was left in place. Free some space, then make a backup again: the new one takes their place.',
    );
    const orphan = [...onNode(BACKUP_NODE)];
    expect(orphan.length).toBeGreaterThan(0);
    expect(backup.status().notBackedUp).toEqual([fingerprint]);
    await disk?.free();
    const made = await backup.create({ file: false, toAccount: true, passphrase: 'correct horse battery' });
    expect(made.account).toBeDefined();
    expect(onNode(BACKUP_NODE).some((id) => orphan.includes(id))).toBe(false);
    expect(backup.status().notBackedUp).toEqual([]);
  });

  it('a backup to the account leaves the one made before in place, still opened by its code, until one is recorded', async () => {
    await addKey();
    const first = await backup.create({ file: false, toAccount: true, passphrase: 'correct horse battery' });
    const firstItems = [...onNode(BACKUP_NODE)];
    await disk?.fill();
    expect(await outcomeOf(backup.create({ file: false, toAccount: true, passphrase: 'correct horse battery' }))).toMatch(/^Your backup was put on your account, but the app could not record it/);
    expect(onNode(BACKUP_NODE)).toEqual(expect.arrayContaining(firstItems));
    await disk?.free();
    expect(await outcomeOf(backup.restore({ kind: 'account' }, first.code))).toBe('succeeded');
    // The next backup recorded takes the place of both.
    await backup.create({ file: false, toAccount: true, passphrase: 'correct horse battery' });
    expect(onNode(BACKUP_NODE).some((id) => firstItems.includes(id))).toBe(false);
  });

  it('a renewal says the new key is on the server beside the old one, and the next sign-in records it', async () => {
    const old = await addKey();
    await keys.publish(old, { model: 'presence' });
    // The successor is stored while there is room; the disk fills as its publish goes out.
    const add = store.add.bind(store);
    store.add = async (...args) => {
      const added = await add(...args);
      await disk?.fill();
      return added;
    };
    expect(await outcomeOf(keys.renew(old, { newKey: false }))).toBe(
      'Your renewed key was published on your server, but the app could not record it (the disk is full). Your old key is still published beside it, ' +
        'and My keys shows the new one as not published. Free some space: at your next sign-in the app finds the new key on your server and records it; then withdraw the old one.',
    );
    const successor = keys.list().find((k) => k.fingerprint !== old)?.fingerprint ?? '';
    expect(onNode(NS.pubkey)).toEqual([old, successor]);
    await disk?.free();
    await found.readNode(fetchItems(pep.ctx.iq, JULIET, NS.pubkey));
    expect(viewOf(successor)?.publications).toEqual([expect.objectContaining({ node: NS.pubkey, accessModel: 'presence' })]);
    expect(await outcomeOf(keys.retract(old))).toBe('succeeded');
    expect(onNode(NS.pubkey)).toEqual([successor]);
  });

  it('a renewal whose old key’s withdrawal cannot be noted: the old key is left on the server, and the words say the renewal succeeded and what to do', async () => {
    const old = await addKey();
    await keys.publish(old, { model: 'presence' });
    // The successor is published and all of it recorded (its publication last); then the disk is full.
    const setPublication = store.setPublication.bind(store);
    store.setPublication = async (...args) => {
      await setPublication(...args);
      if (args[1] !== old) await disk?.fill();
    };
    expect(await outcomeOf(keys.renew(old, { newKey: false }))).toBe(
      'Your key was renewed: the new key is published on your server and recorded here. Your old key is still published beside it: ' +
        'the app could not note its withdrawal (the disk is full), so it did not withdraw it. Do not renew the old key again: free some space, then withdraw it.',
    );
    const successor = keys.list().find((k) => k.fingerprint !== old)?.fingerprint ?? '';
    expect(onNode(NS.pubkey)).toEqual([old, successor]);
    expect(published.list(JULIET)[NS.pubkey]?.items.map((i) => i.id)).toEqual([old, successor]);
    store.setPublication = setPublication;
    await disk?.free();
    expect(await outcomeOf(keys.retract(old))).toBe('succeeded');
    expect(onNode(NS.pubkey)).toEqual([successor]);
    expect(viewOf(old)?.publications).toEqual([]);
  });

  it('a renewal whose old key left the server unrecorded says the renewal succeeded, and a second renewal is refused', async () => {
    const old = await addKey();
    await keys.publish(old, { model: 'presence' });
    // The successor is published and recorded; the disk fills as the old key's withdrawal goes out.
    const set = pep.ctx.iq.set.bind(pep.ctx.iq);
    let fills = true;
    pep.ctx.iq.set = async (element, to, timeout) => {
      if (fills && element.getChild('retract')) await disk?.fill();
      return set(element, to, timeout);
    };
    expect(await outcomeOf(keys.renew(old, { newKey: false }))).toBe(
      'Your key was renewed: the new key is published on your server and recorded here, and the old key was withdrawn from your server, ' +
        'but the app could not record it (the disk is full). Only that withdrawal is missing from the vault: do not renew the old key again. ' +
        'Until then My keys shows the old key as published; free some space, then withdraw the old key: the app then records it.',
    );
    const successor = keys.list().find((k) => k.fingerprint !== old)?.fingerprint ?? '';
    expect(onNode(NS.pubkey)).toEqual([successor]);
    expect(viewOf(successor)?.publications).toEqual([expect.objectContaining({ node: NS.pubkey, accessModel: 'presence' })]);
    // Noted before it went out: drift watch does not report the old key removed by another app.
    expect(published.list(JULIET)[NS.pubkey]?.items.map((i) => i.id)).toEqual([successor]);
    // Pressing Renew again would make a second successor, which contacts refuse: it is refused here, in words.
    fills = false;
    await disk?.free();
    expect(await outcomeOf(keys.renew(old, { newKey: false }))).toBe(
      `This key was already renewed: its successor is ${successor}. Contacts accept only one successor for a key: publish or renew the successor instead, or make a new key.`,
    );
    expect(keys.list()).toHaveLength(2);
    // What the words say to do works.
    expect(await outcomeOf(keys.retract(old))).toBe('succeeded');
    expect(viewOf(old)?.publications).toEqual([]);
    expect(onNode(NS.pubkey)).toEqual([successor]);
  });
});

describe.skipIf(disk === undefined)(small.title('a device taken off the own device list, the disk full'), () => {
  const vaults = small.vaultPerTest('devices-vault');
  let pep: ReturnType<typeof fakePep>;
  let devices: OtherAppKeys;

  beforeEach(async () => {
    pep = fakePep({ fields: BASE_FIELDS });
    // Juliet's OMEMO device list as two of her other apps published it (XEP-0384: one item, 'current').
    const list = xml('list', { xmlns: NS.omemoAxolotl }, xml('device', { id: '1001' }), xml('device', { id: '1002' }));
    pep.nodes.set(NS.omemoAxolotlDevices, { config: new Map(), items: ['current'], payloads: new Map([['current', list]]), affiliations: new Map([[JULIET, 'owner']]) });
    devices = new OtherAppKeys({
      store: new OtherKeysStore(vaults()),
      trust: new ContactKeysStore(vaults()),
      session: pepSession(pep),
      events: new AppEvents(),
      log: silentLogger,
      isKnownContact: () => false,
      followUp: { spacingMs: 0, maxSpacingMs: 0, calmMs: 0 },
    });
    await devices.own();
  });

  const listed = () =>
    pep.nodes
      .get(NS.omemoAxolotlDevices)
      ?.payloads.get('current')
      ?.getChildren('device')
      .map((d) => d.attrs.id);

  it('says the device is off the list on the server, and reading again records it', async () => {
    await disk?.fill();
    expect(await outcomeOf(devices.removeOwnDevice('omemo', 1002))).toBe(
      'Device 1002 was taken off your OMEMO device list on your server, but the app could not record it (the disk is full). ' +
        'Until it is, this app still shows the device as listed. Free some space, then read your other apps’ keys again: the app then records it.',
    );
    expect(listed()).toEqual(['1001']);
    await disk?.free();
    expect((await devices.own()).keys.find((k) => k.deviceId === 1002)?.state).toBe('removed');
  });
});
