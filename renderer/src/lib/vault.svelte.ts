import type { KeyringApi, VaultStatus } from '../../../preload/contract';
import { Task } from './task.svelte';

/** Whether the vault (private keys, contacts' keys) is unlocked; nothing else works until it is. */
export class VaultStore {
  status = $state<VaultStatus>({ open: false });
  readonly unlocking = new Task();
  readonly #api: KeyringApi;

  constructor(api: KeyringApi) {
    this.#api = api;
  }

  /** Reads the status; in the desktop app the OS keychain unlocks without asking. */
  async start(desktop: boolean): Promise<void> {
    const status = await this.#api.request('vault:status');
    if (status.ok) this.status = status.value;
    if (!this.status.open && desktop) {
      const tried = await this.#api.request('vault:unlock', {});
      if (tried.ok) this.status = tried.value;
    }
  }

  async unlock(passphrase: string): Promise<void> {
    const status = await this.unlocking.run(() => this.#api.request('vault:unlock', { passphrase }));
    if (status) this.status = status;
  }
}
