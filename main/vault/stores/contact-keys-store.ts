/**
 * What the vault remembers of each contact's keys (trust on first use: ../contact-keys.ts decides the
 * records, this only keeps them).
 */
import { ContactKeyListSchema, type ContactKeyRecord } from '../schema.js';
import type { VaultHolder } from '../vault-holder.js';
import { accountIn } from './account-record.js';

export class ContactKeysStore {
  readonly #vaults: VaultHolder;

  constructor(vaults: VaultHolder) {
    this.#vaults = vaults;
  }

  keys(account: string, contact: string): readonly ContactKeyRecord[] {
    return this.#vaults.vault.account(account)?.contacts[contact] ?? [];
  }

  /**
   * Replaces one contact's records with what `change` makes of the stored ones, and answers its result.
   * `change` may only compute: the vault may run it twice (vault.ts update, group commit).
   */
  update<T>(account: string, contact: string, change: (stored: readonly ContactKeyRecord[]) => { keys: ContactKeyRecord[]; result: T }): Promise<T> {
    // Only this contact's records are copied and checked (fetching many contacts writes often).
    return this.#vaults.vault.updatePart(
      {
        parent: ['accounts', account, 'contacts'],
        key: contact,
        schema: ContactKeyListSchema,
        change: (current) => {
          const { keys, result } = change(current ?? []);
          return { value: keys, result };
        },
      },
      (draft) => {
        const contacts = accountIn(draft, account).contacts;
        const { keys, result } = change(Object.hasOwn(contacts, contact) ? (contacts[contact] ?? []) : []);
        Object.defineProperty(contacts, contact, { value: keys, writable: true, enumerable: true, configurable: true });
        return result;
      },
    );
  }
}
