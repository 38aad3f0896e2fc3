/** The vault files kept as fixtures (fixtures/README.md), and a fresh folder per test for a vault. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach } from 'vitest';
import { VAULT_FILE } from '../../../main/vault/vault.js';

/** The keychain key that sealed fixtures/v1-keychain.json and v2-keychain.json (see fixtures/README.md). */
export const FIXTURE_KEYCHAIN_KEY = Buffer.from('keyring test keychain fixture key').subarray(0, 32);
export const fixture = (name: string): string => fileURLToPath(new URL(`fixtures/${name}`, import.meta.url));

/** A new empty folder for each test (removed after it): `dir`, and `path` of the vault file in it. */
export function vaultFolderPerTest(prefix: string): { readonly dir: string; readonly path: string } {
  const folder = { dir: '', path: '' };
  beforeEach(async () => {
    folder.dir = await mkdtemp(join(tmpdir(), prefix));
    folder.path = join(folder.dir, VAULT_FILE);
  });
  afterEach(async () => {
    await rm(folder.dir, { recursive: true, force: true });
  });
  return folder;
}
