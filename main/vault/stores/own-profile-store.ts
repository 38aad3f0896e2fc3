/**
 * The vault's copy of the account's own profile: what its server held when last read, or what the app
 * last published there. The profile editor starts from it while offline.
 */
import { OwnProfileSchema, type OwnProfileRecord } from '../schema.js';
import type { VaultHolder } from '../vault-holder.js';
import { updateAccountPart } from './account-record.js';

export class OwnProfileStore {
  readonly #vaults: VaultHolder;

  constructor(vaults: VaultHolder) {
    this.#vaults = vaults;
  }

  /** The stored copy; none while the vault is locked. */
  get(account: string): Readonly<OwnProfileRecord> | undefined {
    if (!this.#vaults.isOpen) return undefined;
    return this.#vaults.vault.account(account)?.ownProfile;
  }

  /** Replaces the copy with what `change` makes of it (it may run twice: vault.ts group commit). No-op while locked. */
  async update(account: string, change: (stored: Readonly<OwnProfileRecord> | undefined) => OwnProfileRecord): Promise<void> {
    if (!this.#vaults.isOpen) return;
    // Only the profile is copied and checked: the profile screen keeps a copy each time it reads the
    // server, and a whole-document change (every contact's certificates) held the event loop ~200 ms
    // with 5,000 contacts, just as the Contacts screen asked for its rows.
    await updateAccountPart(this.#vaults.vault, account, 'ownProfile', OwnProfileSchema, change);
  }
}
