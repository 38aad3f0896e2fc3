/**
 * The account's XMPP session: connect, keep the connection state, disconnect. One per account.
 * Plain TypeScript over xmpp.js: no Electron, so the CLI, the browser host and tests use it as is.
 */
import { jid, xml } from '@xmpp/client';
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import type { ConnectParams, ConnectionState, PepSupport } from '../../contract/index.js';
import type { AppEvents } from '../events.js';
import { KeyringError } from '../errors.js';
import type { Logger } from '../logger.js';
import { createXmppClient, type XmppClient } from './client.js';
import type { Iq } from './iq-requests.js';
import { classifyConnectionError } from './connection-errors.js';
import { describeMissingSupport, discoverPepSupport } from './pep-support.js';
import { answerDiscoInfo, capsElement, OWN_DISCO } from './caps.js';
import { listenForOwnNodeChanges, listenForPepNotifications } from './pep-events.js';
import { answerRosterPushes } from './roster.js';
import { NOTIFY_NODES, OWN_PUBLISHED_NODES } from './namespaces.js';
import { SessionEvents } from './session-events.js';
import { reconnectDelay } from './backoff.js';
import type { StreamLogSink } from './stream-log.js';

export interface AccountSessionDeps {
  events: AppEvents;
  log: Logger;
  /** CA certificates (PEM) trusted in addition to the system's for every connection, e.g. from settings. */
  extraCa?: string[];
  /** Writes the XMPP stream here, secrets redacted (the CLI's --debug, KEYRING_XMPP_LOG). */
  streamLog?: StreamLogSink;
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

/** One connection attempt, from connect() until it is stopped; at most one exists at a time. */
interface Connection {
  client: XmppClient;
  /** Set once teardown began: nothing from this connection may change the session any more. */
  stopped: boolean;
  /** Makes a pending sign-in fail (the connection was replaced or signed out). */
  abort(error: KeyringError): void;
}

export class AccountSession {
  #connection: Connection | undefined;
  /** Bumped by every connect() and disconnect(): only the newest call may change the session. */
  #generation = 0;
  /** Teardowns still running: a new connection starts only after the old one is completely gone. */
  #stopping: Promise<void> = Promise.resolve();
  #state: ConnectionState = { status: 'offline' };
  #domain = '';
  /** The support check's answer for the current connection (asked once, XEP-0222 §5). */
  #support: Promise<PepSupport> | undefined;
  readonly #deps: AccountSessionDeps;
  /** Protocol events, which the composition root (main/core.ts) routes to the services. */
  readonly events = new SessionEvents();
  /** IQ requests on whichever connection is live when each is sent; 'not-connected' while offline. */
  readonly iq: Iq = {
    get: (element, to, timeout) => this.#online().iqCaller.get(element, to, timeout),
    set: (element, to, timeout) => this.#online().iqCaller.set(element, to, timeout),
  };

  constructor(deps: AccountSessionDeps) {
    this.#deps = deps;
  }

  get state(): ConnectionState {
    return this.#state;
  }

  /**
   * Signs in. A connect replaces the one in progress or the live one: that one is stopped completely
   * (socket closed, reconnect timer cleared, waiting requests failed) before the new one starts, and a
   * replaced connect() fails with 'not-connected'.
   */
  async connect(params: ConnectParams): Promise<ConnectionState> {
    const generation = ++this.#generation;
    const address = parseBareJid(params.jid);
    const extraCa = [...(this.#deps.extraCa ?? []), ...(params.caFile ? [await readCaFile(params.caFile)] : [])];
    if (generation !== this.#generation) throw replaced();
    await this.#stop();
    if (generation !== this.#generation) throw replaced();

    const host = params.host ?? address.domain;
    const port = params.port ?? DEFAULT_PORT;
    const server = `${host}:${port}`;
    const account = `${address.local}@${address.domain}`;
    const client = createXmppClient({
      service: `xmpp://${host}:${port}`,
      domain: address.domain,
      username: address.local,
      password: params.password, // never logged
      resource: `keyring-${randomBytes(4).toString('hex')}`,
      extraCa,
      timeout: CONNECT_TIMEOUT_MS,
      log: this.#deps.log,
      ...(this.#deps.streamLog ? { streamLog: this.#deps.streamLog } : {}),
    });
    let abort: (error: KeyringError) => void = () => undefined;
    const aborted = new Promise<never>((_resolve, reject) => (abort = reject));
    aborted.catch(() => undefined);
    const connection: Connection = { client, stopped: false, abort };
    this.#connection = connection;
    this.#domain = address.domain;
    this.#support = undefined;
    this.#setState({ status: 'connecting', account });
    this.#wireConnection(connection, account);
    this.#wireProtocol(client, account);

    try {
      await withDeadline(Promise.race([client.entity.start(), aborted]), SIGN_IN_TIMEOUT_MS, `${server} did not finish the sign-in within ${SIGN_IN_TIMEOUT_MS / 1000} s.`);
      // RFC 6121 §4.2 initial presence; its XEP-0115 caps tell PEP services which +notify events we want.
      await Promise.race([client.entity.send(xml('presence', {}, capsElement())), aborted]);
    } catch (error) {
      if (connection.stopped && generation !== this.#generation) throw replaced();
      const failure = classifyConnectionError(error, server);
      if (this.#connection === connection) this.#connection = undefined;
      await this.#teardown(connection, { graceful: !isSecurityFailure(failure) });
      this.#setState({ status: 'failed', account, error: failure.toIpcError() });
      throw failure;
    }
    this.events.emit('online');
    return this.#state;
  }

  /** Signs out: no socket, reconnect timer or waiting request is left behind, whatever state it was in. */
  async disconnect(): Promise<ConnectionState> {
    ++this.#generation;
    const wasConnected = this.#connection !== undefined;
    await this.#stop();
    if (!wasConnected) return this.#state;
    this.#setState({ status: 'offline', ...(this.#state.account ? { account: this.#state.account } : {}) });
    return this.#state;
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
    client.reconnect.stop();
    client.rejectPending(new KeyringError('not-connected', 'The connection closed before the server answered.'));
    await closeConnection(client, options.graceful, (error) => this.#deps.log.warn(`disconnect: ${describe(error)}`));
  }

  /** Connection-level events: state, reconnects with backoff, and a downgrade on a reconnect. */
  #wireConnection(connection: Connection, account: string): void {
    const { client } = connection;
    const current = (): boolean => this.#connection === connection && !connection.stopped;
    // An 'error' event without a listener would crash the process; every error lands here instead.
    client.entity.on('error', (error: unknown) => {
      this.#deps.log.warn(`xmpp error (${account}): ${describe(error)}`);
      if (!current() || this.#state.status === 'connecting') return;
      // A reconnect that meets a server without TLS or login is an attack on a live session: stop.
      if (error instanceof KeyringError && isSecurityFailure(error)) {
        this.#connection = undefined;
        void this.#teardown(connection, { graceful: false }).then(() =>
          this.#setState({ status: 'failed', account, error: error.toIpcError() }),
        );
        return;
      }
      // Any other failure while reconnecting would leave the half-made stream hanging, with no further
      // attempt: cut it, so the reconnect starts over after its backoff.
      if (this.#state.status === 'reconnecting') destroySocket(client.entity.socket);
    });
    client.entity.on('offline', () => {
      if (current()) this.#setState({ status: 'offline', account });
    });
    // xmpp.js retries after a fixed delay; we back off exponentially instead (backoff.ts).
    let attempt = 0;
    let reconnecting = false;
    client.entity.on('disconnect', () => {
      client.reconnect.delay = reconnectDelay(attempt++);
      // Not online from the moment the connection is gone, not only once the next attempt starts.
      if (current() && this.#state.status === 'online') {
        reconnecting = true;
        this.#setState({ status: 'reconnecting', account });
      }
    });
    client.reconnect.on('reconnecting', () => {
      if (!current()) return;
      reconnecting = true;
      if (this.#state.status !== 'reconnecting') this.#setState({ status: 'reconnecting', account });
    });
    client.entity.on('online', (bound: unknown) => {
      if (connection.stopped) return;
      attempt = 0;
      this.#setState({ status: 'online', account, boundJid: String(bound) });
      if (!reconnecting) return;
      // A new stream after a reconnect: announce ourselves again (caps, +notify), then let services
      // catch up (the offline queue runs here).
      reconnecting = false;
      this.#support = undefined;
      void client.entity
        .send(xml('presence', {}, capsElement()))
        .then(() => this.events.emit('online'))
        .catch((error: unknown) => this.#deps.log.warn(`presence after reconnect: ${describe(error)}`));
    });
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
        this.events.emit('subscriptionRequest', { from: bare });
      }
      return next();
    });
  }

  /** Sends a stanza on the live connection. */
  async send(stanza: ReturnType<typeof xml>): Promise<void> {
    await this.#online().entity.send(stanza);
  }

  /** XEP-0222 §5: can this account's server store data the XEP-0222 way? Asked once per connection. */
  async checkSupport(): Promise<PepSupport> {
    const client = this.#online();
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
    return this.#online();
  }

  /** The account's bare JID, once an account signed in (its PEP service address). */
  get ownJid(): string {
    const account = this.#state.account;
    if (!account) throw new KeyringError('not-connected', 'Connect the account first.');
    return account;
  }

  #online(): XmppClient {
    if (!this.#connection || this.#state.status !== 'online') {
      throw new KeyringError('not-connected', 'Connect the account first.');
    }
    return this.#connection.client;
  }

  #setState(state: ConnectionState): void {
    this.#state = state;
    this.#deps.events.emit('account:state', state);
  }
}

function parseBareJid(text: string): { local: string; domain: string } {
  let parsed;
  try {
    parsed = jid(text);
  } catch {
    throw new KeyringError('invalid-argument', 'That is not a valid XMPP address.', 'jid');
  }
  if (!parsed.local || parsed.resource) {
    throw new KeyringError('invalid-argument', 'Enter an address like juliet@capulet.lit (no resource).', 'jid');
  }
  return { local: parsed.local, domain: parsed.domain };
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

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
    throw fail(`cannot be read (${(error as NodeJS.ErrnoException).code ?? 'unreadable'}).`);
  }
  try {
    const info = await handle.stat();
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
    throw fail(`cannot be read (${(error as NodeJS.ErrnoException).code ?? 'unreadable'}).`);
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
