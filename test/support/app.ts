/**
 * Apps for the suites that drive the core through its dispatcher: each with a vault of its own (light
 * scrypt), unlocked, and (startApp) a fresh account on the given server, connected.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKeyringCore, type CoreOptions, type KeyringCore } from '../../main/core.js';
import { silentLogger } from '../../main/logger.js';
import type { ConnectParams, EventName, EventPayloads, RequestChannel, RequestParams, RequestResults } from '../../contract/index.js';
import { freshAccount } from './accounts.js';
import { nextEvent, type Actor } from './scenario.js';
import { LIGHT_SCRYPT } from './vaults.js';
import type { ServerInfo } from './xmpp-server.js';

export const APP_PASSPHRASE = 'a long test passphrase';

export interface OpenCore {
  core: KeyringCore;
  dataDir: string;
  /** Disposes of the core, and removes its folder unless the caller gave it. */
  stop(): Promise<void>;
}

/**
 * A core over a vault folder of its own (light scrypt), unlocked: the app as the desktop window has it
 * before anyone signs in. `dataDir` reopens an earlier one (a restart).
 */
export async function openCore(
  options: { dataDir?: string; passphrase?: string; version?: string; otherKeysAtSignIn?: boolean; driftWatch?: CoreOptions['driftWatch']; fetchKeysAtSignIn?: boolean; streamLog?: CoreOptions['streamLog'] } = {},
): Promise<OpenCore> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'keyring-app-')));
  // Other apps' keys are read at sign-in only where a test asks, so other tests' traffic stays their own.
  const core = createKeyringCore({
    host: 'browser',
    version: options.version ?? 'test',
    log: silentLogger,
    dataDir,
    scrypt: LIGHT_SCRYPT,
    ...(options.fetchKeysAtSignIn ? { fetchKeysAtSignIn: true } : {}),
    otherKeysAtSignIn: options.otherKeysAtSignIn ?? false,
    ...(options.driftWatch ? { driftWatch: options.driftWatch } : {}),
    ...(options.streamLog ? { streamLog: options.streamLog } : {}),
  });
  const unlocked = await core.api.vault.unlock({ passphrase: options.passphrase ?? APP_PASSPHRASE });
  if (!unlocked.ok) throw new Error(unlocked.error.message);
  return {
    core,
    dataDir,
    stop: async () => {
      await core.dispose();
      if (options.dataDir === undefined) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Signs the core in; a failure throws its message. */
export async function connect(core: KeyringCore, params: ConnectParams): Promise<void> {
  const connected = await core.api.account.connect(params);
  if (!connected.ok) throw new Error(connected.error.message);
}

export interface App extends OpenCore {
  actor: Actor;
}

/** A whole app core per actor, as the desktop window runs it: its own vault, a fresh account on `server`, connected. */
export async function startApp(role: string, domain: string, server: ServerInfo, options: { driftWatch?: CoreOptions['driftWatch'] } = {}): Promise<App> {
  const opened = await openCore(options);
  const params = await freshAccount(role, domain, server);
  await connect(opened.core, params);
  return { ...opened, actor: { params, session: opened.core.session, jid: params.jid } };
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

/** A dispatcher's Result's value; a failed Result throws its code and message. */
export function resultValue<T>(result: { ok: true; value: T } | { ok: false; error: { code: string; message: string } }): T {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

/** A request through the app's dispatcher, typed by its channel; a failed Result throws its message. */
export async function ask<C extends RequestChannel>(app: App, channel: C, params: RequestParams<C>): Promise<RequestResults[C]> {
  const result = await app.core.dispatch(channel, params);
  if (!result.ok) throw new Error(`${channel}: ${result.error.code}: ${result.error.message}`);
  return result.value as RequestResults[C];
}
