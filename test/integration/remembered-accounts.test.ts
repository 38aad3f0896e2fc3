/**
 * "Remember password": only through the OS keychain (here a stand-in with real encryption), never in
 * the vault file, and refused up front where no keychain exists.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createKeyringCore, type KeyringCore } from '../../main/core.js';
import { silentLogger } from '../../main/logger.js';
import { freshAccount } from '../support/accounts.js';
import { fakeKeychain } from '../support/fake-keychain.js';

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
