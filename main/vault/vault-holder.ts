/**
 * Holds the vault once it is unlocked, so the stores (./stores/) can ask for it and get a clear
 * 'vault-locked' error before that. Unlocking happens once per run (keychain: automatically; passphrase:
 * when the user gives it), and holds the vault file for this process until close(): the Electron app,
 * the browser host and each `keyring` command all open it here, one process at a time
 * ('vault-in-use' otherwise: vault-lock.ts).
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { KeyringError } from '../errors.js';
import { backupPathOf } from './atomic-file.js';
import { Vault, VaultTamperedError, VAULT_FILE, type OsKeychain } from './vault.js';
import type { ScryptParams } from './secret-box.js';
import type { VaultProcessKind } from './vault-lock.js';

export interface VaultHolderOptions {
  dir: string;
  keychain?: OsKeychain;
  scrypt?: Omit<ScryptParams, 'salt'>;
  /** Which front end this is (the window, the browser host, the CLI), named to another that finds the vault taken. */
  processKind?: VaultProcessKind;
}

export class VaultHolder {
  #vault: Vault | undefined;
  #tampered: { reason: string; backupAvailable: boolean } | undefined;
  readonly #options: VaultHolderOptions;

  constructor(options: VaultHolderOptions) {
    this.#options = options;
  }

  /** Whether secrets can go to the OS keychain (not the case in the browser host or CLI). */
  get keychainAvailable(): boolean {
    return this.#options.keychain?.isAvailable() ?? false;
  }

  get isOpen(): boolean {
    return this.#vault !== undefined;
  }

  /**
   * Whether a vault was made before: the file or its backup copy is there (Vault.open falls back to the
   * backup when the file is missing). Otherwise unlocking creates one, and the first screen says so.
   */
  async exists(): Promise<boolean> {
    if (this.#vault) return true;
    const path = join(this.#options.dir, VAULT_FILE);
    const present = (file: string): Promise<boolean> => access(file).then(() => true, () => false);
    return (await present(path)) || (await present(backupPathOf(path)));
  }

  /** Set while the last unlock found the vault file changed outside the app (and whether the backup checks out). */
  get tampered(): { reason: string; backupAvailable: boolean } | undefined {
    return this.#tampered;
  }

  /** `useBackup`: the user chose the backup copy over a vault file that was changed outside the app. */
  async unlock(passphrase?: string, useBackup = false): Promise<Vault> {
    if (this.#vault) return this.#vault;
    try {
      this.#vault = await Vault.open({
        ...this.#options,
        ...(passphrase !== undefined ? { passphrase } : {}),
        ...(useBackup ? { useBackup } : {}),
      });
    } catch (error) {
      if (error instanceof VaultTamperedError) this.#tampered = { reason: error.message, backupAvailable: error.backupAvailable };
      throw error;
    }
    this.#tampered = undefined;
    return this.#vault;
  }

  /** Saves what is pending and lets another process open the vault; the stores then answer 'vault-locked'. */
  async close(): Promise<void> {
    const vault = this.#vault;
    this.#vault = undefined;
    await vault?.close();
  }

  /** How the open vault is protected ('vault-locked' before it is open). */
  get protection(): Vault['protection'] {
    return this.vault.protection;
  }

  /** Whether `passphrase` is the open vault's (Vault.isPassphrase): nothing opened, nothing written. */
  isPassphrase(passphrase: string): Promise<boolean> {
    return this.vault.isPassphrase(passphrase);
  }

  get vault(): Vault {
    if (!this.#vault) throw new KeyringError('vault-locked', 'Unlock your keys first.');
    return this.#vault;
  }
}
