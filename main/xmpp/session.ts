/**
 * The account's XMPP session: connect, keep the connection state, disconnect. One per account.
 * Plain TypeScript over xmpp.js: no Electron, so the CLI, the browser host and tests use it as is.
 */
import { jid, xml } from '@xmpp/client';
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { ADDRESS_WORDS, type ConnectParams, type ConnectionState, type PepSupport } from '../../contract/index.js';
import type { AppEvents } from '../events.js';
import { KeyringError } from '../errors.js';
import type { Logger } from '../logger.js';
import { createXmppClient, type XmppClient } from './client.js';
import type { LoginRecord } from './sasl-login.js';
import type { Iq } from './iq-requests.js';
import { classifyConnectionError, type ServerName } from './connection-errors.js';
import { describeMissingSupport, discoverPepSupport } from './pep-support.js';
import { answerDiscoInfo, capsElement, OWN_DISCO } from './caps.js';
import { listenForOwnNodeChanges, listenForPepNotifications } from './pep-events.js';
import { answerRosterPushes } from './roster.js';
import { NOTIFY_NODES, OWN_PUBLISHED_NODES } from './namespaces.js';
import { SessionEvents } from './session-events.js';
import { reconnectDelay } from './backoff.js';
import { nextConnectionState, stopsReconnecting, type ConnectionEvent } from './connection-state.js';
import { DEFAULT_LIVENESS, watchLiveness, type Liveness, type LivenessTimes } from './liveness.js';
import type { StreamLogSink } from './stream-log.js';

/** What the account's remembered settings ask of one sign-in. */
export interface SignInOptions {
  /** The server offered SCRAM -PLUS before: refuse an offer without it (main/xmpp/sasl-login.ts). */
  requireChannelBinding?: boolean;
  /** The account signed in with SCRAM before: refuse an offer of PLAIN alone (main/xmpp/sasl-login.ts). */
  requireScram?: boolean;
  /**
   * The CA file's text as the caller already read and checked it (its fingerprint compared with the one
   * trusted before, main/services/accounts.ts): the connection trusts exactly those certificates, not
   * what a second read of the file would find.
   */
  caPem?: string;
}

export interface AccountSessionDeps {
  events: AppEvents;
  log: Logger;
  /** CA certificates (PEM) trusted in addition to the system's for every connection, e.g. from settings. */
  extraCa?: string[];
  /** Writes the XMPP stream here, secrets redacted (the CLI's --debug, KEYRING_XMPP_LOG). */
  streamLog?: StreamLogSink;
  /** When to ping a quiet server and how long to wait for its answer (XEP-0199); tests shorten them. */
  liveness?: LivenessTimes;
  /** The wait before reconnect attempt `attempt` (0, 1, …); backoff.ts by default. */
  retryDelay?: (attempt: number) => number;
}

const DEFAULT_PORT = 5222;
/** Per step of stream negotiation (TCP, each stream header, STARTTLS). */
const CONNECT_TIMEOUT_MS = 10_000;
/** The whole sign-in, from TCP connect to bound; a server that stalls in between gets no longer. */
const SIGN_IN_TIMEOUT_MS = 30_000;
/** How long a sign-out waits for the server to close the stream before cutting the socket. */
const STOP_GRACE_MS = 2_000;
/** Largest CA file read: a bundle of a few hundred certificates fits; /dev/zero does not. */
export const MAX_CA_FILE_BYTES = 1024 * 1024;

/** What a successful login pins for the sign-ins after it (see SignInOptions). */
export function pinsOfLogin(login: LoginRecord | undefined): Pick<SignInOptions, 'requireScram' | 'requireChannelBinding'> {
  return {
    ...(login?.mechanism.startsWith('SCRAM-') ? { requireScram: true } : {}),
    ...(login?.channelBinding?.startsWith('p=') ? { requireChannelBinding: true } : {}),
  };
}

/** Where and as whom to sign in: kept while signed in or reconnecting, so a reconnect signs in the same way. */
interface Target {
  params: ConnectParams;
  /** What the remembered account asks of every sign-in, reconnects included (the SCRAM and -PLUS pins),
   *  tightened to what this session's last login used. */
  signIn: SignInOptions;
  extraCa: string[];
  account: string;
  local: string;
  domain: string;
  /** host:port, for messages. */
  server: string;
}

/** One connection attempt, from its start until it is stopped; at most one exists at a time. */
interface Connection {
  client: XmppClient;
  /** Set once teardown began: nothing from this connection may change the session any more. */
  stopped: boolean;
  /** Makes a pending sign-in fail (the connection was replaced or signed out). */
  abort(error: KeyringError): void;
  /** The XEP-0199 watch, once the stream is online. */
  liveness?: Liveness;
}

export class AccountSession {
  #connection: Connection | undefined;
  /** Bumped by every connect() and disconnect(): only the newest call may change the session. */
  #generation = 0;
  /** Teardowns still running: a new connection starts only after the old one is completely gone. */
  #stopping: Promise<void> = Promise.resolve();
  #state: ConnectionState = { status: 'offline' };
  /** SessionPort.sessionGeneration: bumped as each connection is opened, before the server can say anything on it. */
  #sessionGeneration = 0;
  #target: Target | undefined;
  /** Failed reconnect attempts since the stream was lost; picks the backoff. */
  #attempt = 0;
  #retryTimer: NodeJS.Timeout | undefined;
  #attempting = false;
  #domain = '';
  /** The support check's answer for the current connection (asked once, XEP-0222 §5). */
  #support: Promise<PepSupport> | undefined;
  readonly #deps: AccountSessionDeps;
  /** Protocol events, which the composition root (main/core.ts) routes to the services. */
  readonly events = new SessionEvents();
  /** IQ requests on whichever connection is live when each is sent; 'not-connected' while offline. */
  readonly iq: Iq = {
    get: (element, to, timeout) => this.#request((client) => client.iqCaller.get(element, to, timeout)),
    set: (element, to, timeout) => this.#request((client) => client.iqCaller.set(element, to, timeout)),
  };

  constructor(deps: AccountSessionDeps) {
    this.#deps = deps;
  }

  get state(): ConnectionState {
    return this.#state;
  }

  get sessionGeneration(): number {
    return this.#sessionGeneration;
  }

  /**
   * Signs in. A connect replaces the one in progress, the live one or a pending reconnect: that one is
   * stopped completely (socket closed, timers cleared, waiting requests failed) before the new one
   * starts, and a replaced connect() fails with 'not-connected'.
   */
  async connect(params: ConnectParams, options: SignInOptions = {}): Promise<ConnectionState> {
    const generation = ++this.#generation;
    this.#cancelRetry();
    const address = parseBareJid(params.jid);
    const caPem = options.caPem ?? (params.caFile ? await readCaFile(params.caFile) : undefined);
    const extraCa = [...(this.#deps.extraCa ?? []), ...(caPem !== undefined ? [caPem] : [])];
    if (generation !== this.#generation) throw replaced();
    await this.#stop();
    if (generation !== this.#generation) throw replaced();

    const host = params.host ?? address.domain;
    const port = params.port ?? DEFAULT_PORT;
    const account = `${address.local}@${address.domain}`;
    const target: Target = { params, signIn: options, extraCa, account, local: address.local, domain: address.domain, server: `${host}:${port}` };
    this.#target = target;
    this.#domain = address.domain;
    this.#attempt = 0;
    this.#transition({ type: 'sign-in', account });
    try {
      await this.#open(target, generation);
    } catch (error) {
      if (generation !== this.#generation) throw replaced();
      const failure = classifyConnectionError(error, target.server);
      this.#target = undefined;
      this.#transition({ type: 'refused', error: failure.toIpcError() });
      throw failure;
    }
    this.events.emit('online');
    return this.#state;
  }

  /** Signs out: no socket, reconnect timer or waiting request is left behind, whatever state it was in. */
  async disconnect(): Promise<ConnectionState> {
    ++this.#generation;
    this.#cancelRetry();
    this.#target = undefined;
    const active = this.#connection !== undefined || ['connecting', 'online', 'reconnecting'].includes(this.#state.status);
    await this.#stop();
    if (active) this.#transition({ type: 'signed-out' });
    return this.#state;
  }

  /**
   * "Reconnect now", or the OS saying the network or the machine is back: while reconnecting, the next
   * attempt starts at once; while online, the stream is pinged now (it may have died while asleep).
   */
  reconnectNow(): ConnectionState {
    if (this.#state.status === 'reconnecting' && !this.#attempting) void this.#attemptReconnect(this.#generation);
    else if (this.#state.status === 'online') this.#connection?.liveness?.checkNow();
    return this.#state;
  }

  /**
   * Makes one connection and signs it in: authenticated, bound, initial presence sent. On success it is
   * the session's live connection and the state is 'online'; on failure nothing of it is left.
   */
  async #open(target: Target, generation: number): Promise<void> {
    const { params, server, account } = target;
    // Before the stream starts: what its server sends at once (pending subscription requests right after
    // initial presence, RFC 6121 §3.1.3) already belongs to it, not to the stream before.
    this.#sessionGeneration++;
    const client = createXmppClient({
      service: `xmpp://${server}`,
      domain: target.domain,
      username: target.local,
      password: params.password, // never logged
      resource: `keyring-${randomBytes(4).toString('hex')}`,
      extraCa: target.extraCa,
      timeout: CONNECT_TIMEOUT_MS,
      log: this.#deps.log,
      ...(this.#deps.streamLog ? { streamLog: this.#deps.streamLog } : {}),
      ...(target.signIn.requireChannelBinding ? { requireChannelBinding: true } : {}),
      ...(target.signIn.requireScram ? { requireScram: true } : {}),
    });
    let abort: (error: KeyringError) => void = () => undefined;
    const aborted = new Promise<never>((_resolve, reject) => (abort = reject));
    aborted.catch(() => undefined);
    const connection: Connection = { client, stopped: false, abort };
    this.#connection = connection;
    this.#support = undefined;
    // An 'error' event without a listener would crash the process; every error lands here. While signing
    // in, start() below fails with it; once online, a stream error ends the stream (#watch).
    client.entity.on('error', (error: unknown) => this.#deps.log.warn(`xmpp error (${account}): ${describe(error)}`));
    // A socket closed during the sign-in ends the attempt now, not at the deadline.
    const closed = new Promise<never>((_resolve, reject) =>
      client.entity.once('disconnect', () => reject(new KeyringError('server-unreachable', `${server} closed the connection during the sign-in.`))),
    );
    closed.catch(() => undefined);
    this.#wireProtocol(client, account);

    try {
      await withDeadline(Promise.race([client.entity.start(), aborted, closed]), SIGN_IN_TIMEOUT_MS, `${server} did not finish the sign-in within ${SIGN_IN_TIMEOUT_MS / 1000} s.`);
      // RFC 6121 §4.2 initial presence; its XEP-0115 caps tell PEP services which +notify events we want.
      await Promise.race([client.entity.send(xml('presence', {}, capsElement())), aborted, closed]);
    } catch (error) {
      const failure = connection.stopped ? replaced() : classifyConnectionError(error, server, serverName(target));
      if (this.#connection === connection) this.#connection = undefined;
      await this.#teardown(connection, { graceful: !isSecurityFailure(failure) });
      throw failure;
    }
    if (connection.stopped || generation !== this.#generation) throw replaced();
    // Every reconnect of this session asks at least what this sign-in used: a connection cut on purpose
    // must not bring the next attempt down to PLAIN, or to SCRAM without binding (sasl-login.ts pins).
    target.signIn = { ...target.signIn, ...pinsOfLogin(client.login.last) };
    this.#watch(connection, server);
    this.#transition({ type: 'bound', boundJid: String(client.entity.jid) });
  }

  /** Whatever ends the live stream leaves 'online' at once, with its cause. */
  #watch(connection: Connection, server: string): void {
    const { client } = connection;
    const { entity } = client;
    let lastError: unknown;
    const lose = (cause: KeyringError): void => this.#lost(connection, cause);
    entity.on('error', (error: unknown) => {
      lastError = error;
      // RFC 6120 §4.9: stream errors are unrecoverable (system-shutdown, conflict, …): the stream is over
      // now, not once xmpp.js has finished closing it.
      if (error instanceof Error && error.name === 'StreamError') lose(classifyConnectionError(error, server));
    });
    // xmpp.js leaves 'online' when the socket closes, the server closes the stream, or the stream is
    // being closed after an error.
    entity.on('status', (status: string) => {
      if (status === 'online') return;
      lose(
        lastError === undefined
          ? new KeyringError('server-unreachable', `${server} closed the connection.`)
          : classifyConnectionError(lastError, server),
      );
    });
    connection.liveness = watchLiveness({
      times: this.#deps.liveness ?? DEFAULT_LIVENESS,
      onInbound: (listener) => {
        entity.on('element', listener);
        return () => entity.off('element', listener);
      },
      onUnanswered: client.onUnanswered,
      ping: (element, timeout) => client.iqCaller.get(element, undefined, timeout),
      dead: lose,
      oldestPending: client.oldestPending,
      // Only this connection's, while it is the live one: an older stream's watch says nothing.
      silent: (since) => {
        if (this.#connection === connection && !connection.stopped) this.#transition({ type: 'silent', since });
      },
      heard: () => {
        if (this.#connection === connection && !connection.stopped) this.#transition({ type: 'heard' });
      },
    });
  }

  /** The live stream ended: tear it down and reconnect after the backoff. */
  #lost(connection: Connection, cause: KeyringError): void {
    if (this.#connection !== connection || connection.stopped) return;
    this.#deps.log.warn(`connection lost (${this.#state.account ?? ''}): ${cause.message}`);
    this.#connection = undefined;
    const teardown = this.#teardown(connection, { graceful: false });
    this.#stopping = Promise.all([this.#stopping, teardown]).then(() => undefined);
    this.#attempt = 0;
    this.#scheduleRetry(cause);
  }

  #scheduleRetry(cause: KeyringError): void {
    const generation = this.#generation;
    const delay = (this.#deps.retryDelay ?? reconnectDelay)(this.#attempt);
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => void this.#attemptReconnect(generation), delay);
    this.#transition({ type: 'lost', cause: cause.toIpcError(), attempt: this.#attempt, nextAttemptAt: Date.now() + delay, at: Date.now() });
  }

  #cancelRetry(): void {
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
  }

  /** One reconnect attempt; a failure a retry can fix schedules the next, any other stops. */
  async #attemptReconnect(generation: number): Promise<void> {
    const target = this.#target;
    if (generation !== this.#generation || !target || this.#attempting) return;
    this.#cancelRetry();
    this.#attempting = true;
    this.#transition({ type: 'attempt', attempt: this.#attempt });
    try {
      await this.#stopping;
      if (generation !== this.#generation) return;
      await this.#open(target, generation);
    } catch (error) {
      if (generation !== this.#generation) return;
      const failure = classifyConnectionError(error, target.server);
      this.#deps.log.warn(`reconnect to ${target.server} failed: ${failure.message}${systemCode(failure)}`);
      if (stopsReconnecting(failure.code)) {
        this.#target = undefined;
        this.#transition({ type: 'refused', error: failure.toIpcError() });
        return;
      }
      this.#attempt++;
      this.#scheduleRetry(failure);
      return;
    } finally {
      this.#attempting = false;
    }
    this.#attempt = 0;
    // A new stream: services catch up (roster, presence, the queue of writes made while offline).
    this.events.emit('online');
  }

  /** Stops the current connection, if any, and waits for every teardown still running. */
  async #stop(): Promise<void> {
    const connection = this.#connection;
    this.#connection = undefined;
    if (connection) {
      const teardown = this.#teardown(connection, { graceful: true });
      this.#stopping = Promise.all([this.#stopping, teardown]).then(() => undefined);
    }
    await this.#stopping;
  }

  async #teardown(connection: Connection, options: { graceful: boolean }): Promise<void> {
    if (connection.stopped) return;
    connection.stopped = true;
    const { client } = connection;
    connection.abort(replaced());
    connection.liveness?.stop();
    client.rejectPending(new KeyringError('not-connected', 'The connection closed before the server answered.'));
    await closeConnection(client, options.graceful, (error) => this.#deps.log.warn(`disconnect: ${describe(error)}`));
  }

  /** Everything we answer and listen for on a new connection, before it goes online. */
  #wireProtocol(client: XmppClient, account: string): void {
    answerDiscoInfo(client.iqCallee, OWN_DISCO);
    answerRosterPushes(client.iqCallee, () => account, (push) => this.events.emit('roster', push));
    // Before the PEP listener, which keeps the notifications it delivers; this one only looks.
    listenForOwnNodeChanges(client.middleware, account, OWN_PUBLISHED_NODES, (c) => this.events.emit('ownNodeChanged', c));
    listenForPepNotifications(client.middleware, NOTIFY_NODES, (n) => this.events.emit('pep', n));
    client.middleware.use((context, next) => {
      const stanza = context.stanza;
      if (stanza.name !== 'presence') return next();
      const from = stanza.attrs.from ?? '';
      const bare = from.split('/')[0] ?? '';
      const type = stanza.attrs.type;
      if (type === undefined || type === 'unavailable') {
        this.events.emit('presence', { from, bare, available: type === undefined });
      } else if (type === 'subscribe') {
        this.events.emit('subscriptionRequest', { from: bare, account });
      }
      return next();
    });
  }

  /** Sends a stanza on the live connection. */
  async send(stanza: ReturnType<typeof xml>): Promise<void> {
    await this.#request((client) => client.entity.send(stanza));
  }

  /**
   * Runs a request on the live connection. Whatever the transport throws because the connection went
   * away meanwhile (a socket already gone: "Cannot read properties of null") becomes 'not-connected';
   * the server's own answers (StanzaError) and our classified errors pass unchanged.
   */
  async #request<T>(work: (client: XmppClient) => Promise<T>): Promise<T> {
    const connection = this.#live();
    try {
      return await work(connection.client);
    } catch (error) {
      if (error instanceof KeyringError || (error instanceof Error && error.name === 'StanzaError')) throw error;
      this.#deps.log.warn(`request failed on the transport: ${describe(error)}`);
      throw new KeyringError('not-connected', 'The connection to the server was lost before the request went out; the app is reconnecting.', undefined, {
        cause: error,
      });
    }
  }

  /** XEP-0222 §5: can this account's server store data the XEP-0222 way? Asked once per connection. */
  async checkSupport(): Promise<PepSupport> {
    const client = this.#live().client;
    const account = this.#state.account;
    if (!account) throw new KeyringError('not-connected', 'Not connected.');
    this.#support ??= discoverPepSupport(client.iqCaller, account, this.#domain);
    try {
      return await this.#support;
    } catch (error) {
      this.#support = undefined;
      throw error;
    }
  }

  /** Refuses, naming what is missing, unless the server has PEP with publish-options. */
  async requireXep0222Support(): Promise<void> {
    const missing = describeMissingSupport(await this.checkSupport());
    if (missing) throw new KeyringError('pep-unsupported', missing);
  }

  /** The live connection (its xmpp.js parts, for tests and diagnosis); throws 'not-connected' while offline. */
  get client(): XmppClient {
    return this.#live().client;
  }

  /** How the current connection signed in (mechanism, channel binding); undefined before it did. */
  get lastLogin(): LoginRecord | undefined {
    return this.#connection?.client.login.last;
  }

  /** The account's bare JID, once an account signed in (its PEP service address). */
  get ownJid(): string {
    const account = this.#state.account;
    if (!account) throw new KeyringError('not-connected', 'Connect the account first.');
    return account;
  }

  #live(): Connection {
    const connection = this.#connection;
    if (connection && this.#state.status === 'online' && !connection.stopped && connection.client.entity.status === 'online') return connection;
    if (this.#state.status === 'reconnecting') {
      throw new KeyringError('not-connected', 'The connection to the server is down; the app is reconnecting.');
    }
    throw new KeyringError('not-connected', 'Connect the account first.');
  }

  #transition(event: ConnectionEvent): void {
    const wasOnline = this.#state.status === 'online';
    this.#state = nextConnectionState(this.#state, event);
    this.#deps.events.emit('account:state', this.#state);
    if (wasOnline && this.#state.status !== 'online') this.events.emit('offline');
  }
}

/** The name connected to, and the field it came from: the Server host when one was typed, else the address's domain. */
function serverName(target: Target): ServerName {
  return target.params.host !== undefined ? { name: target.params.host, from: 'host' } : { name: target.domain, from: 'jid' };
}

function parseBareJid(text: string): { local: string; domain: string } {
  let parsed;
  try {
    parsed = jid(text);
  } catch {
    throw new KeyringError('invalid-argument', 'That is not a valid XMPP address.', 'jid');
  }
  if (!parsed.local || parsed.resource) {
    throw new KeyringError('invalid-argument', `${parsed.resource ? ADDRESS_WORDS.resource : ADDRESS_WORDS.shape}.`, 'jid');
  }
  return { local: parsed.local, domain: parsed.domain };
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

/** Why the CA file could not be read, in words (the errno code only where no words fit). */
function unreadableBecause(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return 'was not found: check the path.';
    case 'EACCES':
    case 'EPERM':
      return 'cannot be opened: this app is not allowed to read it.';
    case 'EISDIR':
      return 'is a folder: choose the certificate file inside it.';
    default:
      return `cannot be read (system error ${code ?? 'unknown'}).`;
  }
}

/**
 * Reads the extra CA file: a regular file of at most MAX_CA_FILE_BYTES. Opened without blocking and
 * checked on the open descriptor (fstat), so a FIFO cannot hang the thread pool, a device such as
 * /dev/zero is never read, and the file cannot be swapped between the check and the read.
 */
export async function readCaFile(path: string): Promise<string> {
  const fail = (why: string) => new KeyringError('invalid-argument', `The CA file ${why}`, 'caFile');
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (error) {
    throw fail(unreadableBecause(error));
  }
  try {
    const info = await handle.stat();
    if (info.isDirectory()) throw fail('is a folder: choose the certificate file inside it.');
    if (!info.isFile()) throw fail('is not a regular file.');
    if (info.size > MAX_CA_FILE_BYTES) throw fail(`is over ${MAX_CA_FILE_BYTES / 1024 / 1024} MiB; a CA certificate is a few KiB.`);
    // Read one byte more than allowed: a file that grew since fstat is refused too.
    const buffer = Buffer.alloc(MAX_CA_FILE_BYTES + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > MAX_CA_FILE_BYTES) throw fail(`is over ${MAX_CA_FILE_BYTES / 1024 / 1024} MiB; a CA certificate is a few KiB.`);
    }
    const text = buffer.subarray(0, length).toString('utf8');
    if (!PEM_CERT.test(text)) throw fail('holds no PEM certificate.');
    return text;
  } catch (error) {
    if (error instanceof KeyringError) throw error;
    throw fail(unreadableBecause(error));
  } finally {
    await handle.close().catch(() => undefined);
  }
}

function replaced(): KeyringError {
  return new KeyringError('not-connected', 'This sign-in was replaced by a newer one, or signed out.');
}

function isSecurityFailure(error: KeyringError): boolean {
  return error.code === 'tls-required' || error.code === 'auth-required';
}

/** Rejects with a 'timeout' KeyringError when `work` takes longer than `ms`; the timer never outlives it. */
async function withDeadline<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new KeyringError('timeout', message)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Closes the stream (gracefully: `</stream:stream>` and a short wait for the server's) and then the
 * socket, whatever state the connection is in. A connection refused for security is cut without a word.
 */
async function closeConnection(client: XmppClient, graceful: boolean, onError: (error: unknown) => void): Promise<void> {
  const { entity } = client;
  // xmpp.js waits `entity.timeout` for each closing step; a sign-out should not wait 10 s on a silent server.
  entity.timeout = STOP_GRACE_MS;
  if (!graceful) destroySocket(entity.socket);
  const socket = entity.socket;
  try {
    await entity.stop();
  } catch (error) {
    onError(error);
  }
  destroySocket(socket);
  destroySocket(entity.socket);
}

/** The transport under xmpp.js's socket: a net.Socket, or the TLS wrapper holding a TLSSocket. */
function destroySocket(socket: unknown): void {
  if (typeof socket !== 'object' || socket === null) return;
  const inner = (socket as { socket?: unknown }).socket;
  if (typeof inner === 'object' && inner !== null && 'destroy' in inner) (inner as { destroy(): void }).destroy();
  if ('destroy' in socket && typeof (socket as { destroy?: unknown }).destroy === 'function') (socket as { destroy(): void }).destroy();
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** The system's code behind a failure said in words (" [ECONNREFUSED]"), for the log only. */
function systemCode(failure: Error): string {
  const code: unknown = (failure.cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? ` [${code}]` : '';
}
