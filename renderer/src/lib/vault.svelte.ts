import type { KeyringApi, VaultStatus } from '../../../contract';
import { Task } from './task.svelte';
import { unlockCanTryAgain } from './wording';

/** Whether the vault (private keys, contacts' keys) is unlocked; nothing else works until it is. */
export class VaultStore {
  // Until main answers, assume a vault exists: the screen then never offers to create one over it.
  status = $state<VaultStatus>({ open: false, exists: true });
  readonly unlocking = new Task();
  readonly #api: KeyringApi;

  constructor(api: KeyringApi) {
    this.#api = api;
  }

  /** Reads the status; in the desktop app the OS keychain unlocks without asking. */
  async start(desktop: boolean): Promise<void> {
    await this.#readStatus();
    if (!this.status.open && desktop) {
      const tried = await this.#api.vault.unlock({});
      if (tried.ok) this.status = tried.value;
      // A vault file changed outside the app: the status says why, and whether the backup can be opened.
      else if (tried.error.code === 'vault-tampered') await this.#readStatus();
      // Another app or `keyring` command holds the vault, or its disk is full or read-only: the unlock
      // screen says so and what to do, with "Try again" (a passphrase would not help).
      else if (unlockCanTryAgain(tried.error.code)) this.unlocking.error = tried.error;
    }
  }

  /**
   * Unlocks again after 'vault-in-use' or 'storage-failed', once the other process is closed or the
   * disk has room: with the passphrase typed, or none (the desktop app's keychain vault needs none).
   */
  async tryAgain(passphrase: string): Promise<void> {
    await this.#unlock(passphrase === '' ? {} : { passphrase });
  }

  async unlock(passphrase: string): Promise<void> {
    await this.#unlock({ passphrase });
  }

  /** Opens the backup copy instead of a vault file changed outside the app (which main sets aside). */
  async openBackup(passphrase: string): Promise<void> {
    await this.#unlock(passphrase === '' ? { useBackup: true } : { passphrase, useBackup: true });
  }

  async #unlock(params: { passphrase?: string; useBackup?: boolean }): Promise<void> {
    const status = await this.unlocking.run(() => this.#api.vault.unlock(params));
    if (status) this.status = status;
    else if (this.unlocking.error?.code === 'vault-tampered') await this.#readStatus();
  }

  async #readStatus(): Promise<void> {
    const status = await this.#api.vault.status();
    if (status.ok) this.status = status.value;
  }
}
