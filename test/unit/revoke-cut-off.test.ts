/**
 * A revoke is two steps on the key node (docs/key-lifecycle.md, "Revocation statement"): the statement
 * is published, then the key's own item is withdrawn. Cut off between the two (the connection lost, the
 * server refusing the withdrawal), the key is revoked all the same: its revocation is out for every
 * contact to read. So the revoke answers so ("still listed, withdrawn at the next connection") instead
 * of failing, the key is revoked here at once, and the next reading of the node withdraws the item left
 * behind, here or on another device of the account that revoked it. Over a PEP service in memory, with
 * real vaults and real signatures.
 */
import type { KeyObject } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IqCaller } from '@xmpp/iq/caller.js';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSelfSignedCertificate } from '../../main/keys/certificate.js';
import { certificateFingerprint } from '../../main/keys/fingerprint.js';
import { generateRsaKeyPair } from '../../main/keys/generate.js';
import { fetchItems } from '../../main/xmpp/fetch-items.js';
import { revocationItemId } from '../../main/xmpp/key-statements.js';
import { NS } from '../../main/xmpp/namespaces.js';
import { revokedLine } from '../../renderer/src/lib/wording.js';
import { BASE_FIELDS, fakePep, JULIET } from '../support/fake-pep-service.js';
import { ownKeysOnPep, type OwnKeysOnPep } from '../support/own-keys-on-pep.js';
import { unlockedVaults } from '../support/vaults.js';

let privateKey: KeyObject;
beforeAll(async () => {
  ({ privateKey } = await generateRsaKeyPair(2048));
}, 60_000);

/** One device of juliet's account: its vault, its services, over the shared PEP service. */
type Device = OwnKeysOnPep;

describe('a revoke cut off between its revocation and the withdrawal of the key', () => {
  const dirs: string[] = [];
  let pep: ReturnType<typeof fakePep>;
  /** How many withdrawals of the key node's items to cut off next (the connection lost at that moment). */
  let cutWithdrawals: number;

  /** The PEP service as the device reaches it: withdrawals fail while `cutWithdrawals` says so. */
  function cuttingIq(iq: IqCaller): IqCaller {
    return {
      ...iq,
      set: (element, to, timeout) => {
        const retract = element.is('pubsub', NS.pubsub) && element.getChild('retract') !== undefined;
        if (retract && cutWithdrawals > 0) {
          cutWithdrawals -= 1;
          return Promise.reject(new Error('socket closed'));
        }
        return iq.set(element, to, timeout);
      },
    };
  }

  async function device(): Promise<Device> {
    const dir = await mkdtemp(join(tmpdir(), 'keyring-revoke-cut-'));
    dirs.push(dir);
    return ownKeysOnPep(await unlockedVaults(dir), { ctx: { iq: cuttingIq(pep.ctx.iq) } });
  }

  /** A new key on `to`, or the same certificate as one made earlier (`der`: a key restored from a backup). */
  async function addKey(to: Device, days: number, der?: Buffer): Promise<string> {
    const certificateDer = der ?? (await createSelfSignedCertificate({ bareJid: JULIET, privateKey, validityDays: days }));
    const fingerprint = certificateFingerprint(certificateDer);
    await to.store.add(JULIET, { fingerprint, certificateDer, privateKey });
    return fingerprint;
  }

  const onNode = () => pep.nodes.get(NS.pubkey)?.items ?? [];
  /** A sign-in's reading of the key node, as core.ts makes it. */
  const signIn = (on: Device) => on.revocations.readNode(fetchItems(pep.ctx.iq, JULIET, NS.pubkey));
  const revokedOn = (on: Device, fingerprint: string) => on.keys.list().find((k) => k.fingerprint === fingerprint)?.revoked;

  beforeEach(() => {
    pep = fakePep({ fields: BASE_FIELDS });
    cutWithdrawals = 0;
  });
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('is a revoke: the key is revoked here, the answer says it is still listed, and the next connection withdraws it', async () => {
    const laptop = await device();
    const fingerprint = await addKey(laptop, 30);
    await laptop.keys.publish(fingerprint, { model: 'presence' });

    cutWithdrawals = 1;
    const answer = await laptop.keys.revoke(fingerprint, 'compromised');
    expect(answer).toMatchObject({ published: true, withdrawn: false, withdrawalPending: true });
    expect(revokedOn(laptop, fingerprint)).toMatchObject({ reason: 'compromised' });
    // Both on the node now: the revocation, and the key beside it.
    expect(onNode()).toEqual([fingerprint, revocationItemId(fingerprint)]);
    // Never published again, even while its item is still there.
    await expect(laptop.keys.publish(fingerprint, { model: 'presence' })).rejects.toMatchObject({ code: 'invalid-argument' });
    // What the person reads of it is true.
    expect(revokedLine(answer)).toBe(
      'Revoked; the revocation was published where the key was: contacts who see your presence. The key is still listed on your server (its withdrawal was cut off): it is tried again at the next connection',
    );

    // The next connection: the key's item goes, its revocation stays; it is not news again.
    expect(await signIn(laptop)).toEqual([]);
    expect(onNode()).toEqual([revocationItemId(fingerprint)]);
    // Drift watch expects only the revocation there.
    expect(laptop.published.expects(JULIET, NS.pubkey, fingerprint)).toBe(false);
    expect(laptop.published.expects(JULIET, NS.pubkey, revocationItemId(fingerprint))).toBe(true);
  });

  it('a withdrawal that fails at a reading is tried again at the next one', async () => {
    const laptop = await device();
    const fingerprint = await addKey(laptop, 30);
    await laptop.keys.publish(fingerprint, { model: 'presence' });
    cutWithdrawals = 2;
    await laptop.keys.revoke(fingerprint, 'retired');
    await signIn(laptop);
    expect(onNode()).toContain(fingerprint);
    await signIn(laptop);
    expect(onNode()).toEqual([revocationItemId(fingerprint)]);
  });

  it('cut off on another device: this one marks the key revoked and withdraws what was left', async () => {
    const laptop = await device();
    const fingerprint = await addKey(laptop, 30);
    await laptop.keys.publish(fingerprint, { model: 'presence' });
    // The phone holds the same key (restored from a backup), not revoked there.
    const phone = await device();
    const certificate = laptop.store.find(JULIET, fingerprint)?.certificate;
    expect(await addKey(phone, 30, Buffer.from(certificate ?? '', 'base64'))).toBe(fingerprint);

    cutWithdrawals = 1;
    await laptop.keys.revoke(fingerprint, 'compromised');
    expect(onNode()).toContain(fingerprint);

    expect(await signIn(phone)).toEqual([fingerprint]);
    expect(revokedOn(phone, fingerprint)).toMatchObject({ reason: 'compromised' });
    expect(onNode()).toEqual([revocationItemId(fingerprint)]);
  });

  it('withdraws nothing else: a key not revoked stays, and so does every revocation', async () => {
    const laptop = await device();
    const kept = await addKey(laptop, 30);
    const revoked = await addKey(laptop, 60);
    await laptop.keys.publish(kept, { model: 'presence' });
    await laptop.keys.publish(revoked, { model: 'presence' });
    await laptop.keys.revoke(revoked, 'superseded');
    expect(onNode()).toEqual([kept, revocationItemId(revoked)]);

    const before = pep.requests.length;
    expect(await signIn(laptop)).toEqual([]);
    expect(onNode()).toEqual([kept, revocationItemId(revoked)]);
    // One reading, no withdrawal asked for.
    expect(pep.requests.slice(before).filter((r) => r.getChild('retract'))).toEqual([]);
  });

  it('says what happened in every case', () => {
    expect(revokedLine({ published: false, withdrawn: false, withdrawalPending: false })).toBe('Revoked (it was not published)');
    expect(revokedLine({ published: true, withdrawn: true, withdrawalPending: false })).toBe('Revoked; the revocation was published where your keys are published, and the key was withdrawn');
    // The key was not on the node itself (others were): nothing to withdraw, and no claim that it was.
    expect(revokedLine({ published: true, withdrawn: false, withdrawalPending: false })).toBe('Revoked; the revocation was published where your keys are published');
  });

  it('names where the revocation went, never "your contacts" when it went to a group, and a group nobody is in as reaching nobody', () => {
    const config = { node: 'urn:xmpp:tmp:pubkey', accessModel: 'roster', persistItems: true, sendLastPublishedItem: 'never', maxItems: '32', members: [], deviations: [] };
    expect(revokedLine({ published: true, withdrawn: true, withdrawalPending: false, config: { ...config, rosterGroupsAllowed: ['Friends'] } })).toBe(
      'Revoked; the revocation was published where the key was: roster group "Friends", and the key was withdrawn',
    );
    expect(
      revokedLine({ published: true, withdrawn: true, withdrawalPending: false, config: { ...config, rosterGroupsAllowed: ['NoSuchGroup'], emptyGroups: ['NoSuchGroup'] } }),
    ).toBe(
      'Revoked; the revocation was published where the key was: roster group "NoSuchGroup", and the key was withdrawn. No contact of yours is in the group "NoSuchGroup": nobody can read the revocation until you add someone to it',
    );
    expect(revokedLine({ published: true, withdrawn: true, withdrawalPending: false, config: { ...config, accessModel: 'open', rosterGroupsAllowed: [] } })).toBe(
      'Revoked; the revocation was published where the key was: anyone, and the key was withdrawn',
    );
  });
});
