/**
 * The account's XMPP session: connect, keep the connection state, disconnect. One per account.
 * Plain TypeScript over xmpp.js: no Electron, so the CLI, the browser host and tests use it as is.
 */
import { readFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import jid from '@xmpp/jid';
import xml from '@xmpp/xml';
import type { ConnectParams, ConnectionState, PepSupport } from '../../preload/contract.js';
import type { AppEvents } from '../events.js';
import { KeyringError } from '../errors.js';
import type { Logger } from '../logger.js';
import { createXmppClient, type XmppClient } from './client.js';
import { classifyConnectionError } from './connection-errors.js';
import { describeMissingSupport, discoverPepSupport } from './pep-support.js';
import { answerDiscoInfo, capsElement, OWN_DISCO } from './caps.js';
import { listenForPepNotifications } from './pep-events.js';
import { answerRosterPushes } from './roster.js';
import { NOTIFY_NODES } from './namespaces.js';
import { SessionEvents } from './session-events.js';
import { reconnectDelay } from './backoff.js';

export interface AccountSessionDeps {
  events: AppEvents;
  log: Logger;
  /** CA certificates (PEM) trusted in addition to the system's for every connection, e.g. from settings. */
  extraCa?: string[];
}

const DEFAULT_PORT = 5222;
const CONNECT_TIMEOUT_MS = 10_000;

export class AccountSession {
  #client: XmppClient | undefined;
  #state: ConnectionState = { status: 'offline' };
  #domain = '';
  /** The support check's answer for the current connection (asked once, XEP-0222 §5). */
  #support: Promise<PepSupport> | undefined;
  readonly #deps: AccountSessionDeps;
  /** Protocol events for the services built on the session (keys, roster, profile). */
  readonly events = new SessionEvents();

  constructor(deps: AccountSessionDeps) {
    this.#deps = deps;
  }

  get state(): ConnectionState {
    return this.#state;
  }

  async connect(params: ConnectParams): Promise<ConnectionState> {
    if (this.#client) {
      throw new KeyringError('already-connected', 'Already connected; disconnect first.');
    }
    const address = parseBareJid(params.jid);
    const extraCa = [...(this.#deps.extraCa ?? []), ...(params.caFile ? [await readCaFile(params.caFile)] : [])];
    const host = params.host ?? address.domain;
    const port = params.port ?? DEFAULT_PORT;
    const server = `${host}:${port}`;

    const client = createXmppClient({
      service: `xmpp://${host}:${port}`,
      domain: address.domain,
      username: address.local,
      password: params.password, // never logged
      resource: `keyring-${randomBytes(4).toString('hex')}`,
      extraCa,
      timeout: CONNECT_TIMEOUT_MS,
    });
    this.#client = client;
    this.#domain = address.domain;
    this.#support = undefined;
    const account = `${address.local}@${address.domain}`;
    this.#setState({ status: 'connecting', account });

    // An 'error' event without a listener would crash the process; every error lands here instead.
    client.entity.on('error', (error: unknown) => {
      this.#deps.log.warn(`xmpp error (${account}): ${describe(error)}`);
    });
    client.entity.on('offline', () => {
      if (this.#client === client) this.#setState({ status: 'offline', account });
    });
    // xmpp.js retries after a fixed delay; we back off exponentially instead (backoff.ts).
    let attempt = 0;
    client.entity.on('disconnect', () => {
      client.reconnect.delay = reconnectDelay(attempt++);
    });
    client.reconnect.on('reconnecting', () => this.#setState({ status: 'reconnecting', account }));
    let reconnecting = false;
    client.reconnect.on('reconnecting', () => (reconnecting = true));
    client.entity.on('online', (bound: unknown) => {
      attempt = 0;
      this.#setState({ status: 'online', account, boundJid: String(bound) });
      if (!reconnecting) return;
      // A new stream after a reconnect: announce ourselves again (caps, +notify), then let services
      // catch up (the offline queue runs here).
      reconnecting = false;
      void client.entity
        .send(xml('presence', {}, capsElement()))
        .then(() => this.events.emit('online'))
        .catch((error: unknown) => this.#deps.log.warn(`presence after reconnect: ${describe(error)}`));
    });
    this.#wireProtocol(client, account);

    try {
      await client.entity.start();
    } catch (error) {
      client.reconnect.stop();
      this.#client = undefined;
      await client.entity.stop().catch(() => undefined);
      const failure = classifyConnectionError(error, server);
      this.#setState({ status: 'failed', account, error: failure.toIpcError() });
      throw failure;
    }
    // RFC 6121 §4.2 initial presence; its XEP-0115 caps tell PEP services which +notify events we want.
    await client.entity.send(xml('presence', {}, capsElement()));
    this.events.emit('online');
    return this.#state;
  }

  async disconnect(): Promise<ConnectionState> {
    const client = this.#client;
    if (!client) return this.#state;
    this.#client = undefined;
    client.reconnect.stop();
    try {
      await client.entity.stop();
    } catch (error) {
      this.#deps.log.warn(`disconnect: ${describe(error)}`);
    }
    this.#setState({ status: 'offline', ...(this.#state.account ? { account: this.#state.account } : {}) });
    return this.#state;
  }

  /** Everything we answer and listen for on a new connection, before it goes online. */
  #wireProtocol(client: XmppClient, account: string): void {
    answerDiscoInfo(client.iqCallee, OWN_DISCO, (from) => this.events.emit('discoQueried', { from }));
    answerRosterPushes(client.iqCallee, () => account, (push) => this.events.emit('roster', push));
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

  /** The live connection, for protocol services; throws 'not-connected' while offline. */
  get client(): XmppClient {
    return this.#online();
  }

  /** The account's bare JID while connected (its PEP service address). */
  get bareJid(): string {
    const account = this.#state.account;
    if (!account) throw new KeyringError('not-connected', 'Connect the account first.');
    return account;
  }

  #online(): XmppClient {
    if (!this.#client || this.#state.status !== 'online') {
      throw new KeyringError('not-connected', 'Connect the account first.');
    }
    return this.#client;
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

async function readCaFile(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new KeyringError('invalid-argument', `Cannot read the CA file (${code}).`, 'caFile');
  }
  if (!PEM_CERT.test(text)) {
    throw new KeyringError('invalid-argument', 'The CA file holds no PEM certificate.', 'caFile');
  }
  return text;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
