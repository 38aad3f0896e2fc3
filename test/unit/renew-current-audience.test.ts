/**
 * A renewal puts the new key where the old one is. The key node has one audience for every key on it
 * (XEP-0060 §4.5), and the vault's record of it can be stale: another device of the account changed it,
 * with its person's consent. Renewing then publishes the successor to the node's audience as the server
 * reports it, never widening or narrowing it (which would need consent: access-model-conflict), and
 * records that audience for the successor. The vault's drift record keeps the person's choice, so drift
 * watch still reports the change until it is accepted. A node that cannot be read keeps the refusal and
 * its words. Against a PEP service in memory (test/support/fake-pep-service.ts), with real vaults.
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
import { NS } from '../../main/xmpp/namespaces.js';
import { BASE_FIELDS, fakePep, JULIET, stanzaError } from '../support/fake-pep-service.js';
import { ownKeysOnPep, type OwnKeysOnPep } from '../support/own-keys-on-pep.js';
import { unlockedVaults } from '../support/vaults.js';

const ROMEO = 'romeo@montague.lit';
const MALLORY = 'mallory@evil.example';
const BENVOLIO = 'benvolio@montague.lit';

let privateKey: KeyObject;
beforeAll(async () => {
  ({ privateKey } = await generateRsaKeyPair(2048));
}, 60_000);

describe('renewing a key whose node another device changed', () => {
  let dir: string;
  let pep: ReturnType<typeof fakePep>;
  let laptop: OwnKeysOnPep;
  let old: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keyring-renew-audience-'));
    // Preconditions checked, as both real servers do: a publish never lands on a node other than the one read.
    pep = fakePep({ fields: BASE_FIELDS, checksPreconditions: true });
    laptop = ownKeysOnPep(await unlockedVaults(dir), pep);
    const der = await createSelfSignedCertificate({ bareJid: JULIET, privateKey, validityDays: 30 });
    old = certificateFingerprint(der);
    await laptop.store.add(JULIET, { fingerprint: old, certificateDer: der, privateKey });
    await laptop.keys.publish(old, { model: 'whitelist', allow: [ROMEO, MALLORY] });
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const keyNode = () => pep.nodes.get(NS.pubkey);
  const successorOf = (fingerprint: string) => laptop.keys.list().find((k) => k.continues === fingerprint);
  const membersOnServer = () => [...(keyNode()?.affiliations ?? [])].filter(([, a]) => a === 'member').map(([jid]) => jid);

  it('with a member added there: the successor goes to all of them, the old key is withdrawn, and the members stay', async () => {
    keyNode()?.affiliations.set(BENVOLIO, 'member');
    const outcome = await laptop.keys.renew(old, { newKey: false });
    expect(outcome).toMatchObject({ published: true, withdrawn: true });
    expect(keyNode()?.items).toEqual([outcome.fingerprint]);
    expect(membersOnServer()).toEqual([ROMEO, MALLORY, BENVOLIO]);
    // My keys says who reads the new key: the node's audience as the server reported it.
    expect(successorOf(old)?.publications).toMatchObject([{ node: NS.pubkey, accessModel: 'whitelist', allow: [ROMEO, MALLORY, BENVOLIO] }]);
    expect(laptop.keys.list().find((k) => k.fingerprint === old)?.publications).toEqual([]);
    // The drift record keeps the person's choice (drift watch still reports benvolio) and expects the new key.
    expect(laptop.published.list(JULIET)[NS.pubkey]).toMatchObject({ access: { model: 'whitelist', allow: [ROMEO, MALLORY] }, items: [{ id: outcome.fingerprint }] });
    // The key's one renewal is used, and done: renewing again names the published successor.
    await expect(laptop.keys.renew(old, { newKey: false })).rejects.toThrow(`already renewed: its successor is ${outcome.fingerprint}`);
  });

  it('with a member taken off there: the successor is not published to them again', async () => {
    keyNode()?.affiliations.delete(MALLORY);
    const outcome = await laptop.keys.renew(old, { newKey: false });
    expect(outcome).toMatchObject({ published: true, withdrawn: true });
    expect(keyNode()?.items).toEqual([outcome.fingerprint]);
    expect(membersOnServer()).toEqual([ROMEO]);
    expect(successorOf(old)?.publications).toMatchObject([{ accessModel: 'whitelist', allow: [ROMEO] }]);
  });

  it('with its access changed to presence there: the successor goes to presence, and no member is put back', async () => {
    keyNode()?.config.set('pubsub#access_model', ['presence']);
    keyNode()?.affiliations.delete(ROMEO);
    keyNode()?.affiliations.delete(MALLORY);
    const outcome = await laptop.keys.renew(old, { newKey: false });
    expect(keyNode()?.items).toEqual([outcome.fingerprint]);
    expect(pep.value(NS.pubkey, 'pubsub#access_model')).toBe('presence');
    expect(membersOnServer()).toEqual([]);
    expect(successorOf(old)?.publications).toMatchObject([{ accessModel: 'presence' }]);
  });

  it('whose settings cannot be read then: refused with that failure (no "must be confirmed" a renewal cannot confirm), the successor kept', async () => {
    keyNode()?.affiliations.set(BENVOLIO, 'member');
    // The first reading of the node's settings answers (the publish finds the change); any after fails.
    let configReads = 0;
    const get = pep.ctx.iq.get.bind(pep.ctx.iq);
    pep.ctx.iq.get = async (element, ...rest) => {
      if (element.is('pubsub', NS.pubsubOwner) && element.getChild('configure') && ++configReads > 1) throw stanzaError('internal-server-error', 'cancel');
      return get(element, ...rest);
    };
    const error: unknown = await laptop.keys.renew(old, { newKey: false }).catch((e: unknown) => e);
    if (!(error instanceof KeyringError)) return expect.fail(`not a KeyringError: ${String(error)}`);
    expect(error.code).toBe('protocol-error');
    expect(error.message).toMatch(/^Could not read the settings of your keys: /);
    expect(error.message).toContain('was made and kept, not published');
    expect(keyNode()?.items).toEqual([old]);
    expect(membersOnServer()).toEqual([ROMEO, MALLORY, BENVOLIO]);
  });
});
