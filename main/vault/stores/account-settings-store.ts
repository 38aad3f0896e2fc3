/**
 * Remembered accounts: their server settings in the vault, the password only through the OS keychain
 * (Vault.sealPassword), never in the vault file itself, never without a keychain.
 */
import { AccountSettingsSchema, type AccountRecord } from '../schema.js';
import type { VaultHolder } from '../vault-holder.js';
import { accountIn, updateAccountPart } from './account-record.js';

export type AccountSettings = AccountRecord['settings'];

export class AccountSettingsStore {
  readonly #vaults: VaultHolder;

  constructor(vaults: VaultHolder) {
    this.#vaults = vaults;
  }

  /** A password can be remembered only where an OS keychain can hold it (not in the browser host or CLI). */
  get canRemember(): boolean {
    return this.#vaults.keychainAvailable;
  }

  get isOpen(): boolean {
    return this.#vaults.isOpen;
  }

  /** Every account signed in to before, most recent first; none while the vault is locked. */
  remembered(): { jid: string; settings: AccountSettings; passwordSaved: boolean }[] {
    if (!this.#vaults.isOpen) return [];
    return Object.values(this.#vaults.vault.document.accounts)
      .filter((a) => a.settings.lastSignIn !== undefined || a.savedPassword !== undefined)
      .map((a) => ({ jid: a.jid, settings: { ...a.settings }, passwordSaved: a.savedPassword !== undefined }))
      .sort((a, b) => (b.settings.lastSignIn ?? '').localeCompare(a.settings.lastSignIn ?? ''));
  }

  /**
   * Whether the account ever signed in on this app (its server took the password then): the accounts
   * the app may work for (services/working-account.ts). False while the vault is locked.
   */
  hasSignedIn(jid: string): boolean {
    if (!this.#vaults.isOpen) return false;
    const record = this.#vaults.vault.account(jid);
    return record !== undefined && (record.settings.lastSignIn !== undefined || record.savedPassword !== undefined);
  }

  /** What the vault remembers of one account's settings (empty before its first sign-in). */
  settingsOf(jid: string): AccountSettings {
    if (!this.#vaults.isOpen) return {};
    return { ...(this.#vaults.vault.account(jid)?.settings ?? {}) };
  }

  /** Merges `changes` into the account's settings (nothing while the vault is locked: settings are a convenience). */
  async update(jid: string, changes: Partial<AccountSettings>, remove: readonly (keyof AccountSettings)[] = []): Promise<void> {
    if (!this.#vaults.isOpen) return;
    const merged = (settings: AccountSettings): AccountSettings => {
      const next = { ...settings, ...changes };
      for (const key of remove) delete next[key];
      return next;
    };
    // Only the settings are copied and checked (a screen change writes one): a whole-document change
    // rebuilds every object, so the vault file's bytes of every contact would be made anew.
    await updateAccountPart(this.#vaults.vault, jid, 'settings', AccountSettingsSchema, (current) => merged(current ?? {}));
  }

  /** The accounts whose password is remembered; none while the vault is locked. */
  saved(): { jid: string; settings: AccountSettings }[] {
    if (!this.#vaults.isOpen) return [];
    return Object.values(this.#vaults.vault.document.accounts)
      .filter((a) => a.savedPassword !== undefined)
      .map((a) => ({ jid: a.jid, settings: { ...a.settings } }));
  }


  /** What signing in to a remembered account needs, the password opened by the keychain (never logged). */
  signIn(jid: string): { settings: AccountSettings; password: string } | undefined {
    const record = this.#vaults.vault.account(jid);
    if (!record?.savedPassword) return undefined;
    return { settings: { ...record.settings }, password: this.#vaults.vault.openPassword(record.savedPassword) };
  }

  async remember(jid: string, settings: AccountSettings, password: string): Promise<void> {
    const vault = this.#vaults.vault;
    const sealed = vault.sealPassword(password); // the password is never logged
    await vault.update((draft) => {
      const record = accountIn(draft, jid);
      record.settings = { ...record.settings, ...settings };
      record.savedPassword = sealed;
    });
  }

  async forget(jid: string): Promise<void> {
    await this.#vaults.vault.update((draft) => {
      const record = draft.accounts[jid];
      if (record) delete record.savedPassword;
    });
  }
}
