/**
 * A renewal keeps the private key (docs/key-lifecycle.md, "Expiry and renewal"), so a key revoked as
 * compromised (or for no reason given) is revoked under every certificate it has: contacts' apps
 * already read it so (withRevocations: "revoked … under another certificate"), and the owner's devices
 * must too. The older certificate is then revoked here, never current, never published or renewed
 * again, and withdrawn from the key node with the revocation; the same when the revocation is read
 * from the node by another device. `superseded` and `retired` are about one certificate. Over a PEP
 * service in memory, with real vaults and real signatures.
 */
import type { KeyObject } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSelfSignedCertificate } from '../../main/keys/certificate.js';
import { certificateFingerprint } from '../../main/keys/fingerprint.js';
import { generateRsaKeyPair } from '../../main/keys/generate.js';
import { createRevocation } from '../../main/keys/revocation.js';
import { fetchItems } from '../../main/xmpp/fetch-items.js';
import { revocationItemId } from '../../main/xmpp/key-statements.js';
import { NS } from '../../main/xmpp/namespaces.js';
import { describeOwnKey } from '../../main/cli/output.js';
import { revokedLine } from '../../renderer/src/lib/wording.js';
import { BASE_FIELDS, fakePep, JULIET } from '../support/fake-pep-service.js';
import { ownKeysOnPep, type OwnKeysOnPep } from '../support/own-keys-on-pep.js';
import { unlockedVaults } from '../support/vaults.js';

let privateKey: KeyObject;
beforeAll(async () => {
  ({ privateKey } = await generateRsaKeyPair(2048));
}, 60_000);

describe('a revocation of a renewed key covers its older certificate', () => {
  const dirs: string[] = [];
  let pep: ReturnType<typeof fakePep>;

  async function device(): Promise<OwnKeysOnPep> {
    const dir = await mkdtemp(join(tmpdir(), 'keyring-revoke-same-key-'));
    dirs.push(dir);
    return ownKeysOnPep(await unlockedVaults(dir), pep);
  }

  /** A key on `to`: made now, or (`der`) a certificate made earlier (a key restored from a backup). */
  async function addKey(to: OwnKeysOnPep, der?: Buffer): Promise<{ fingerprint: string; der: Buffer }> {
    const certificateDer = der ?? (await createSelfSignedCertificate({ bareJid: JULIET, privateKey, validityDays: 30 }));
    const fingerprint = certificateFingerprint(certificateDer);
    await to.store.add(JULIET, { fingerprint, certificateDer, privateKey });
    return { fingerprint, der: certificateDer };
  }

  const onNode = () => pep.nodes.get(NS.pubkey)?.items ?? [];
  const viewOf = (on: OwnKeysOnPep, fingerprint: string) => on.keys.list().find((k) => k.fingerprint === fingerprint);

  beforeEach(() => {
    pep = fakePep({ fields: BASE_FIELDS });
  });
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('compromised: the older certificate is revoked too, never current, refused for publish, and withdrawn from the node', async () => {
    const laptop = await device();
    const { fingerprint: old } = await addKey(laptop);
    await laptop.keys.publish(old, { model: 'presence' });
    const renewed = (await laptop.keys.renew(old, { newKey: false })).fingerprint;
    // The older certificate put back on the node beside its successor (as the CLI walk did).
    await laptop.keys.publish(old, { model: 'presence' });
    expect(onNode()).toEqual([renewed, old]);

    const answer = await laptop.keys.revoke(renewed, 'compromised');
    expect(answer).toMatchObject({ published: true, withdrawn: true, withdrawalPending: false, alsoRevoked: [old] });
    expect(revokedLine(answer)).toBe('Revoked; the revocation was published where the key was: contacts who see your presence, and the key was withdrawn. Its other certificate (the same key) was revoked with it');
    expect(viewOf(laptop, old)).toMatchObject({ current: false, revoked: { reason: 'compromised' }, publications: [] });
    expect(laptop.keys.list().some((k) => k.current)).toBe(false);
    // Gone from the node with the key's revocation; drift watch expects neither certificate there.
    expect(onNode()).toEqual([revocationItemId(renewed)]);
    expect(laptop.published.expects(JULIET, NS.pubkey, old)).toBe(false);
    await expect(laptop.keys.publish(old, { model: 'open' }, true)).rejects.toMatchObject({ code: 'invalid-argument' });
    expect(onNode()).toEqual([revocationItemId(renewed)]);
    // The CLI's list says so.
    const line = describeOwnKey(viewOf(laptop, old) ?? expect.fail('no key'));
    expect(line).toContain('(REVOKED)');
    expect(line).not.toContain('(current)');
  });

  it('retired or superseded: only that certificate is revoked, as contacts read it', async () => {
    const laptop = await device();
    const { fingerprint: old } = await addKey(laptop);
    const renewed = (await laptop.keys.renew(old, { newKey: false })).fingerprint;
    const answer = await laptop.keys.revoke(renewed, 'retired');
    expect(answer.alsoRevoked).toBeUndefined();
    expect(viewOf(laptop, old)?.revoked).toBeUndefined();
  });

  it('read from the node by another device: its older certificate of the key is revoked there too', async () => {
    const laptop = await device();
    const { fingerprint: old, der } = await addKey(laptop);
    // The phone holds only the older certificate (restored from a backup made before the renewal).
    const phone = await device();
    await addKey(phone, der);
    await laptop.keys.publish(old, { model: 'presence' });
    const renewed = (await laptop.keys.renew(old, { newKey: false })).fingerprint;
    await laptop.keys.revoke(renewed, 'compromised');

    expect(await phone.revocations.readNode()).toEqual([old]);
    expect(viewOf(phone, old)).toMatchObject({ current: false, revoked: { reason: 'compromised' } });
    await expect(phone.keys.publish(old, { model: 'presence' })).rejects.toMatchObject({ code: 'invalid-argument' });
    // Not news again at the next reading.
    expect(await phone.revocations.readNode()).toEqual([]);
  });

  it('a vault whose revoke recorded only the named certificate, its older certificate put back on the node: the next sign-in revokes and withdraws it', async () => {
    const laptop = await device();
    const { fingerprint: old, der: oldDer } = await addKey(laptop);
    await laptop.keys.publish(old, { model: 'presence' });
    const renewed = (await laptop.keys.renew(old, { newKey: false })).fingerprint;
    const renewedDer = Buffer.from(laptop.store.find(JULIET, renewed)?.certificate ?? '', 'base64');
    // The state an earlier version left (the CLI walk): the renewed certificate revoked as compromised
    // (by a device that holds it alone), recorded revoked here alone, and the older one published again.
    const revoker = await device();
    await addKey(revoker, renewedDer);
    await revoker.keys.revoke(renewed, 'compromised');
    const statement = revoker.store.find(JULIET, renewed)?.revoked ?? expect.fail('not revoked');
    await laptop.store.setRevoked(JULIET, renewed, statement);
    const republisher = await device();
    await addKey(republisher, oldDer);
    await republisher.keys.publish(old, { model: 'presence' });
    expect(onNode()).toEqual([revocationItemId(renewed), old]);

    expect(await laptop.revocations.readNode()).toEqual([old]);
    expect(viewOf(laptop, old)).toMatchObject({ current: false, revoked: { reason: 'compromised', date: statement.date } });
    expect(viewOf(laptop, old)?.revoked?.underCertificate).toBeUndefined();
    // Withdrawn, with a revocation of its own beside its key's (own-revocations.ts: never withdrawn alone).
    expect(onNode()).toEqual([revocationItemId(renewed), revocationItemId(old)]);
  });

  it('a vault whose revoke recorded only the named certificate still shows the other revoked, and refuses it', async () => {
    const laptop = await device();
    const { fingerprint: old } = await addKey(laptop);
    const renewed = (await laptop.keys.renew(old, { newKey: false })).fingerprint;
    const der = Buffer.from(laptop.store.find(JULIET, renewed)?.certificate ?? '', 'base64');
    // As the revoke of an earlier version left it: the renewed certificate alone recorded revoked.
    await laptop.store.setRevoked(JULIET, renewed, await createRevocation({ bareJid: JULIET, certificateDer: der, privateKey, reason: 'unspecified' }));

    expect(viewOf(laptop, old)).toMatchObject({ current: false, revoked: { reason: 'unspecified', underCertificate: renewed } });
    await expect(laptop.keys.publish(old, { model: 'presence' })).rejects.toThrow(/revoked \(unspecified\) under its other certificate/);
    expect(onNode()).toEqual([]);
    // Put on the node by another device: a sign-in does not record it as published here.
    const other = await device();
    await addKey(other, Buffer.from(laptop.store.find(JULIET, old)?.certificate ?? '', 'base64'));
    await other.keys.publish(old, { model: 'presence' });
    expect(await laptop.found.readNode(fetchItems(pep.ctx.iq, JULIET, NS.pubkey))).toEqual([]);
    expect(viewOf(laptop, old)?.publications).toEqual([]);
  });
});
