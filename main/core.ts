/**
 * The composition root of the main-process core: builds every service in order, hands each its
 * dependencies, and routes what the network says to the services that care. The Electron shell, the
 * browser host, the CLI and the tests all start here, so they run the very same code.
 */
import type { AppInfo, KeyringApi } from '../contract/index.js';
import { groupedApi } from '../contract/wire.js';
import { AppEvents } from './events.js';
import { createDispatcher, type Dispatch } from './ipc/dispatcher.js';
import { createHandlers } from './ipc/handlers.js';
import { consoleLogger, type Logger } from './logger.js';
import { Accounts } from './services/accounts.js';
import { BackupService } from './services/backup.js';
import { ContactKeys } from './services/contact-keys.js';
import { OwnDevices } from './services/own-devices.js';
import { FoundPublications } from './services/found-publications.js';
import { OwnRevocations, readOwnKeyNode } from './services/own-revocations.js';
import { OTHER_KEY_LIST_NODES, OtherAppKeys } from './services/other-app-keys.js';
import { DriftWatch } from './services/drift-watch.js';
import { OwnKeys } from './services/own-keys.js';
import { Presence } from './services/presence.js';
import { PROFILE_CACHE_BYTES, PROFILE_NODES, ProfileService } from './services/profile.js';
import { PublishQueue } from './services/publish-queue.js';
import { RosterReach } from './services/roster-reach.js';
import { RosterService } from './services/roster-service.js';
import { markNow, type SessionMark } from './services/session-mark.js';
import { WorkingAccount } from './services/working-account.js';
import { bareJidKey } from './keys/xmpp-addr.js';
import type { ScryptParams } from './vault/secret-box.js';
import { AccountSettingsStore } from './vault/stores/account-settings-store.js';
import { BackupsStore } from './vault/stores/backups-store.js';
import { ContactKeysStore } from './vault/stores/contact-keys-store.js';
import { OtherKeysStore } from './vault/stores/other-keys-store.js';
import { OwnKeysStore } from './vault/stores/own-keys-store.js';
import { ContactProfilesStore } from './vault/stores/contact-profiles-store.js';
import { OwnProfileStore } from './vault/stores/own-profile-store.js';
import { PublishedNodesStore } from './vault/stores/published-nodes-store.js';
import { QueueStore } from './vault/stores/queue-store.js';
import { RosterStore } from './vault/stores/roster-store.js';
import type { OsKeychain } from './vault/vault.js';
import { VaultHolder } from './vault/vault-holder.js';
import { NS } from './xmpp/namespaces.js';
import { AccountSession, type AccountSessionDeps } from './xmpp/session.js';
import type { FetchOutcome } from './xmpp/fetch-items.js';
import { STREAM_LOG_ENV, streamLogSink, type StreamLogSink } from './xmpp/stream-log.js';

export interface CoreOptions {
  host: AppInfo['host'];
  version: string;
  log?: Logger;
  /** CA certificates (PEM) trusted for every connection besides the system's. */
  extraCa?: string[];
  /** Where the vault lives (the app's user-data folder). */
  dataDir: string;
  /** The OS keychain (Electron safeStorage), when the shell has one. */
  keychain?: OsKeychain;
  /** scrypt work factor for a new passphrase vault (tests pass lighter settings). */
  scrypt?: Omit<ScryptParams, 'salt'>;
  /**
   * Read the roster's OMEMO devices and OpenPGP keys in the background after each sign-in (default on;
   * the test helpers turn it off unless a test is about it, so other tests' traffic stays their own).
   */
  otherKeysAtSignIn?: boolean;
  /** Where to log the XMPP stream, secrets redacted; by default $KEYRING_XMPP_LOG (`stderr` or a file). */
  streamLog?: StreamLogSink;
  /**
   * Fetch every roster contact's keys in the background each time the account comes online, so a key
   * changed or withdrawn while the app was closed shows at once (the window and the browser host; the
   * CLI fetches what a command asks for and no more).
   */
  fetchKeysAtSignIn?: boolean;
  /** Ping and reconnect timings (tests shorten them); the session's defaults otherwise. */
  connection?: Pick<AccountSessionDeps, 'liveness' | 'retryDelay'>;
  /** scrypt work factor for backups (tests pass lighter settings; the app keeps backup-blob.ts's). */
  backupKdf?: Omit<ScryptParams, 'salt'>;
  /** Drift watch's slow timer and settle time, in ms (tests shorten them; services/drift-watch.ts has the defaults). */
  driftWatch?: { intervalMs?: number; settleMs?: number };
}

export interface KeyringCore {
  /**
   * Every request, by channel name, validated: what the transports hand the page's requests to, with
   * the account the window named beside it (ipc/dispatcher.ts).
   */
  dispatch: Dispatch;
  /**
   * The same requests as the grouped API the screens use (`api.keys.list()`), for the CLI and tests:
   * they name no account, since the core is theirs alone (ipc/dispatcher.ts says why).
   */
  api: KeyringApi;
  events: AppEvents;
  session: AccountSession;
  vaults: VaultHolder;
  ownKeys: OwnKeys;
  contactKeys: ContactKeys;
  otherKeys: OtherAppKeys;
  profile: ProfileService;
  drift: DriftWatch;
  /**
   * Names the account to work for without signing in (the CLI's offline commands): its keys, last
   * roster and known contacts' keys; anything that needs the network still answers 'not-connected'.
   */
  workOffline(jid: string): void;
  dispose(): Promise<void>;
}

export function createKeyringCore(options: CoreOptions): KeyringCore {
  const log = options.log ?? consoleLogger;
  const events = new AppEvents();
  const streamLog = options.streamLog ?? streamLogSink(process.env[STREAM_LOG_ENV]);
  // The session's states reach the windows only through the working account (below), which names the
  // account the app works for: never an address no sign-in has succeeded for yet.
  const sessionStates = new AppEvents();
  const session = new AccountSession({
    events: sessionStates,
    log,
    ...(options.extraCa ? { extraCa: options.extraCa } : {}),
    ...(streamLog ? { streamLog } : {}),
    ...options.connection,
  });
  const vaults = new VaultHolder({
    dir: options.dataDir,
    ...(options.keychain ? { keychain: options.keychain } : {}),
    ...(options.scrypt ? { scrypt: options.scrypt } : {}),
    processKind: options.host,
  });

  // Services see the session through this port: the same connection, for the account the app works
  // for (services/working-account.ts): signed in now or before on this app, or named for offline work.
  const settings = new AccountSettingsStore(vaults);
  const working = new WorkingAccount(session, { signedInBefore: (jid) => settings.hasSignedIn(jid) });
  const port = working.port();
  sessionStates.subscribe((event) => {
    if (event !== 'account:state') return;
    // Followed first, so the state sent is the one every service reads from now on.
    working.follow();
    events.emit('account:state', working.state);
  });
  const accounts = new Accounts({
    settings,
    session,
    currentAccount: () => port.state.account,
    workOffline: (jid) => working.choose(jid),
  });
  // Every write of the own keys, whoever made it, goes to every window as the list as it now stands
  // (two tabs of the browser host, or two windows, on one core must never show two different lists).
  const ownKeysChanged = (account: string) => {
    if (port.state.account !== undefined && bareJidKey(account) === bareJidKey(port.state.account)) events.emit('keys:changed', ownKeys.list());
  };
  const ownKeysStore = new OwnKeysStore(vaults, { changed: ownKeysChanged });
  const published = new PublishedNodesStore(vaults);
  const ownKeys = new OwnKeys({ store: ownKeysStore, published, session: port });
  // Only roster contacts' presence is kept (the roster is made next; asked only once presence comes).
  const presence = new Presence({ session: port, events, isContact: (jid): Promise<boolean> => roster.isContactForPresence(jid) });
  const roster = new RosterService({ session: port, presence, events, log, store: new RosterStore(vaults) });
  // Key, profile and device list notifications count only from the roster's contacts (and addresses the
  // user looked up): services/listened-contacts.ts.
  const contactKeysStore = new ContactKeysStore(vaults);
  const contactKeys = new ContactKeys({ store: contactKeysStore, session: port, events, log, isKnownContact: (jid) => roster.has(jid) });
  const profile = new ProfileService({
    session: port,
    events,
    log,
    published,
    ownProfile: new OwnProfileStore(vaults),
    contactProfiles: new ContactProfilesStore(vaults, PROFILE_CACHE_BYTES),
    isKnownContact: (jid) => roster.has(jid),
  });
  const queue = new PublishQueue({ store: new QueueStore(vaults), ownKeys, roster, profile, session: port, events, log });
  // What drift watch reads of the key node is who may read it now: My keys shows that, without asking again.
  const drift = new DriftWatch({ published, ownKeys: ownKeysStore, session: port, events, log, onKeyNodeRead: (state) => ownKeys.noteKeyNode(state), ...options.driftWatch });
  const ownRevocations = new OwnRevocations({
    store: ownKeysStore,
    published,
    session: port,
    log,
    events,
    // A revocation this device is publishing is not news from another device: applied once its revoke ended.
    revokeUnderWay: (account, fingerprint) => ownKeys.revokeUnderWay(account, fingerprint),
  });
  const foundPublications = new FoundPublications({ store: ownKeysStore, published, session: port, log });
  // Own keys revoked elsewhere (another device, or after a restored backup was made) are revoked here,
  // and own keys the server holds that the vault records as not published are recorded as published
  // (a publish cut off before it was recorded: the server's word wins). My keys is told which: at
  // sign-in (from `read`, the read sign-in shares) and after a restore alike (own-revocations.ts).
  const readOwnRevocations = (read?: Promise<FetchOutcome>): Promise<string[]> =>
    readOwnKeyNode({ revocations: ownRevocations, found: foundPublications, session: port, events, log }, read);
  const otherKeysStore = new OtherKeysStore(vaults);
  const backup = new BackupService({
    ownKeys: ownKeysStore,
    revocations: { readNode: readOwnRevocations },
    contactKeys: contactKeysStore,
    otherKeys: otherKeysStore,
    backups: new BackupsStore(vaults),
    session: port,
    vaultLock: vaults,
    // What a restore wrote is news for every window, as a change made there would be.
    restored: (account, wrote) => {
      if (wrote.ownKeys) ownKeysChanged(account);
      contactKeys.trustRestored(wrote.contacts);
    },
    ...(options.backupKdf ? { kdf: options.backupKdf } : {}),
  });
  const ownDevices = new OwnDevices({ events, log, ownKeys, revocations: ownRevocations });

  // Every roster contact's keys, fetched through the same change detection as a notification or a
  // contact opened (ContactKeys.fetchMany: bounded concurrency, a dead server holds up no one).
  // `startedFor`: the sign-in's account and stream, taken before the roster is read: once another account
  // is signed in (or the stream is gone) the run stops, and nothing it read lands under the new account.
  const fetchRosterKeys = async (startedFor: SessionMark) => {
    const contacts = (await roster.list({ fresh: true })).map((c) => c.jid);
    await contactKeys.fetchMany(contacts, undefined, undefined, startedFor);
  };
  const otherKeys = new OtherAppKeys({ store: otherKeysStore, trust: contactKeysStore, session: port, events, log, isKnownContact: (jid) => roster.has(jid) });
  const otherKeysAtSignIn = options.otherKeysAtSignIn ?? true;

  // What the network says, to the services that care.
  session.events.on('online', () => {
    // A new stream (first login or reconnect): what the last one said of roster and presence no longer
    // holds. Forgotten first, so the queued actions that run next see this stream's roster.
    roster.reset();
    presence.reset();
    // Another client may have changed the key node's access while this one was away.
    ownKeys.forgetServerAccess();
    // The own key node's items, read once for two readers: the revocations below, and drift watch's
    // first check, which would list the same items again (issue #19: no round trip a plain client
    // would not make). Drift watch takes them only if nothing queued offline is written first.
    const keyNode = ownRevocations.fetchNode();
    const writesQueued = queue.list().length > 0;
    // Own keys revoked while this device was away. Their items are no longer expected on the key node
    // once applied, so drift watch reads the record after them: else each would be an alarm.
    const revocations = readOwnRevocations(keyNode).catch((error: unknown) => log.warn(`reading own revocations: ${String(error)}`));
    // Nor may a write queued offline (or asked for now) publish a key revoked meanwhile: they wait too.
    ownKeys.afterRevocations(revocations);
    // What waited for the connection runs first; drift watch reads once it is done (docs/drift.md).
    drift.onOnline({ drain: () => queue.drain(), ...(writesQueued ? {} : { keyNodeItems: keyNode }), revocations });
    // Keys made before revocations were prepared at generation get theirs, while the vault is open.
    void ownKeys.prepareMissingRevocations().catch((error: unknown) => log.warn(`preparing revocations: ${String(error)}`));
    // The background reads below are this sign-in's: marked now, they stop once another account is
    // signed in or this stream is gone (services/session-mark.ts).
    const signIn = markNow(port);
    if (options.fetchKeysAtSignIn) void fetchRosterKeys(signIn).catch((error: unknown) => log.warn(`keys fetch at sign-in: ${String(error)}`));
    if (otherKeysAtSignIn && signIn.account !== undefined) {
      const account = signIn.account;
      // Background: the roster's devices and keys, then the account's own; a failure is logged only.
      void roster
        .list({ fresh: true })
        .then((contacts) => otherKeys.fetchMany([...contacts.map((c) => c.jid), account], signIn))
        .catch((error: unknown) => log.warn(`reading other apps' keys after sign-in: ${String(error)}`));
    }
  });
  // Disconnected, signed out or lost: presence heard on that stream says nothing about now, and no
  // request to see the user's presence can be answered (the screens list none until back online).
  session.events.on('offline', () => presence.reset());
  session.events.on('ownNodeChanged', (change) => {
    // The server announced a new configuration of the key node, or its deletion: My keys' audience is read again.
    if (change.node === NS.pubkey && (change.kind === 'configuration' || change.kind === 'delete')) ownKeys.forgetServerAccess();
    drift.onOwnNodeChange(change);
  });
  session.events.on('roster', (push) => roster.onPush(push));
  session.events.on('presence', (update) => void presence.onPresence(update));
  // Filed under the account it was addressed to: only that account may see and answer it (services/presence.ts).
  session.events.on('subscriptionRequest', ({ from, account }) => presence.onSubscriptionRequest(from, account));
  const isOwn = (jid: string) => session.state.account !== undefined && bareJidKey(jid) === bareJidKey(session.state.account);
  session.events.on('pep', (notification) => {
    // The own key node changes when another device of the account publishes: My keys' news, never a
    // contact's key change.
    if (notification.node === NS.pubkey && isOwn(notification.from)) {
      const applied = ownDevices.onNotification(notification);
      drift.afterRevocations(applied);
      ownKeys.afterRevocations(applied);
    }
    else if (notification.node === NS.pubkey) contactKeys.onNotification(notification);
    else if ((PROFILE_NODES as readonly string[]).includes(notification.node)) profile.onNotification(notification);
    else if ((OTHER_KEY_LIST_NODES as readonly string[]).includes(notification.node)) otherKeys.onNotification(notification);
  });

  const appInfo: AppInfo = { name: 'Keyring for XMPP', version: options.version, host: options.host };
  const dispatch = createDispatcher(createHandlers({ appInfo, session, working, vaults, ownKeys, backup, contactKeys, otherKeys, queue, accounts, roster, profile, drift, reach: new RosterReach({ roster, log }) }), {
    logError: (channel, error) => log.error(`request ${channel} failed unexpectedly`, error),
    workingAccount: () => working.state.account,
  });
  const api = groupedApi({
    request: (channel, params) => dispatch(channel, params),
    on: (event, listener) => events.subscribe((name, payload) => name === event && listener(payload)),
  });
  return {
    dispatch,
    api,
    events,
    session,
    vaults,
    ownKeys,
    contactKeys,
    otherKeys,
    profile,
    drift,
    workOffline: (jid) => working.choose(jid),
    dispose: async () => {
      drift.stop();
      await session.disconnect();
      await roster.whenSaved();
      // Last: what is pending is saved, then another app or `keyring` command may open the vault.
      await vaults.close();
      streamLog?.close?.();
    },
  };
}
