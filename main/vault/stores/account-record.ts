import type { AccountRecord, VaultDocument } from '../schema.js';

/**
 * The account's record in a draft of the vault document, made empty on first use. Only the stores
 * in this folder call it: they are the only code that knows how the document is laid out.
 */
export function accountIn(draft: VaultDocument, jid: string): AccountRecord {
  return (draft.accounts[jid] ??= { jid, settings: {}, ownKeys: [], contacts: {} });
}
