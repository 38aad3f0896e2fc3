import type { z } from 'zod';
import type { AccountRecord, VaultDocument } from '../schema.js';
import type { Vault } from '../vault.js';

/**
 * The account's record in a draft of the vault document, made empty on first use. Only the stores
 * in this folder call it: they are the only code that knows how the document is laid out.
 */
export function accountIn(draft: VaultDocument, jid: string): AccountRecord {
  return (draft.accounts[jid] ??= { jid, settings: {}, ownKeys: [], contacts: {} });
}

/**
 * Saves the account's `key` as what `next` makes of it, copying and checking only that part
 * (vault.ts updatePart): a whole-document change rebuilds every contact's records, and the file's
 * bytes of each with them. Until the account exists, the whole document is changed instead. `next`
 * may run twice (group commit): it only computes.
 */
export function updateAccountPart<K extends keyof AccountRecord>(
  vault: Vault,
  account: string,
  key: K,
  schema: z.ZodType<NonNullable<AccountRecord[K]>>,
  next: (current: AccountRecord[K] | undefined) => NonNullable<AccountRecord[K]>,
): Promise<void> {
  return vault.updatePart(
    { parent: ['accounts', account], key, schema, change: (current) => ({ value: next(current), result: undefined }) },
    (draft) => {
      const record = accountIn(draft, account);
      record[key] = next(record[key]);
    },
  );
}
