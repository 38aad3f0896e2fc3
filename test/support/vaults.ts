/** Vaults for tests: scrypt light enough to unlock in milliseconds (the app's own settings take ~1 s). */
import { KeyringError } from '../../main/errors.js';
import type { ContactKeyRecord } from '../../main/vault/schema.js';
import { ContactKeysStore } from '../../main/vault/stores/contact-keys-store.js';
import { VaultHolder } from '../../main/vault/vault-holder.js';
import { Vault } from '../../main/vault/vault.js';

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

/** A contact with one key (as fetched: unverified), for filling a vault. */
export interface KnownContact {
  jid: string;
  fingerprint: string;
  /** base64 DER. */
  certificate: string;
}

/**
 * A new passphrase vault in `dir` holding `account` with these contacts, one key each (benchmarks and
 * tests of large vaults), and the contacts' key store over it.
 */
export async function vaultWithContacts(dir: string, account: string, contacts: readonly KnownContact[]): Promise<{ vault: Vault; store: ContactKeysStore }> {
  const vault = await Vault.open({ dir, passphrase: 'correct horse battery', scrypt: LIGHT_SCRYPT });
  const now = new Date().toISOString();
  await vault.update((d) => {
    d.accounts[account] = {
      jid: account,
      settings: {},
      ownKeys: [],
      contacts: Object.fromEntries(
        contacts.map((c): [string, ContactKeyRecord[]] => [c.jid, [{ fingerprint: c.fingerprint, certificate: c.certificate, firstSeen: now, lastSeen: now, trust: 'unverified' }]]),
      ),
    };
  });
  return { vault, store: new ContactKeysStore({ vault } as unknown as VaultHolder) };
}
