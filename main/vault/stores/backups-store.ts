/**
 * What the vault remembers of backups (main/services/backup.ts): which own keys each backup made or
 * restored here holds, so that a key in none of them can be pointed out. The backup code is never
 * stored. Restoring writes here too, in one vault write with the keys and trust it brings back.
 */
import type { BackupRecordEntry, ContactKeyRecord, ContactTrustRecord, OtherKeysRecord, OwnKeyRecord } from '../schema.js';
import type { VaultHolder } from '../vault-holder.js';
import { accountIn } from './account-record.js';

/** Older records than the latest this many add nothing to "is this key in some backup" worth keeping. */
export const MAX_BACKUP_RECORDS = 32;

/** What a restore writes, decided by the backup service: nothing here decides what wins. */
export interface RestoreWrite {
  /** Own keys to add, or to put in place of the local record with the same fingerprint. */
  ownKeys: readonly OwnKeyRecord[];
  /** Per contact: key records to add, or to put in place of the local one with the same fingerprint. */
  contacts: Readonly<Record<string, readonly ContactKeyRecord[]>>;
  /** The account's policy to set; absent: left as it is. */
  trustPolicy?: ContactTrustRecord['policy'];
  /** Per contact: the trust record to put in place of the local one (already merged with it). */
  contactTrust?: Readonly<Record<string, ContactTrustRecord>>;
  /** Per address: other apps' key records to put in place of the local ones (already merged with them). */
  otherKeys?: Readonly<Record<string, OtherKeysRecord>>;
  record: BackupRecordEntry;
}

export class BackupsStore {
  readonly #vaults: VaultHolder;

  constructor(vaults: VaultHolder) {
    this.#vaults = vaults;
  }

  /** Remembers a backup made here: when, where, which keys. */
  async record(account: string, entry: BackupRecordEntry): Promise<void> {
    await this.#vaults.vault.update((draft) => {
      append(accountIn(draft, account), entry);
    });
  }

  /** Oldest first. */
  list(account: string): readonly BackupRecordEntry[] {
    return this.#vaults.vault.account(account)?.backups ?? [];
  }

  /**
   * One write: the keys and trust records restored, and the backup they came from. A key put in place
   * of a local one keeps what only this device knows of it: its name and where it is published.
   */
  async restore(account: string, write: RestoreWrite): Promise<void> {
    await this.#vaults.vault.update((draft) => {
      const owner = accountIn(draft, account);
      for (const key of write.ownKeys) {
        const at = owner.ownKeys.findIndex((k) => k.fingerprint === key.fingerprint);
        const local = owner.ownKeys[at];
        if (local === undefined) owner.ownKeys.push(key);
        else owner.ownKeys[at] = { ...key, ...(local.label ? { label: local.label } : {}), publications: local.publications };
      }
      for (const [contact, records] of Object.entries(write.contacts)) {
        const kept = (Object.hasOwn(owner.contacts, contact) ? (owner.contacts[contact] ?? []) : []).filter(
          (k) => !records.some((r) => r.fingerprint === k.fingerprint),
        );
        Object.defineProperty(owner.contacts, contact, { value: [...kept, ...records], writable: true, enumerable: true, configurable: true });
      }
      if (write.trustPolicy !== undefined) owner.trustPolicy = write.trustPolicy;
      // Own properties: the keys are addresses read from a backup file ('__proto__' included).
      for (const [contact, trust] of Object.entries(write.contactTrust ?? {})) {
        Object.defineProperty((owner.contactTrust ??= {}), contact, { value: trust, writable: true, enumerable: true, configurable: true });
      }
      for (const [jid, keys] of Object.entries(write.otherKeys ?? {})) {
        Object.defineProperty((owner.otherKeys ??= {}), jid, { value: keys, writable: true, enumerable: true, configurable: true });
      }
      append(owner, write.record);
    });
  }
}

function append(owner: { backups?: BackupRecordEntry[] }, entry: BackupRecordEntry): void {
  owner.backups = [...(owner.backups ?? []), entry].slice(-MAX_BACKUP_RECORDS);
}
