/** Publishes and retracts that wait for the connection, kept in the vault so they survive a restart. */
import type { QueuedActionRecord } from '../schema.js';
import type { VaultHolder } from '../vault-holder.js';
import { accountIn } from './account-record.js';

export class QueueStore {
  readonly #vaults: VaultHolder;

  constructor(vaults: VaultHolder) {
    this.#vaults = vaults;
  }

  /** The account's pending actions, oldest first; none is known while the vault is locked. */
  list(account: string): readonly QueuedActionRecord[] {
    if (!this.#vaults.isOpen) return [];
    return this.#vaults.vault.account(account)?.queue ?? [];
  }

  async append(account: string, action: QueuedActionRecord): Promise<void> {
    await this.#vaults.vault.update((draft) => {
      const record = accountIn(draft, account);
      record.queue = [...(record.queue ?? []), action];
    });
  }

  /** Whether the action was still there. */
  remove(account: string, id: string): Promise<boolean> {
    return this.#vaults.vault.update((draft) => {
      const record = accountIn(draft, account);
      const before = record.queue?.length ?? 0;
      record.queue = (record.queue ?? []).filter((a) => a.id !== id);
      return record.queue.length < before;
    });
  }
}
