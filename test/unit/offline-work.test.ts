/**
 * Work that needs no network runs without signing in (issue 14.6): a core that names its account
 * for offline work makes, lists and exports own keys, shows the roster and contacts' keys the vault
 * saved, and still refuses what needs the server with 'not-connected'. No server runs here: any
 * request that tried to reach one would fail.
 *
 * The account the app works for is one whose server took its password on this app
 * (main/services/working-account.ts): a sign-in refused for an address that never signed in here (a
 * typo the server does not know) is not adopted. Played by the fake SCRAM server, which takes one
 * password for every address, as a real server takes the right one.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionState } from '../../contract/index.js';
import { createSelfSignedCertificate } from '../../main/keys/certificate.js';
import { exportPkcs12 } from '../../main/keys/export-key.js';
import { generateRsaKeyPair } from '../../main/keys/generate.js';
import { openCore, type OpenCore } from '../support/app.js';
import { startScramServer } from '../support/fake-xmpp-server.js';
import { makeTestPki, type TestPki } from '../support/test-pki.js';

const opened: OpenCore[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((o) => o.stop()));
});

async function offlineCore(jid?: string): Promise<OpenCore> {
  const app = await openCore();
  opened.push(app);
  if (jid) app.core.workOffline(jid);
  return app;
}

describe('offline work for a named account', () => {
  it('makes, lists and exports a key without signing in; the certificate names the account', async () => {
    const { core } = await offlineCore('Juliet@Capulet.lit');
    const generated = await core.api.keys.generate({ bits: 2048, validityDays: 30 });
    expect(generated.ok).toBe(true);
    if (!generated.ok) return;
    const listed = await core.api.keys.list();
    expect(listed).toMatchObject({ ok: true, value: [{ fingerprint: generated.value.fingerprint }] });
    const exported = await core.api.keys.exportCertificate({ fingerprint: generated.value.fingerprint, format: 'pem' });
    expect(exported.ok && exported.value.pem).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(core.session.state.status).toBe('offline');
  });

  it('an imported key is marked imported, so its certificate\'s own dates are not taken for a day it was made here; one made here is not', async () => {
    const { core } = await offlineCore('juliet@capulet.lit');
    const { privateKey } = await generateRsaKeyPair(2048);
    // Valid from 400 days ago until 30 days ago: expired long before the day of the import.
    const der = await createSelfSignedCertificate({ bareJid: 'juliet@capulet.lit', privateKey, notBefore: new Date(Date.now() - 400 * 86_400_000), validityDays: 370 });
    const file = exportPkcs12(privateKey, der, 'the file password').toString('base64');
    const imported = await core.api.keys.import({ files: [file], password: 'the file password' });
    expect(imported).toMatchObject({ ok: true, value: { imported: true, expiry: { level: 'expired' } } });
    const generated = await core.api.keys.generate({ bits: 2048, validityDays: 30 });
    expect(generated.ok && generated.value.imported).toBeUndefined();
    const listed = await core.api.keys.list();
    expect(listed.ok && listed.value.map((k) => k.imported ?? false).sort()).toEqual([false, true]);
  }, 30_000);

  it('answers the saved roster and known keys from the vault, and nothing before any was saved', async () => {
    const { core } = await offlineCore('juliet@capulet.lit');
    expect(await core.api.roster.saved()).toEqual({ ok: true, value: null });
    expect(await core.api.roster.list()).toEqual({ ok: true, value: [] });
    expect(await core.api.contacts.knownKeys({ jid: 'romeo@montague.lit' })).toMatchObject({
      ok: true,
      value: { jid: 'romeo@montague.lit', fetch: 'cached', keys: [] },
    });
  });

  it('keeps a write for the connection, and refuses a question for the server with not-connected', async () => {
    const { core } = await offlineCore('juliet@capulet.lit');
    const added = await core.api.roster.add({ jid: 'romeo@montague.lit', groups: [] });
    expect(added.ok ? added.value.outcome : added.error.code).toBe('queued');
    const support = await core.api.account.checkSupport();
    expect(support.ok ? 'answered' : support.error.code).toBe('not-connected');
  });

  it('without an account named or signed in, key generation says to sign in', async () => {
    const { core } = await offlineCore();
    const generated = await core.api.keys.generate({ bits: 2048 });
    expect(generated.ok ? 'made' : generated.error.code).toBe('not-connected');
  });

  it('refuses a malformed address for offline work', async () => {
    const { core } = await offlineCore();
    expect(() => core.workOffline('not an address')).toThrow(/valid XMPP address|like juliet@capulet.lit/);
  });
});

describe('the account the app works for: only one whose server took its password here', () => {
  const DOMAIN = 'capulet.lit';
  const PASSWORD = 'balcony-secret-4711';
  const MERCUTIO = `mercutio@${DOMAIN}`;
  /** A typo of romeo@capulet.lit: the server knows no such account, and refuses the password. */
  const TYPO = `romoe@${DOMAIN}`;
  let dir: string;
  let pki: TestPki;
  let server: Awaited<ReturnType<typeof startScramServer>>;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keyring-working-account-'));
    pki = await makeTestPki(dir, [DOMAIN]);
    server = await startScramServer({ domain: DOMAIN, pki, password: PASSWORD, mechanisms: ['SCRAM-SHA-256'] });
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  const signIn = (core: OpenCore['core'], jid: string, password = PASSWORD) =>
    core.api.account.connect({ jid, password, host: server.host, port: server.port, caFile: pki.caFile });

  /** Every connection state the core sent to the windows. */
  function statesSent(core: OpenCore['core']): ConnectionState[] {
    const states: ConnectionState[] = [];
    core.events.subscribe((event, payload) => event === 'account:state' && states.push(payload as ConnectionState));
    return states;
  }

  it('a typo refused on a fresh app is worked for by no one: no key made or imported for it, nothing remembered of it', async () => {
    const { core } = await offlineCore();
    expect(await signIn(core, TYPO, 'wrong password')).toMatchObject({ ok: false, error: { code: 'auth-failed' } });
    const generated = await core.api.keys.generate({ bits: 2048, validityDays: 30 });
    expect(generated.ok ? `made for ${generated.value.fingerprint}` : generated.error.code).toBe('not-connected');
    const imported = await core.api.keys.import({ files: [Buffer.from('not a key').toString('base64')] });
    expect(imported.ok ? 'imported' : imported.error.code).toBe('not-connected');
    expect(await core.api.keys.list()).toEqual({ ok: true, value: [] });
    // The windows are told of no account, and of the typo as tried only.
    const state = await core.api.account.getState();
    expect(state).toMatchObject({ ok: true, value: { status: 'failed', tried: TYPO, error: { code: 'auth-failed' } } });
    expect(state.ok && state.value.account).toBeUndefined();
    // The screen the user is on is remembered for an account the app works for, never for the typo.
    await core.api.account.setLastScreen({ screen: 'keys' });
    expect(core.vaults.vault.account(TYPO)).toBeUndefined();
    expect(await core.api.account.remembered()).toEqual({ ok: true, value: [] });
  });

  it('after mercutio signed in, a typo refused leaves the app working offline for mercutio: a key made then names him', async () => {
    const { core } = await offlineCore();
    expect(await signIn(core, MERCUTIO)).toMatchObject({ ok: true, value: { status: 'online', account: MERCUTIO } });
    await core.api.account.disconnect();
    const sent = statesSent(core);

    expect(await signIn(core, TYPO, 'wrong password')).toMatchObject({ ok: false, error: { code: 'auth-failed' } });
    const generated = await core.api.keys.generate({ bits: 2048, validityDays: 30 });
    expect(generated.ok).toBe(true);
    if (!generated.ok) return;
    expect(core.vaults.vault.account(MERCUTIO)?.ownKeys.map((k) => k.fingerprint)).toEqual([generated.value.fingerprint]);
    expect(core.vaults.vault.account(TYPO)).toBeUndefined();
    // While the typo was tried and once it was refused, the windows heard of mercutio as the account, the typo as tried only.
    expect(sent.map((s) => [s.status, s.account, s.tried])).toEqual([
      ['connecting', MERCUTIO, TYPO],
      ['failed', MERCUTIO, TYPO],
    ]);
    // What a reloaded window asks first.
    expect(await core.api.account.getState()).toMatchObject({ ok: true, value: { status: 'failed', account: MERCUTIO, tried: TYPO } });
    await core.api.account.setLastScreen({ screen: 'keys' });
    expect(core.vaults.vault.account(TYPO)).toBeUndefined();
    expect(await core.api.account.remembered()).toMatchObject({ ok: true, value: [{ jid: MERCUTIO, lastScreen: 'keys' }] });
  });

  it('a wrong password for an account that signed in before keeps it, in this run and after a restart: its keys are real', async () => {
    const dataDir = await mkdtemp(join(dir, 'vault-'));
    const first = await openCore({ dataDir });
    expect(await signIn(first.core, MERCUTIO)).toMatchObject({ ok: true });
    await first.core.api.account.disconnect();
    expect(await signIn(first.core, MERCUTIO, 'wrong password')).toMatchObject({ ok: false, error: { code: 'auth-failed' } });
    const refused = await first.core.api.account.getState();
    expect(refused).toMatchObject({ ok: true, value: { status: 'failed', account: MERCUTIO } });
    expect(refused.ok && refused.value.tried).toBeUndefined();
    await first.stop();

    // A restart: the vault alone says mercutio signed in here before.
    const second = await openCore({ dataDir });
    opened.push(second);
    expect(await signIn(second.core, MERCUTIO, 'wrong password')).toMatchObject({ ok: false, error: { code: 'auth-failed' } });
    expect(await second.core.api.account.getState()).toMatchObject({ ok: true, value: { status: 'failed', account: MERCUTIO } });
    const generated = await second.core.api.keys.generate({ bits: 2048, validityDays: 30 });
    expect(generated.ok).toBe(true);
    if (!generated.ok) return;
    expect(second.core.vaults.vault.account(MERCUTIO)?.ownKeys.map((k) => k.fingerprint)).toEqual([generated.value.fingerprint]);
  });
});
