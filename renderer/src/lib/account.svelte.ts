import type {
  AppInfo,
  ConnectParams,
  ConnectionState,
  IpcError,
  KeyringApi,
  PepSupport,
  SavedAccountView,
} from '../../../contract';

/**
 * The account's state as the UI sees it, fed by requests and by main's `account:state` events.
 * Components read these fields; only this class talks to the API.
 */
export class AccountStore {
  info = $state<AppInfo | undefined>();
  connection = $state<ConnectionState>({ status: 'offline' });
  support = $state<PepSupport | undefined>();
  lastError = $state<IpcError | undefined>();
  busy = $state(false);
  /** Accounts whose password the OS keychain remembers. */
  saved = $state<SavedAccountView[]>([]);

  readonly online = $derived(this.connection.status === 'online');

  readonly #api: KeyringApi;

  constructor(api: KeyringApi) {
    this.#api = api;
  }

  /** Loads the initial state and follows main's events; returns the unsubscribe. */
  async start(): Promise<() => void> {
    const unsubscribe = this.#api.on('account:state', (state) => {
      this.connection = state;
      if (state.status !== 'online') this.support = undefined;
    });
    // The browser says the network is back: a reconnect waiting for its back-off need not wait.
    const networkBack = (): void => void this.reconnectNow();
    window.addEventListener('online', networkBack);
    const [info, state] = await Promise.all([this.#api.app.getInfo(), this.#api.account.getState()]);
    if (info.ok) this.info = info.value;
    if (state.ok) this.connection = state.value;
    return () => {
      unsubscribe();
      window.removeEventListener('online', networkBack);
    };
  }

  /** "Reconnect now" (or the network came back): the next attempt starts at once. */
  async reconnectNow(): Promise<void> {
    const state = await this.#api.account.reconnectNow();
    if (state.ok) this.connection = state.value;
  }

  async connect(params: ConnectParams): Promise<void> {
    await this.#run(async () => {
      const result = await this.#api.account.connect(params);
      if (!result.ok) return result.error;
      this.connection = result.value;
      if (params.remember) await this.loadSaved();
      const support = await this.#api.account.checkSupport();
      if (!support.ok) return support.error;
      this.support = support.value;
      return undefined;
    });
  }

  async loadSaved(): Promise<void> {
    const saved = await this.#api.account.saved();
    if (saved.ok) this.saved = saved.value;
  }

  async connectSaved(jid: string): Promise<void> {
    await this.#run(async () => {
      const result = await this.#api.account.connectSaved({ jid });
      if (!result.ok) return result.error;
      this.connection = result.value;
      const support = await this.#api.account.checkSupport();
      if (support.ok) this.support = support.value;
      return support.ok ? undefined : support.error;
    });
  }

  async forget(jid: string): Promise<void> {
    const saved = await this.#api.account.forget({ jid });
    if (saved.ok) this.saved = saved.value;
  }

  async disconnect(): Promise<void> {
    await this.#run(async () => {
      const result = await this.#api.account.disconnect();
      if (!result.ok) return result.error;
      this.connection = result.value;
      return undefined;
    });
  }

  async #run(action: () => Promise<IpcError | undefined>): Promise<void> {
    this.busy = true;
    this.lastError = undefined;
    try {
      this.lastError = await action();
    } finally {
      this.busy = false;
    }
  }
}
