import type {
  AppInfo,
  CaFileView,
  ConnectParams,
  ConnectionState,
  IpcError,
  KeyringApi,
  PepSupport,
  RememberedAccountView,
  SavedAccountView,
} from '../../../contract';
import { showAccount } from './account-epoch';

/**
 * The screen shown is remembered once the user stays on it this long: each time is a write of the
 * whole vault in main, which would otherwise hold up the new screen's own first requests there (and
 * clicking through three screens would write three times).
 */
const REMEMBER_SCREEN_AFTER_MS = 1000;

/**
 * The account's state as the UI sees it, fed by requests and by main's `account:state` events.
 * Components read these fields; only this class talks to the API.
 */
export class AccountStore {
  info = $state<AppInfo | undefined>();
  #connection = $state<ConnectionState>({ status: 'offline' });
  /** The connection's state as main told it last, naming the account the window shows. */
  get connection(): ConnectionState {
    return this.#connection;
  }
  set connection(state: ConnectionState) {
    this.#connection = state;
    // What every request names from now on, at once (not after the screens are made anew): a change
    // asked after this is for this account (account-epoch.ts).
    showAccount(state.account);
  }
  support = $state<PepSupport | undefined>();
  /**
   * What the account's server could do when last asked, kept while it is offline: a publish queued
   * offline is offered only the audiences that server takes (the user walk queued roster groups, which
   * Prosody refuses, and saw it fail on reconnect). Forgotten when another account is the one shown.
   */
  #lastSupport = $state<{ account: string; support: PepSupport } | undefined>();
  /** For choosing an audience: the server's answer now, else its last one for this account. */
  readonly supportForPublishing = $derived(
    this.support ?? (this.#lastSupport !== undefined && this.#lastSupport.account === this.connection.account ? this.#lastSupport.support : undefined),
  );
  lastError = $state<IpcError | undefined>();
  /** The address the last action's error is about (the sign-in's, as typed): the form shows it only under that address. */
  lastErrorFor = $state<string | undefined>();
  /**
   * The sign-in form as the person left it, never the password: leaving the Account screen and coming
   * back shows the same address, server settings and error (a refused address included), not the
   * account used last under the error of another.
   */
  form = $state({ jid: '', host: '', port: '', caFile: '' });
  /** The form was filled from the account used last (once per window; then it is the person's). */
  formFilled = false;
  busy = $state(false);
  /** Accounts whose password the OS keychain remembers. */
  saved = $state<SavedAccountView[]>([]);
  /** Every account signed in to before, most recent first: the sign-in form fills itself from the first. */
  remembered = $state<RememberedAccountView[]>([]);
  /** The CA file in the form, as read by main: its fingerprint for the user to compare. */
  ca = $state<{ path: string; view?: CaFileView; error?: IpcError } | undefined>();

  readonly online = $derived(this.connection.status === 'online');
  /** Online and the server answering (not `unanswered`: a request waits and it says nothing). */
  readonly answering = $derived(this.connection.status === 'online' && this.connection.unanswered === undefined);

  readonly #api: KeyringApi;
  /** The person pressed Cancel on the sign-in under way: its ending is not an error. */
  #cancelled = false;
  /** The screen waiting to be remembered, and its timer. */
  #screenToRemember: { screen: string; timer: ReturnType<typeof setTimeout> } | undefined;

  constructor(api: KeyringApi) {
    this.#api = api;
  }

  /** Loads the initial state and follows main's events; returns the unsubscribe. */
  async start(): Promise<() => void> {
    const unsubscribe = this.#api.on('account:state', (state) => {
      this.connection = state;
      if (state.status !== 'online') this.support = undefined;
      // Back online by itself (a reconnect, another window's sign-in): what the server takes is read again.
      else if (this.support === undefined) void this.#readSupport();
    });
    // The browser says the network is back: a reconnect waiting for its back-off need not wait.
    const networkBack = (): void => void this.reconnectNow();
    window.addEventListener('online', networkBack);
    // Leaving (reload, tab closed): the screen waiting to be remembered goes now.
    const leaving = (): void => this.#rememberScreenNow();
    window.addEventListener('pagehide', leaving);
    const [info, state] = await Promise.all([this.#api.app.getInfo(), this.#api.account.getState()]);
    if (info.ok) this.info = info.value;
    if (state.ok) this.connection = state.value;
    if (state.ok && state.value.status === 'online' && this.support === undefined) void this.#readSupport();
    return () => {
      unsubscribe();
      window.removeEventListener('online', networkBack);
      window.removeEventListener('pagehide', leaving);
      this.#rememberScreenNow();
    };
  }

  /** "Reconnect now" (or the network came back): the next attempt starts at once. */
  async reconnectNow(): Promise<void> {
    const state = await this.#api.account.reconnectNow();
    if (state.ok) this.connection = state.value;
  }

  async connect(params: ConnectParams): Promise<void> {
    await this.#run(params.jid, async () => {
      const result = await this.#api.account.connect(params);
      // The file changed under the form: show what it holds now, next to the refusal.
      if (!result.ok && result.error.code === 'ca-changed' && params.caFile) await this.inspectCa(params.caFile);
      if (!result.ok) return result.error;
      this.connection = result.value;
      if (params.remember) await this.loadSaved();
      await this.loadRemembered();
      // Often read already, or being read, for the account:state event that said online.
      return this.support === undefined ? this.#readSupport() : undefined;
    });
  }

  /** The read of what the server takes under way: a sign-in's and the state event's are one request. */
  #supportReading: Promise<IpcError | undefined> | undefined;
  /** Asks main what the server takes; a failure leaves it unknown (the picker then offers all) and is answered. */
  #readSupport(): Promise<IpcError | undefined> {
    this.#supportReading ??= this.#api.account
      .checkSupport()
      .then((support) => {
        if (!support.ok) return support.error;
        if (this.connection.status === 'online') this.#supportRead(support.value);
        return undefined;
      })
      .finally(() => (this.#supportReading = undefined));
    return this.#supportReading;
  }

  #supportRead(support: PepSupport): void {
    this.support = support;
    const account = this.connection.account;
    this.#lastSupport = account !== undefined ? { account, support } : undefined;
  }

  /** Asks main for the state again (after the vault opened, main may work offline for the account used last). */
  async refreshState(): Promise<void> {
    const state = await this.#api.account.getState();
    if (state.ok) this.connection = state.value;
  }

  async loadRemembered(): Promise<void> {
    const remembered = await this.#api.account.remembered();
    if (remembered.ok) this.remembered = remembered.value;
  }

  /** Reads the CA file the user named, to show its fingerprint before it is trusted. */
  async inspectCa(path: string): Promise<void> {
    if (!path) {
      this.ca = undefined;
      return;
    }
    // Reading the same file again keeps what was shown until the answer comes: nothing on the form moves.
    if (this.ca?.path !== path) this.ca = { path };
    const answer = await this.#api.account.inspectCa({ path });
    if (this.ca.path !== path) return; // the user typed another path meanwhile
    this.ca = answer.ok ? { path, view: answer.value } : { path, error: answer.error };
  }

  /** Remembers the screen the user is on, for the next start. */
  rememberScreen(screen: string): void {
    if (this.#screenToRemember) clearTimeout(this.#screenToRemember.timer);
    this.#screenToRemember = { screen, timer: setTimeout(() => this.#rememberScreenNow(), REMEMBER_SCREEN_AFTER_MS) };
  }

  #rememberScreenNow(): void {
    const waiting = this.#screenToRemember;
    if (!waiting) return;
    clearTimeout(waiting.timer);
    this.#screenToRemember = undefined;
    void this.#api.account.setLastScreen({ screen: waiting.screen });
  }

  async loadSaved(): Promise<void> {
    const saved = await this.#api.account.saved();
    if (saved.ok) this.saved = saved.value;
  }

  async connectSaved(jid: string): Promise<void> {
    await this.#run(jid, async () => {
      const result = await this.#api.account.connectSaved({ jid });
      if (!result.ok) return result.error;
      this.connection = result.value;
      return this.support === undefined ? this.#readSupport() : undefined;
    });
  }

  async forget(jid: string): Promise<void> {
    const saved = await this.#api.account.forget({ jid });
    if (saved.ok) this.saved = saved.value;
  }

  /**
   * Stops a sign-in under way (a server that takes the connection and says nothing holds it for up to
   * 30 s): the app goes on working, offline, for the account it worked for. The sign-in then ends as
   * cancelled, which is no error to show.
   */
  async cancelSignIn(): Promise<void> {
    this.#cancelled = true;
    const result = await this.#api.account.disconnect();
    if (result.ok) this.connection = result.value;
  }

  async disconnect(): Promise<void> {
    await this.#run(undefined, async () => {
      const result = await this.#api.account.disconnect();
      if (!result.ok) return result.error;
      this.connection = result.value;
      return undefined;
    });
  }

  /** Runs one action on the account; its error, if any, is about `about` (the address signed in to). */
  async #run(about: string | undefined, action: () => Promise<IpcError | undefined>): Promise<void> {
    this.busy = true;
    this.lastError = undefined;
    this.#cancelled = false;
    try {
      this.lastErrorFor = about;
      const error = await action();
      this.lastError = this.#cancelled ? undefined : error;
    } finally {
      this.busy = false;
    }
  }
}
