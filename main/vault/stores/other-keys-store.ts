/**
 * What the vault remembers of other apps' keys per account read (OMEMO devices, OpenPGP keys): the
 * records main/vault/other-keys.ts decides, kept here.
 */
import type { ContactTrustRecord, OtherKeysRecord } from '../schema.js';
import type { VaultHolder } from '../vault-holder.js';
import { accountIn } from './account-record.js';

export class OtherKeysStore {
  readonly #vaults: VaultHolder;

  constructor(vaults: VaultHolder) {
    this.#vaults = vaults;
  }

  of(account: string, jid: string): OtherKeysRecord | undefined {
    return this.#vaults.vault.account(account)?.otherKeys?.[jid];
  }

  /**
   * Replaces one account's records with what `change` makes of the stored ones (undefined: leave them),
   * and answers its result. `change` may only compute: the vault may run it twice (group commit).
   */
  update<T>(account: string, jid: string, change: (stored: OtherKeysRecord | undefined) => { record: OtherKeysRecord | undefined; result: T }): Promise<T> {
    return this.#vaults.vault.update((draft) => {
      const record = accountIn(draft, account);
      const { record: next, result } = change(record.otherKeys?.[jid]);
      if (next !== undefined) (record.otherKeys ??= {})[jid] = next;
      return result;
    });
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
