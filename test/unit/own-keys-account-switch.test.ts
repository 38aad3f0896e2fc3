/**
 * Work on romeo's keys that is still running when mercutio signs in (another window pressed Connect)
 * stops there: nothing of romeo's is published on mercutio's key node, no request goes over mercutio's
 * connection, and romeo's record does not say done what was not. Two PEP services in memory, one per
 * account, and a session that switches from romeo's to mercutio's in the middle of the work.
 */
import type { KeyObject } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KeyringError } from '../../main/errors.js';
import { createSelfSignedCertificate } from '../../main/keys/certificate.js';
import { certificateFingerprint } from '../../main/keys/fingerprint.js';
import { generateRsaKeyPair } from '../../main/keys/generate.js';
import { OwnKeys } from '../../main/services/own-keys.js';
import { OwnKeysStore } from '../../main/vault/stores/own-keys-store.js';
import { PublishedNodesStore } from '../../main/vault/stores/published-nodes-store.js';
import { NS } from '../../main/xmpp/namespaces.js';
import { revocationItemId } from '../../main/xmpp/key-statements.js';
import { MERCUTIO, ROMEO, twoPepAccounts } from '../support/two-pep-accounts.js';
import { unlockedVaults } from '../support/vaults.js';

let privateKey: KeyObject;
let certificate: Buffer;
beforeAll(async () => {
  ({ privateKey } = await generateRsaKeyPair(2048));
  certificate = await createSelfSignedCertificate({ bareJid: ROMEO, privateKey, validityDays: 30 });
}, 60_000);

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** Romeo's device with his key in its vault, over two PEP accounts one session switches between. */
async function app() {
  const dir = await mkdtemp(join(tmpdir(), 'keyring-switch-'));
  dirs.push(dir);
  const sw = twoPepAccounts();
  const vaults = await unlockedVaults(dir);
  const store = new OwnKeysStore(vaults);
  const published = new PublishedNodesStore(vaults);
  const keys = new OwnKeys({ store, published, session: sw.session });
  const fingerprint = certificateFingerprint(certificate);
  await store.add(ROMEO, { fingerprint, certificateDer: certificate, privateKey });
  return { sw, store, published, keys, fingerprint };
}

/** Romeo's key published for his presence; mercutio signs in once its withdrawal is noted (recordRetract). */
async function publishedThenSwitchAfterRecordRetract() {
  const made = await app();
  await made.keys.publish(made.fingerprint, { model: 'presence' });
  const recordRetract = made.published.recordRetract.bind(made.published);
  made.published.recordRetract = async (...args) => {
    await recordRetract(...args);
    made.sw.signIn(MERCUTIO);
  };
  return made;
}

describe('romeo’s key work across mercutio’s sign-in', () => {

  function refusedForRomeo(error: unknown): void {
    expect(error).toBeInstanceOf(KeyringError);
    // Said as what happened, not as a request refused or a node not found on the other account's service.
    expect(error).toMatchObject({ code: 'signed-out-meanwhile', message: expect.stringMatching(/^romeo@montague\.lit was signed out .* did nothing for another account/) as string });
  }

  it('mercutio signs in while the new audience is noted: nothing goes to mercutio’s key node, and romeo’s key is not recorded published', async () => {
    const { sw, store, published, keys, fingerprint } = await app();
    const noteAccess = published.noteAccess.bind(published);
    published.noteAccess = async (...args) => {
      await noteAccess(...args);
      sw.signIn(MERCUTIO);
    };

    const error = await keys.publish(fingerprint, { model: 'whitelist', allow: ['juliet@capulet.lit'] }).catch((e: unknown) => e);

    refusedForRomeo(error);
    expect(sw.mercutio.requests).toEqual([]);
    expect(sw.mercutio.nodes.size).toBe(0);
    expect(sw.romeo.nodes.get(NS.pubkey)).toBeUndefined();
    expect(store.find(ROMEO, fingerprint)?.publications).toEqual([]);
  });

  it('mercutio signs in while romeo’s published key is being renewed: no successor is stored, nothing is published anywhere', async () => {
    const { sw, store, keys, fingerprint } = await app();
    await keys.publish(fingerprint, { model: 'presence' });
    const romeoRequests = sw.romeo.requests.length;
    sw.hooks.onSupportCheck = () => sw.signIn(MERCUTIO);

    const error = await keys.renew(fingerprint, { newKey: false }).catch((e: unknown) => e);

    refusedForRomeo(error);
    expect(store.list(ROMEO).map((k) => k.fingerprint)).toEqual([fingerprint]);
    expect(sw.mercutio.requests).toEqual([]);
    expect(sw.romeo.requests.length).toBe(romeoRequests);
    expect(sw.romeo.nodes.get(NS.pubkey)?.items).toEqual([fingerprint]);
  });

  it('mercutio signs in while romeo’s key is being revoked: the revocation is not published on mercutio’s node, and the key is not marked revoked', async () => {
    const { sw, store, keys, fingerprint } = await app();
    await keys.publish(fingerprint, { model: 'presence' });
    sw.hooks.onSupportCheck = () => sw.signIn(MERCUTIO);

    const error = await keys.revoke(fingerprint, 'superseded').catch((e: unknown) => e);

    refusedForRomeo(error);
    expect(sw.mercutio.requests).toEqual([]);
    expect(sw.mercutio.nodes.get(NS.pubkey)?.items ?? []).not.toContain(revocationItemId(fingerprint));
    expect(store.find(ROMEO, fingerprint)?.revoked).toBeUndefined();
    expect(sw.romeo.nodes.get(NS.pubkey)?.items).toEqual([fingerprint]);
  });

  it('mercutio signs in while romeo’s withdrawal is noted: romeo’s key stays recorded published, as it still is on his server', async () => {
    const { sw, store, published, keys, fingerprint } = await publishedThenSwitchAfterRecordRetract();

    const error = await keys.retract(fingerprint).catch((e: unknown) => e);

    refusedForRomeo(error);
    expect(sw.mercutio.requests).toEqual([]);
    expect(sw.romeo.nodes.get(NS.pubkey)?.items).toEqual([fingerprint]);
    expect(store.find(ROMEO, fingerprint)?.publications.map((p) => p.node)).toEqual([NS.pubkey]);
    // Drift watch expects the key's item again: it is still there.
    expect(published.list(ROMEO)[NS.pubkey]?.items.map((i) => i.id)).toEqual([fingerprint]);
  });

  it('mercutio signs in while a published key is being deleted: it is neither withdrawn from mercutio’s service nor deleted', async () => {
    const { sw, store, keys, fingerprint } = await publishedThenSwitchAfterRecordRetract();

    const error = await keys.delete(fingerprint).catch((e: unknown) => e);

    refusedForRomeo(error);
    expect(sw.mercutio.requests).toEqual([]);
    expect(store.find(ROMEO, fingerprint)).toBeDefined();
    expect(sw.romeo.nodes.get(NS.pubkey)?.items).toEqual([fingerprint]);
  });
});

/**
 * A write of romeo's own keys holds to romeo, not to the stream it began on (session-mark.ts `holds`):
 * his connection dropping and coming back during it (a Wi-Fi blip while a 4096-bit key is made) is still
 * romeo, and the rest goes to his server over the new stream. Only another account stops it.
 */
describe('romeo’s key work across a reconnect of romeo', () => {

  /** Romeo's stream lost and romeo signed in again on a new one, as AccountSession's reconnect does. */
  function reconnectRomeo(sw: ReturnType<typeof twoPepAccounts>): void {
    sw.set({ status: 'reconnecting', account: ROMEO });
    sw.set({ status: 'connecting', account: ROMEO });
    sw.set({ status: 'online', account: ROMEO });
  }

  it('a renewal of romeo’s published key across his reconnect is done: the successor is published on his node, the old key withdrawn', async () => {
    const { sw, store, keys, fingerprint } = await app();
    await keys.publish(fingerprint, { model: 'presence' });
    const before = sw.session.sessionGeneration;
    sw.hooks.onSupportCheck = () => {
      sw.hooks.onSupportCheck = undefined;
      reconnectRomeo(sw);
    };

    const renewed = await keys.renew(fingerprint, { newKey: false });

    expect(sw.session.sessionGeneration).toBeGreaterThan(before);
    expect(renewed).toMatchObject({ published: true, withdrawn: true });
    expect(sw.romeo.nodes.get(NS.pubkey)?.items).toEqual([renewed.fingerprint]);
    expect(store.find(ROMEO, renewed.fingerprint)?.publications.map((p) => p.node)).toEqual([NS.pubkey]);
    expect(store.find(ROMEO, fingerprint)?.publications).toEqual([]);
    expect(sw.mercutio.requests).toEqual([]);
  });

  it('a publish across romeo’s reconnect is done and recorded; then mercutio signed in during the next one stops it', async () => {
    const { sw, store, published, keys, fingerprint } = await app();
    const noteAccess = published.noteAccess.bind(published);
    let during: (() => void) | undefined = () => reconnectRomeo(sw);
    published.noteAccess = async (...args) => {
      await noteAccess(...args);
      const now = during;
      during = undefined;
      now?.();
    };

    await keys.publish(fingerprint, { model: 'presence' });

    expect(sw.romeo.nodes.get(NS.pubkey)?.items).toEqual([fingerprint]);
    expect(store.find(ROMEO, fingerprint)?.publications.map((p) => p.node)).toEqual([NS.pubkey]);

    // Another account is another matter: its connection is not romeo's.
    during = () => sw.signIn(MERCUTIO);
    const error = await keys.publish(fingerprint, { model: 'whitelist', allow: ['juliet@capulet.lit'] }, true).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'signed-out-meanwhile', message: expect.stringMatching(/^romeo@montague\.lit was signed out \(another account was signed in\) while publishing your key/) as string });
    expect(sw.mercutio.requests).toEqual([]);
  });
});
