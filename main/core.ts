/**
 * The composition root of the main-process core: builds every service in order and hands each its
 * dependencies. The Electron shell, the browser host, the CLI and the tests all start here, so they run
 * the very same code.
 */
import type { AppInfo, KeyringApi } from '../contract/index.js';
import { groupedApi } from '../contract/wire.js';
import { AppEvents } from './events.js';
import { createDispatcher, type Dispatch } from './ipc/dispatcher.js';
import { createHandlers } from './ipc/handlers.js';
import { consoleLogger, type Logger } from './logger.js';
import { AccountSession } from './xmpp/session.js';
import { STREAM_LOG_ENV, streamLogSink, type StreamLogSink } from './xmpp/stream-log.js';
import { ContactKeys } from './services/contact-keys.js';
import { OwnKeys } from './services/own-keys.js';
import { PublishQueue } from './services/publish-queue.js';
import { Accounts } from './services/accounts.js';
import { RosterService } from './services/roster-service.js';
import { RosterMembership } from './services/roster-membership.js';
import { ProfileService } from './services/profile.js';
import { VaultHolder } from './services/vault-holder.js';
import type { OsKeychain } from './vault/vault.js';
import type { ScryptParams } from './vault/secret-box.js';

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
  /** Where to log the XMPP stream, secrets redacted; by default $KEYRING_XMPP_LOG (`stderr` or a file). */
  streamLog?: StreamLogSink;
}

export interface KeyringCore {
  /** Every request, by channel name, validated: what the transports hand the page's requests to. */
  dispatch: Dispatch;
  /** The same requests as the grouped API the screens use (`api.keys.list()`), for the CLI and tests. */
  api: KeyringApi;
  events: AppEvents;
  session: AccountSession;
  vaults: VaultHolder;
  ownKeys: OwnKeys;
  contactKeys: ContactKeys;
  queue: PublishQueue;
  roster: RosterService;
  profile: ProfileService;
  dispose(): Promise<void>;
}

export function createKeyringCore(options: CoreOptions): KeyringCore {
  const log = options.log ?? consoleLogger;
  const events = new AppEvents();
  const streamLog = options.streamLog ?? streamLogSink(process.env[STREAM_LOG_ENV]);
  const session = new AccountSession({
    events,
    log,
    ...(options.extraCa ? { extraCa: options.extraCa } : {}),
    ...(streamLog ? { streamLog } : {}),
  });
  const vaults = new VaultHolder({
    dir: options.dataDir,
    ...(options.keychain ? { keychain: options.keychain } : {}),
    ...(options.scrypt ? { scrypt: options.scrypt } : {}),
  });
  const ownKeys = new OwnKeys(vaults, session);
  // Key notifications count only from the roster's contacts (and addresses the user looked up).
  const membership = new RosterMembership({ session, log });
  const contactKeys = new ContactKeys({ vaults, session, events, log, isKnownContact: (jid) => membership.has(jid) });
  const queue = new PublishQueue({ vaults, session, ownKeys, events, log });
  const roster = new RosterService({ session, events });
  const accounts = new Accounts(vaults, session);
  const profile = new ProfileService({ session, events, log });
  const appInfo: AppInfo = { name: 'Keyring for XMPP', version: options.version, host: options.host };
  const dispatch = createDispatcher(createHandlers({ appInfo, session, vaults, ownKeys, contactKeys, queue, accounts, roster, profile }), {
    logError: (channel, error) => log.error(`request ${channel} failed unexpectedly`, error),
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
    queue,
    roster,
    profile,
    dispose: async () => {
      await session.disconnect();
      streamLog?.close?.();
    },
  };
}
