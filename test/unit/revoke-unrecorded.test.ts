/**
 * A key can be on the account's key node while this vault records it as not published: a publish the
 * full disk kept from being recorded, or one made by another device of the account. Contacts may have
 * fetched it, so revoking it must publish its revocation whatever the record says, and a reading of the
 * node never withdraws a revoked key's item unless its revocation sits beside it: withdrawn alone, the
 * key would be left with contacts who were never told it is revoked. Over a PEP service in memory, with
 * real vaults and real signatures.
 */
import type { KeyObject } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSelfSignedCertificate } from '../../main/keys/certificate.js';
import { certificateFingerprint } from '../../main/keys/fingerprint.js';
import { generateRsaKeyPair } from '../../main/keys/generate.js';
import { createRevocation, type RevocationRequest } from '../../main/keys/revocation.js';
import { AppEvents } from '../../main/events.js';
import type { OwnKeys } from '../../main/services/own-keys.js';
import { recordRevokedHere } from '../../main/services/revoked-here.js';
import { fetchItems } from '../../main/xmpp/fetch-items.js';
import { revocationItemId } from '../../main/xmpp/key-statements.js';
import { NS } from '../../main/xmpp/namespaces.js';
import { keyNodeUnreadLine, revokedLine } from '../../renderer/src/lib/wording.js';
import { BASE_FIELDS, EJABBERD_FIELDS, fakePep, JULIET, type FakeOptions } from '../support/fake-pep-service.js';
import { ownKeysOnPep, type OwnKeysOnPep } from '../support/own-keys-on-pep.js';
import { unlockedVaults } from '../support/vaults.js';

let privateKey: KeyObject;
beforeAll(async () => {
  ({ privateKey } = await generateRsaKeyPair(2048));
}, 60_000);

/** One device of juliet's account: its vault and services, over the shared PEP service. */
type Device = OwnKeysOnPep;

describe('revoking a key on the server that this vault does not record as published', () => {
  const dirs: string[] = [];
  let pep: ReturnType<typeof fakePep>;

  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });

  async function device(events?: AppEvents): Promise<Device> {
    const dir = await mkdtemp(join(tmpdir(), 'keyring-revoke-unrecorded-'));
    dirs.push(dir);
    return ownKeysOnPep(await unlockedVaults(dir), pep, { events });
  }

  /** A new key on `to`, or the same certificate as one made earlier (`der`: the same key restored on another device). */
  async function addKey(to: Device, der?: Buffer): Promise<{ fingerprint: string; der: Buffer }> {
    const certificateDer = der ?? (await createSelfSignedCertificate({ bareJid: JULIET, privateKey, validityDays: 30 + dirs.length }));
    const fingerprint = certificateFingerprint(certificateDer);
    await to.store.add(JULIET, { fingerprint, certificateDer, privateKey });
    return { fingerprint, der: certificateDer };
  }

  /** The publish went out and the record of it was lost (a full disk between the server and the vault). */
  async function publishedUnrecorded(on: Device, fingerprint: string, access: Parameters<OwnKeys['publish']>[1] = { model: 'presence' }): Promise<void> {
    await on.keys.publish(fingerprint, access);
    await on.store.setPublication(JULIET, fingerprint, NS.pubkey, undefined);
    await on.published.recordRetract(JULIET, NS.pubkey, fingerprint);
  }

  /**
   * A key the laptop published, which the phone (holding the same key, restored there) revoked here only,
   * as the app used to when its record said "not published": the revocation is in the phone's vault, not on the node.
   */
  async function revokedOnPhoneOnly(reason: RevocationRequest['reason']): Promise<{ laptop: Device; phone: Device; fingerprint: string }> {
    const laptop = await device();
    const { fingerprint, der } = await addKey(laptop);
    await laptop.keys.publish(fingerprint, { model: 'presence' });
    const phone = await device();
    await addKey(phone, der);
    await recordRevokedHere(phone, JULIET, fingerprint, await createRevocation({ bareJid: JULIET, certificateDer: der, privateKey, reason }));
    return { laptop, phone, fingerprint };
  }

  const onNode = () => pep.nodes.get(NS.pubkey)?.items ?? [];
  /** A sign-in's reading of the key node, as core.ts makes it. */
  const signIn = (on: Device) => on.revocations.readNode(fetchItems(pep.ctx.iq, JULIET, NS.pubkey));
  const fresh = (options: Partial<FakeOptions> = {}) => (pep = fakePep({ fields: BASE_FIELDS, ...options }));

  it('a publish the vault never recorded: the revocation is published and the key withdrawn', async () => {
    fresh();
    const laptop = await device();
    const { fingerprint } = await addKey(laptop);
    await publishedUnrecorded(laptop, fingerprint);
    expect(onNode()).toEqual([fingerprint]);

    const answer = await laptop.keys.revoke(fingerprint, 'compromised');
    expect(answer).toMatchObject({ published: true, withdrawn: true, withdrawalPending: false });
    expect(revokedLine(answer)).toBe('Revoked; the revocation was published where the key was: contacts who see your presence, and the key was withdrawn');
    expect(onNode()).toEqual([revocationItemId(fingerprint)]);
    // Drift watch expects the revocation there, nothing else.
    expect(laptop.published.expects(JULIET, NS.pubkey, revocationItemId(fingerprint))).toBe(true);
    // The next sign-in leaves it so.
    await signIn(laptop);
    expect(onNode()).toEqual([revocationItemId(fingerprint)]);
  });

  it('a key another device of the account published: its revocation reaches the contacts who read it there', async () => {
    fresh();
    const laptop = await device();
    const { fingerprint, der } = await addKey(laptop);
    await laptop.keys.publish(fingerprint, { model: 'presence' });
    const phone = await device();
    await addKey(phone, der);

    expect(await phone.keys.revoke(fingerprint, 'compromised')).toMatchObject({ published: true, withdrawn: true });
    expect(onNode()).toEqual([revocationItemId(fingerprint)]);
    // The laptop, reading the node, finds it revoked: the statement verifies.
    expect(await signIn(laptop)).toEqual([fingerprint]);
  });

  it('a node its owner may not read (ejabberd 23.01, roster access): the revocation goes out all the same', async () => {
    fresh({ fields: EJABBERD_FIELDS, hidesItemsFromOwner: true });
    const laptop = await device();
    const { fingerprint } = await addKey(laptop);
    await publishedUnrecorded(laptop, fingerprint, { model: 'roster', groups: ['Friends'] });

    const answer = await laptop.keys.revoke(fingerprint, 'compromised');
    expect(answer).toMatchObject({ published: true, withdrawn: true });
    expect(onNode()).toEqual([revocationItemId(fingerprint)]);
    // To the audience the node has: the statement did not widen it.
    expect(pep.value(NS.pubkey, 'pubsub#access_model')).toBe('roster');
  });

  it('a key on no node: revoked here only, and nothing is sent', async () => {
    fresh();
    const laptop = await device();
    const { fingerprint } = await addKey(laptop);
    const answer = await laptop.keys.revoke(fingerprint, 'retired');
    expect(answer).toEqual({ published: false, withdrawn: false, withdrawalPending: false });
    expect(pep.nodes.has(NS.pubkey)).toBe(false);
    expect(pep.requests.filter((r) => r.getChild('publish'))).toEqual([]);
  });

  it('a sign-in never withdraws a revoked key whose revocation is not beside it: it publishes the revocation first', async () => {
    fresh();
    const { laptop, phone, fingerprint } = await revokedOnPhoneOnly('compromised');
    expect(onNode()).toEqual([fingerprint]);

    await signIn(phone);
    expect(onNode()).toEqual([revocationItemId(fingerprint)]);
    expect(phone.published.expects(JULIET, NS.pubkey, revocationItemId(fingerprint))).toBe(true);
    // What went out is a revocation that holds: the laptop takes it.
    expect(await signIn(laptop)).toEqual([fingerprint]);
  });

  it('a revocation that cannot be published leaves the key listed: the next sign-in tries again', async () => {
    fresh();
    const { phone, fingerprint } = await revokedOnPhoneOnly('retired');

    // The server refuses the publish once (a quota, a policy).
    const set = pep.ctx.iq.set.bind(pep.ctx.iq);
    let refuse = true;
    pep.ctx.iq.set = (element, to, timeout) => {
      if (refuse && element.getChild('publish')) {
        refuse = false;
        return Promise.reject(new Error('policy-violation'));
      }
      return set(element, to, timeout);
    };
    await signIn(phone);
    expect(onNode()).toEqual([fingerprint]);
    await signIn(phone);
    expect(onNode()).toEqual([revocationItemId(fingerprint)]);
  });

  it('a key node its owner may not read (ejabberd 23.01, roster access) is not silent: Activity is told what waits for it', async () => {
    fresh({ fields: EJABBERD_FIELDS, hidesItemsFromOwner: true });
    const events = new AppEvents();
    const told: unknown[] = [];
    events.subscribe((event, payload) => told.push({ event, payload }));
    const laptop = await device(events);
    const { fingerprint } = await addKey(laptop);
    await laptop.keys.publish(fingerprint, { model: 'roster', groups: ['Friends'] });

    expect(await signIn(laptop)).toEqual([]);
    expect(told).toMatchObject([{ event: 'keys:keyNodeUnread', payload: { reason: 'refused' } }]);
    expect(told).toHaveLength(1);
    // Told once in a run of the app, not at every sign-in or reconnect to a server that always refuses.
    expect(await signIn(laptop)).toEqual([]);
    expect(told).toHaveLength(1);
    expect(keyNodeUnreadLine('refused')).toBe(
      'Could not check your published keys (your server did not let the app read them): revocations from your other devices, and a revoked key still listed, wait until they can be read',
    );
    // A node that does not exist is nothing to tell.
    fresh();
    told.length = 0;
    await signIn(await device(events));
    expect(told).toEqual([]);
  });

  it('a cut-off withdrawal is promised only as tried again at the next connection', () => {
    expect(revokedLine({ published: true, withdrawn: false, withdrawalPending: true })).toBe(
      'Revoked; the revocation was published where your keys are published. The key is still listed on your server (its withdrawal was cut off): it is tried again at the next connection',
    );
  });
});
