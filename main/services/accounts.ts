/**
 * Signing in, with the account remembered when the user asks: the server settings in the vault, the
 * password only through the OS keychain (main/vault/stores/account-settings-store.ts).
 */
import type { ConnectParams, ConnectionState, SavedAccountView } from '../../contract/index.js';
import { KeyringError } from '../errors.js';
import type { AccountSettingsStore } from '../vault/stores/account-settings-store.js';
import type { SignInPort } from './session-port.js';

export interface AccountsDeps {
  settings: AccountSettingsStore;
  session: SignInPort;
}

export class Accounts {
  readonly #settings: AccountSettingsStore;
  readonly #session: SignInPort;

  constructor(deps: AccountsDeps) {
    this.#settings = deps.settings;
    this.#session = deps.session;
  }

  async connect(params: ConnectParams): Promise<ConnectionState> {
    const { remember, ...connect } = params;
    // Refuse before connecting: a password the user asked to keep must not be silently forgotten.
    if (remember && !this.#settings.canRemember) {
      throw new KeyringError('keychain-unavailable', 'No secure OS keychain here, so the password cannot be remembered.', 'remember');
    }
    const state = await this.#session.connect(connect);
    if (remember && this.#settings.isOpen) {
      await this.#settings.remember(
        this.#session.ownJid,
        {
          ...(connect.host ? { host: connect.host } : {}),
          ...(connect.port ? { port: connect.port } : {}),
          ...(connect.caFile ? { caFile: connect.caFile } : {}),
        },
        connect.password, // never logged
      );
    }
    return state;
  }

  /** Accounts with a remembered password, for one-click sign-in. */
  saved(): SavedAccountView[] {
    return this.#settings.saved().map((a) => ({ jid: a.jid, ...a.settings }));
  }

  async connectSaved(jid: string): Promise<ConnectionState> {
    const saved = this.#settings.signIn(jid);
    if (!saved) throw new KeyringError('not-found', `No remembered password for ${jid}.`, 'jid');
    return this.#session.connect({ jid, password: saved.password, ...saved.settings });
  }

  async forget(jid: string): Promise<SavedAccountView[]> {
    await this.#settings.forget(jid);
    return this.saved();
  }
}
