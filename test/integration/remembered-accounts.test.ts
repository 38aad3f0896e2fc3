/**
 * "Remember password": only through the OS keychain (here a stand-in with real encryption), never in
 * the vault file, and refused up front where no keychain exists.
 */
import { execFileSync } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createKeyringCore, type KeyringCore } from '../../main/core.js';
import { silentLogger } from '../../main/logger.js';
import { freshAccount } from '../support/accounts.js';
import { fakeKeychain } from '../support/fake-keychain.js';
import { makeTestCa } from '../support/test-pki.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

function core(dataDir: string, keychain?: ReturnType<typeof fakeKeychain>): KeyringCore {
  const c = createKeyringCore({
    host: keychain ? 'electron' : 'browser',
    version: 'test',
    log: silentLogger,
    dataDir,
    ...(keychain ? { keychain } : {}),
    scrypt: { name: 'scrypt', N: 2 ** 12, r: 8, p: 1 },
  });
  cleanup.push(() => c.dispose());
  return c;
}

describe('remembering an account', () => {
  it('keeps the password in the keychain only, and signs in again with one click after a restart', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'keyring-remember-'));
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
    const keychain = fakeKeychain();
    const params = await freshAccount('juliet');

    const first = core(dataDir, keychain);
    expect(await first.dispatch('vault:unlock', {})).toMatchObject({ ok: true, value: { open: true, keychain: true, protection: 'keychain' } });
    expect(await first.dispatch('account:connect', { ...params, remember: true })).toMatchObject({ ok: true });
    expect(await readFile(join(dataDir, 'vault.json'), 'utf8')).not.toContain(params.password);
    await first.dispose();

    const second = core(dataDir, keychain);
    await second.dispatch('vault:unlock', {});
    expect(await second.dispatch('account:saved', undefined)).toEqual({
      ok: true,
      value: [{ jid: params.jid, host: params.host, port: params.port, caFile: params.caFile }],
    });
    expect(await second.dispatch('account:connectSaved', { jid: params.jid })).toMatchObject({ ok: true, value: { status: 'online' } });
    await second.dispatch('account:disconnect', undefined);
    expect(await second.dispatch('account:forget', { jid: params.jid })).toEqual({ ok: true, value: [] });
    expect(await second.dispatch('account:connectSaved', { jid: params.jid })).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });

  it('is refused up front without a keychain, and the sign-in does not happen half-remembered', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'keyring-remember-'));
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
    const params = await freshAccount('romeo');
    const noKeychain = core(dataDir);
    await noKeychain.dispatch('vault:unlock', { passphrase: 'a passphrase here' });
    expect(await noKeychain.dispatch('account:connect', { ...params, remember: true })).toMatchObject({
      ok: false,
      error: { code: 'keychain-unavailable', field: 'remember' },
    });
    expect(noKeychain.session.state.status).toBe('offline');
    expect(await noKeychain.dispatch('account:connect', params)).toMatchObject({ ok: true });
  });
});

describe('what the app remembers of an account', () => {
  it('address, server, CA file and its fingerprint, the last screen: after a restart, without a password', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'keyring-remember-'));
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
    const params = await freshAccount('juliet');
    const opensslFingerprint = execFileSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256', '-in', params.caFile ?? ''], { encoding: 'utf8' })
      .trim()
      .replace(/^.*=/, '');

    const first = core(dataDir);
    await first.dispatch('vault:unlock', { passphrase: 'a passphrase here' });
    // The fingerprint the sign-in form shows when the user picks the file: the one openssl prints.
    expect(await first.dispatch('account:inspectCa', { path: params.caFile ?? '' })).toMatchObject({
      ok: true,
      value: { fingerprint: opensslFingerprint, subjects: [expect.stringContaining('CN=')] },
    });
    expect(await first.dispatch('account:connect', params)).toMatchObject({ ok: true });
    expect(await first.dispatch('account:setLastScreen', { screen: 'contacts' })).toEqual({ ok: true, value: null });
    await first.dispose();

    const second = core(dataDir);
    await second.dispatch('vault:unlock', { passphrase: 'a passphrase here' });
    const remembered = await second.api.account.remembered();
    expect(remembered.ok && remembered.value.map(({ lastSignIn, ...rest }) => ({ ...rest, signedIn: Boolean(lastSignIn) }))).toEqual([
      {
        jid: params.jid,
        host: params.host,
        port: params.port,
        caFile: params.caFile,
        caFingerprint: opensslFingerprint,
        passwordSaved: false,
        lastScreen: 'contacts',
        signedIn: true,
      },
    ]);
    // No one signed in, yet the app works for the account used last: its keys can be made offline.
    expect(second.session.state.status).toBe('offline');
    expect(await second.api.account.getState()).toEqual({ ok: true, value: { status: 'offline', account: params.jid } });
    expect(await second.dispatch('keys:generate', { bits: 2048, validityDays: 1 })).toMatchObject({ ok: true });
  });

  it('a CA file whose certificate changed is refused, naming both fingerprints, until the user accepts the new one', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'keyring-remember-'));
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
    const params = await freshAccount('romeo');
    const caFile = join(dataDir, 'my-server-ca.pem');
    await copyFile(params.caFile ?? '', caFile);
    const app = core(dataDir);
    await app.dispatch('vault:unlock', { passphrase: 'a passphrase here' });
    expect(await app.dispatch('account:connect', { ...params, caFile })).toMatchObject({ ok: true });
    await app.dispatch('account:disconnect', undefined);
    const trusted = await app.api.account.inspectCa({ path: caFile });

    // Someone swaps the file for their own CA: same path, other certificate.
    const other = await makeTestCa(dataDir, 'Somebody else');
    await copyFile(other.caFile, caFile);
    const swapped = await app.api.account.inspectCa({ path: caFile });
    if (!trusted.ok || !swapped.ok) throw new Error('inspectCa failed');
    const refused = await app.dispatch('account:connect', { ...params, caFile });
    expect(refused).toMatchObject({ ok: false, error: { code: 'ca-changed', field: 'caFile' } });
    expect(!refused.ok && refused.error.message).toContain(trusted.value.fingerprint);
    expect(!refused.ok && refused.error.message).toContain(swapped.value.fingerprint);
    expect(app.session.state.status).toBe('offline'); // refused before any connection
    // Accepting a different fingerprint than the file's is no acceptance.
    expect(await app.dispatch('account:connect', { ...params, caFile, acceptCaFingerprint: trusted.value.fingerprint })).toMatchObject({
      ok: false,
      error: { code: 'ca-changed' },
    });
    // Accepted: the sign-in goes ahead, and TLS itself now decides (this CA did not sign the server).
    expect(await app.dispatch('account:connect', { ...params, caFile, acceptCaFingerprint: swapped.value.fingerprint })).toMatchObject({
      ok: false,
      error: { code: 'tls-untrusted' },
    });
  });
});
