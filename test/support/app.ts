/**
 * A whole app core per actor, as the desktop window runs it: its own vault (light scrypt), a fresh
 * account on the given server, connected. For suites that drive the app through its dispatcher.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKeyringCore, type KeyringCore } from '../../main/core.js';
import { silentLogger } from '../../main/logger.js';
import type { EventName, EventPayloads, RequestChannel, RequestParams, RequestResults } from '../../contract/index.js';
import { freshAccount } from './accounts.js';
import { nextEvent, type Actor } from './scenario.js';
import type { ServerInfo } from './xmpp-server.js';

const LIGHT_SCRYPT = { name: 'scrypt' as const, N: 2 ** 12, r: 8, p: 1 };
export const APP_PASSPHRASE = 'a long test passphrase';

export interface App {
  core: KeyringCore;
  actor: Actor;
  dataDir: string;
  stop(): Promise<void>;
}

export async function startApp(role: string, domain: string, server: ServerInfo): Promise<App> {
  const dataDir = await mkdtemp(join(tmpdir(), `keyring-${role}-`));
  const core = createKeyringCore({ host: 'browser', version: 'test', log: silentLogger, dataDir, scrypt: LIGHT_SCRYPT });
  const params = await freshAccount(role, domain, server);
  const unlocked = await core.dispatch('vault:unlock', { passphrase: APP_PASSPHRASE });
  if (!unlocked.ok) throw new Error(unlocked.error.message);
  const connected = await core.dispatch('account:connect', params);
  if (!connected.ok) throw new Error(connected.error.message);
  return {
    core,
    dataDir,
    actor: { params, session: core.session, jid: params.jid },
    stop: async () => {
      await core.dispose();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The next app event `event` whose payload matches. */
export function nextAppEvent<E extends EventName>(
  app: App,
  event: E,
  matches: (payload: EventPayloads[E]) => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<EventPayloads[E]> {
  return nextEvent(
    (listener: (payload: EventPayloads[E]) => void) =>
      app.core.events.subscribe((name, payload) => {
        if ((name as string) === event) listener(payload as unknown as EventPayloads[E]);
      }),
    matches,
    what,
    timeoutMs,
  );
}

/** A request through the app's dispatcher, typed by its channel; a failed Result throws its message. */
export async function ask<C extends RequestChannel>(app: App, channel: C, params: RequestParams<C>): Promise<RequestResults[C]> {
  const result = await app.core.dispatch(channel, params);
  if (!result.ok) throw new Error(`${channel}: ${result.error.code}: ${result.error.message}`);
  return result.value as RequestResults[C];
}
