/**
 * The composition root of the main-process core: builds every service in order and hands each its
 * dependencies. The Electron shell, the browser host, the CLI and the tests all start here, so they run
 * the very same code.
 */
import type { AppInfo } from '../preload/contract.js';
import { AppEvents } from './events.js';
import { createDispatcher, type Dispatch } from './ipc/dispatcher.js';
import { createHandlers } from './ipc/handlers.js';
import { consoleLogger, type Logger } from './logger.js';
import { AccountSession } from './xmpp/session.js';

export interface CoreOptions {
  host: AppInfo['host'];
  version: string;
  log?: Logger;
  /** CA certificates (PEM) trusted for every connection besides the system's. */
  extraCa?: string[];
}

export interface KeyringCore {
  dispatch: Dispatch;
  events: AppEvents;
  session: AccountSession;
  dispose(): Promise<void>;
}

export function createKeyringCore(options: CoreOptions): KeyringCore {
  const log = options.log ?? consoleLogger;
  const events = new AppEvents();
  const session = new AccountSession({ events, log, ...(options.extraCa ? { extraCa: options.extraCa } : {}) });
  const appInfo: AppInfo = { name: 'Keyring for XMPP', version: options.version, host: options.host };
  const dispatch = createDispatcher(createHandlers({ appInfo, session }), {
    logError: (channel, error) => log.error(`request ${channel} failed unexpectedly`, error),
  });
  return {
    dispatch,
    events,
    session,
    dispose: async () => {
      await session.disconnect();
    },
  };
}
