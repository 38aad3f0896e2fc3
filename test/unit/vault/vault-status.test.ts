/**
 * The first screen tells creating a vault from unlocking one: `vault:status` says
 * whether a vault was made before, from the file or its backup copy (Vault.open falls back to it).
 */
import { mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKeyringCore, type KeyringCore } from '../../../main/core.js';
import { silentLogger } from '../../../main/logger.js';
import { backupPathOf } from '../../../main/vault/atomic-file.js';
import { VAULT_FILE } from '../../../main/vault/vault.js';
import { LIGHT_SCRYPT } from '../../support/vaults.js';

const PASSPHRASE = 'correct horse battery';

let dir: string;
const cores: KeyringCore[] = [];
const core = (): KeyringCore => {
  const made = createKeyringCore({ host: 'browser', version: 'test', log: silentLogger, dataDir: dir, scrypt: LIGHT_SCRYPT });
  cores.push(made);
  return made;
};

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keyring-vault-status-'));
});
afterEach(async () => {
  await Promise.all(cores.splice(0).map((c) => c.dispose()));
  await rm(dir, { recursive: true, force: true });
});

describe('vault:status tells a new vault from an existing one', () => {
  it('reports no vault in an empty data folder, and one once the first passphrase created it', async () => {
    const first = core();
    expect(await first.dispatch('vault:status', undefined)).toMatchObject({ ok: true, value: { open: false, exists: false } });
    expect(await first.dispatch('vault:unlock', { passphrase: PASSPHRASE })).toMatchObject({ ok: true, value: { open: true, exists: true } });
    await first.dispose();

    expect(await core().dispatch('vault:status', undefined)).toMatchObject({ ok: true, value: { open: false, exists: true } });
  });

  it('counts a vault whose file is missing but whose backup copy is there as existing (it opens from the backup)', async () => {
    const first = core();
    await first.dispatch('vault:unlock', { passphrase: PASSPHRASE });
    await first.dispose();
    const path = join(dir, VAULT_FILE);
    await rename(path, backupPathOf(path));

    const second = core();
    expect(await second.dispatch('vault:status', undefined)).toMatchObject({ ok: true, value: { open: false, exists: true } });
    expect(await second.dispatch('vault:unlock', { passphrase: PASSPHRASE })).toMatchObject({ ok: true, value: { open: true } });
  });

  it('a refused first passphrase (too short) creates nothing: the vault still does not exist', async () => {
    const first = core();
    expect(await first.dispatch('vault:unlock', { passphrase: 'short' })).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
    expect(await first.dispatch('vault:status', undefined)).toMatchObject({ ok: true, value: { open: false, exists: false } });
  });
});
