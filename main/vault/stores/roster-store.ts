/**
 * The account's last roster in the vault (main/services/roster-service.ts keeps it current): what
 * `contacts list` shows offline, and the version that lets a sign-in fetch only the changes
 * (RFC 6121 §2.6). Only the addresses, names, groups and subscription states the server sent.
 */
import { RosterCopy, type RosterCopyRecord } from '../schema.js';
import type { VaultHolder } from '../vault-holder.js';
import { accountIn } from './account-record.js';

/**
 * Most contacts kept on disk. The roster comes from the account's own server, but the vault is
 * rewritten on every change, so it stays bounded; a larger roster is kept in memory only, and its
 * version is dropped, so the next sign-in fetches it whole.
 */
export const MAX_SAVED_ROSTER_ITEMS = 20_000;

export class RosterStore {
  readonly #vaults: VaultHolder;

  constructor(vaults: VaultHolder) {
    this.#vaults = vaults;
  }

  /** The roster last saved for the account; none while the vault is locked or before any. */
  load(account: string): RosterCopyRecord | undefined {
    if (!this.#vaults.isOpen) return undefined;
    return this.#vaults.vault.account(account)?.roster;
  }

  /** Saves the account's roster (nothing while the vault is locked: it is a cache, rebuilt at sign-in). */
  async save(account: string, copy: RosterCopyRecord): Promise<void> {
    if (!this.#vaults.isOpen) return;
    if (copy.items.length > MAX_SAVED_ROSTER_ITEMS) {
      await this.#vaults.vault.update((draft) => {
        delete accountIn(draft, account).roster;
      });
      return;
    }
    // Only the roster is copied and checked, not the whole document (every contact's certificates): with
    // 5,000 contacts a whole copy per save was tens of MB of garbage at each sign-in.
    await this.#vaults.vault.updatePart(
      { parent: ['accounts', account], key: 'roster', schema: RosterCopy, change: () => ({ value: copy, result: undefined }) },
      (draft) => {
        accountIn(draft, account).roster = copy;
      },
    );
  }
}
