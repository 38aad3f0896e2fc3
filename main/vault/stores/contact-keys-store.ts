/**
 * What the vault remembers of each contact's keys (trust on first use: ../contact-keys.ts decides the
 * records, this only keeps them).
 */
import { ContactKeyListSchema, ContactTrustSchema, type ContactKeyRecord, type ContactTrustRecord } from '../schema.js';
import type { VaultHolder } from '../vault-holder.js';
import { accountIn } from './account-record.js';

export class ContactKeysStore {
  readonly #vaults: VaultHolder;

  constructor(vaults: VaultHolder) {
    this.#vaults = vaults;
  }

  /** A bulk fetch's answers are all in: what they changed is written now (Vault.endOfBurst). */
  endOfBurst(): void {
    this.#vaults.vault.endOfBurst();
  }

  keys(account: string, contact: string): readonly ContactKeyRecord[] {
    return this.#vaults.vault.account(account)?.contacts[contact] ?? [];
  }

  /** Every contact's key records, by bare JID (what a backup keeps of them). */
  all(account: string): Readonly<Record<string, readonly ContactKeyRecord[]>> {
    return this.#vaults.vault.account(account)?.contacts ?? {};
  }

  /** Every contact's trust record, by bare JID (what a backup keeps of them). */
  allTrust(account: string): Readonly<Record<string, ContactTrustRecord>> {
    return this.#vaults.vault.account(account)?.contactTrust ?? {};
  }

  /** The account's trust policy, when the user chose one (tofu otherwise: main/keys/trust-policy.ts). */
  accountPolicy(account: string): ContactTrustRecord['policy'] {
    return this.#vaults.vault.account(account)?.trustPolicy;
  }

  /** What the user decided about one contact as a whole: policy, first verification, mismatches. */
  contactTrust(account: string, contact: string): ContactTrustRecord {
    return this.#vaults.vault.account(account)?.contactTrust?.[contact] ?? {};
  }

  setAccountPolicy(account: string, policy: ContactTrustRecord['policy']): Promise<void> {
    return this.#vaults.vault.update((draft) => {
      const record = accountIn(draft, account);
      if (policy) record.trustPolicy = policy;
      else delete record.trustPolicy;
    });
  }

  /** Replaces one contact's trust record with what `change` makes of it (may run twice: only compute). */
  updateContactTrust(account: string, contact: string, change: (stored: ContactTrustRecord) => ContactTrustRecord): Promise<void> {
    // Only this contact's record is copied and checked (until the account has any: then the whole document).
    return this.#vaults.vault.updatePart(
      {
        parent: ['accounts', account, 'contactTrust'],
        key: contact,
        schema: ContactTrustSchema,
        change: (current) => ({ value: change(current ?? {}), result: undefined }),
      },
      (draft) => {
        const record = accountIn(draft, account);
        const all = (record.contactTrust ??= {});
        all[contact] = change(all[contact] ?? {});
      },
    );
  }

  /**
   * Both at once, in one write: a contact's keys and their trust record (verifying a key changes both).
   * `change` may only compute: the vault may run it twice.
   */
  updateBoth<T>(
    account: string,
    contact: string,
    change: (keys: readonly ContactKeyRecord[], trust: ContactTrustRecord) => { keys: ContactKeyRecord[]; trust: ContactTrustRecord; result: T },
  ): Promise<T> {
    return this.#vaults.vault.update((draft) => {
      const record = accountIn(draft, account);
      const all = (record.contactTrust ??= {});
      const { keys, trust, result } = change(record.contacts[contact] ?? [], all[contact] ?? {});
      record.contacts[contact] = keys;
      all[contact] = trust;
      return result;
    });
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
