/** Vaults for tests: scrypt light enough to unlock in milliseconds (the app's own settings take ~1 s). */
import { KeyringError } from '../../main/errors.js';
import { VaultHolder } from '../../main/vault/vault-holder.js';

export const LIGHT_SCRYPT = { name: 'scrypt' as const, N: 2 ** 12, r: 8, p: 1 };

/** A passphrase vault in `dir` (made on first use), unlocked, as the stores take it. */
export async function unlockedVaults(dir: string, passphrase = 'correct horse battery'): Promise<VaultHolder> {
  const vaults = new VaultHolder({ dir, scrypt: LIGHT_SCRYPT });
  await vaults.unlock(passphrase);
  return vaults;
}

/** The KeyringError code `promise` fails with; undefined when it succeeds. */
export async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return error instanceof KeyringError ? error.code : `not a KeyringError: ${String(error)}`;
  }
}
