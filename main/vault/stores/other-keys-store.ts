/**
 * What the vault remembers of other apps' keys per account read (OMEMO devices, OpenPGP keys): the
 * records main/vault/other-keys.ts decides, kept here.
 */
import { OtherKeysOfAccount, type ContactTrustRecord, type OtherKeysRecord } from '../schema.js';
import type { VaultHolder } from '../vault-holder.js';
import { accountIn } from './account-record.js';

export class OtherKeysStore {
  readonly #vaults: VaultHolder;

  constructor(vaults: VaultHolder) {
    this.#vaults = vaults;
  }

  /** Every address's records, the account's own included (what a backup keeps of them). */
  all(account: string): Readonly<Record<string, OtherKeysRecord>> {
    return this.#vaults.vault.account(account)?.otherKeys ?? {};
  }

  of(account: string, jid: string): OtherKeysRecord | undefined {
    return this.#vaults.vault.account(account)?.otherKeys?.[jid];
  }

  /**
   * Replaces one account's records with what `change` makes of the stored ones, and answers its result.
   * `change` may only compute (or throw): the vault may run it twice (group commit).
   */
  update<T>(account: string, jid: string, change: (stored: OtherKeysRecord | undefined) => { record: OtherKeysRecord; result: T }): Promise<T> {
    // Only this account's records are copied and checked: the sign-in reading of the whole roster may
    // write thousands of them, and a copy of the whole document (every contact's certificates) per
    // group commit kept the host's memory hundreds of MB high with 5,000 contacts.
    return this.#vaults.vault.updatePart(
      {
        parent: ['accounts', account, 'otherKeys'],
        key: jid,
        schema: OtherKeysOfAccount,
        change: (current) => {
          const { record, result } = change(current);
          return { value: record, result };
        },
      },
      (draft) => {
        const all = (accountIn(draft, account).otherKeys ??= {});
        const { record, result } = change(Object.hasOwn(all, jid) ? all[jid] : undefined);
        // Own property: the key is a contact's address from the network ('__proto__' included).
        Object.defineProperty(all, jid, { value: record, writable: true, enumerable: true, configurable: true });
        return result;
      },
    );
  }

  /**
   * The same, with the contact's trust record (the one their X.509 keys share) in the same write:
   * verifying a device starts blind trust before verification's count for the whole contact.
   */
  updateWithTrust<T>(
    account: string,
    jid: string,
    change: (stored: OtherKeysRecord | undefined, trust: ContactTrustRecord) => { record: OtherKeysRecord | undefined; trust: ContactTrustRecord; result: T },
  ): Promise<T> {
    return this.#vaults.vault.update((draft) => {
      const record = accountIn(draft, account);
      const all = (record.contactTrust ??= {});
      const { record: next, trust, result } = change(record.otherKeys?.[jid], all[jid] ?? {});
      if (next !== undefined) (record.otherKeys ??= {})[jid] = next;
      all[jid] = trust;
      return result;
    });
  }
}
