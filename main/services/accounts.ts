/**
 * Signing in, with the account remembered when the user asks: the server settings in the vault, the
 * password only through the OS keychain (never in the vault file itself, never without a keychain).
 */
import type { ConnectParams, ConnectionState, SavedAccountView } from '../../contract/index.js';
import { KeyringError } from '../errors.js';
import type { AccountSession } from '../xmpp/session.js';
import { VaultHolder } from './vault-holder.js';

export class Accounts {
  readonly #vaults: VaultHolder;
  readonly #session: AccountSession;

  constructor(vaults: VaultHolder, session: AccountSession) {
    this.#vaults = vaults;
    this.#session = session;
  }

  async connect(params: ConnectParams): Promise<ConnectionState> {
    const { remember, ...connect } = params;
    // Refuse before connecting: a password the user asked to keep must not be silently forgotten.
    if (remember && !this.#vaults.keychainAvailable) {
      throw new KeyringError('keychain-unavailable', 'No secure OS keychain here, so the password cannot be remembered.', 'remember');
    }
    const state = await this.#session.connect(connect);
    if (remember && this.#vaults.isOpen) {
      const vault = this.#vaults.vault;
      const sealed = vault.sealPassword(connect.password); // the password is never logged
      const account = this.#session.bareJid;
      await vault.update((draft) => {
        const record = VaultHolder.accountIn(draft, account);
        record.settings = {
          ...(connect.host ? { host: connect.host } : {}),
          ...(connect.port ? { port: connect.port } : {}),
          ...(connect.caFile ? { caFile: connect.caFile } : {}),
        };
        record.savedPassword = sealed;
      });
    }
    return state;
  }

  /** Accounts with a remembered password, for one-click sign-in. */
  saved(): SavedAccountView[] {
    if (!this.#vaults.isOpen) return [];
    return Object.values(this.#vaults.vault.document.accounts)
      .filter((a) => a.savedPassword !== undefined)
      .map((a) => ({ jid: a.jid, ...a.settings }));
  }

  async connectSaved(jid: string): Promise<ConnectionState> {
    const record = this.#vaults.vault.account(jid);
    if (!record?.savedPassword) throw new KeyringError('not-found', `No remembered password for ${jid}.`, 'jid');
    const password = this.#vaults.vault.openPassword(record.savedPassword); // never logged
    return this.#session.connect({ jid, password, ...record.settings });
  }

  async forget(jid: string): Promise<SavedAccountView[]> {
    await this.#vaults.vault.update((draft) => {
      const record = draft.accounts[jid];
      if (record) delete record.savedPassword;
    });
    return this.saved();
  }
}
