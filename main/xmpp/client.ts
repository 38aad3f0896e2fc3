/**
 * Builds an xmpp.js client from its plugins, the way `@xmpp/client`'s `client()` does
 * (node_modules/@xmpp/client/index.js), with two differences that matter for a key manager:
 *
 * 1. STARTTLS verifies the server certificate against the system CAs *plus* an optional extra CA
 *    (a self-hosted server's, or the test CA). xmpp.js's own starttls plugin passes only `host` to
 *    `tls.connect`, so no extra CA could ever be trusted without turning verification off.
 * 2. Credentials are only ever sent over an encrypted stream (RFC 6120 §5.3.1 allows servers to offer
 *    SASL before TLS; we never accept that): authentication refuses to start on a plain socket.
 *
 * FAST (XEP-0484) is left out: it needs a token store, which belongs to the vault.
 */
import { Client, type ClientOptions } from '@xmpp/client-core';
import _reconnect, { type Reconnect } from '@xmpp/reconnect';
import _tcp from '@xmpp/tcp';
import _tls from '@xmpp/tls';
import _middleware, { type MiddlewareApi } from '@xmpp/middleware';
import _streamFeatures from '@xmpp/stream-features';
import _iqCaller, { type IqCaller } from '@xmpp/iq/caller.js';
import _iqCallee, { type IqCallee } from '@xmpp/iq/callee.js';
import { canUpgrade, upgrade } from '@xmpp/starttls/starttls.js';
import _sasl2 from '@xmpp/sasl2';
import _sasl from '@xmpp/sasl';
import _resourceBinding from '@xmpp/resource-binding';
import _streamManagement from '@xmpp/stream-management';
import _bind2 from '@xmpp/client-core/src/bind2/bind2.js';
import SASLFactory from 'saslmechanisms';
import scramsha1 from '@xmpp/sasl-scram-sha-1';
import plain from '@xmpp/sasl-plain';
import xml from '@xmpp/xml';
import { NS } from './namespaces.js';
import { KeyringError } from '../errors.js';
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';

export interface XmppClientOptions {
  /** Server address to connect to, e.g. `xmpp://127.0.0.1:5222` (no SRV lookup). */
  service: string;
  /** The account's domain: the stream's `to`, and the name the server certificate must carry. */
  domain: string;
  username: string;
  password: string;
  resource?: string;
  /** Extra trusted CA certificates (PEM), in addition to Node's bundled roots. */
  extraCa?: string[];
  /** Per-step timeout for stream negotiation, ms. */
  timeout?: number;
}

export interface XmppClient {
  entity: Client;
  middleware: MiddlewareApi;
  iqCaller: IqCaller;
  iqCallee: IqCallee;
  reconnect: Reconnect;
}

export function createXmppClient(options: XmppClientOptions): XmppClient {
  const clientOptions: ClientOptions = { service: options.service, domain: options.domain };
  if (options.timeout !== undefined) clientOptions.timeout = options.timeout;
  const entity = new Client(clientOptions);

  const reconnect = _reconnect({ entity });
  _tcp({ entity });
  _tls({ entity });

  const middleware = _middleware({ entity });
  const streamFeatures = _streamFeatures({ middleware });
  const iqCaller = _iqCaller({ middleware, entity });
  guardEarlyReplies(iqCaller);
  const iqCallee = _iqCallee({ middleware, entity });

  // Order matters: stream features are negotiated in registration order (TLS, then SASL, then bind).
  streamFeatures.use('starttls', NS.tls, async ({ entity: conn }, next) => {
    const socket = conn.socket;
    if (!canUpgrade(socket)) return next();
    // RFC 6120 §5.4.2.3: send <starttls/>, the server answers <proceed/>.
    const answer = await (conn as unknown as SendReceive).sendReceive(xml('starttls', { xmlns: NS.tls }));
    if (!answer.is('proceed', NS.tls)) {
      throw new KeyringError('tls-required', 'The server refused to start TLS.');
    }
    const tlsSocket = await upgrade(socket, {
      host: options.domain,
      servername: options.domain,
      // Node verifies the chain and the host name (RFC 6125) by default; we only add trust anchors.
      ...(options.extraCa && options.extraCa.length > 0
        ? { secureContext: secureContextWith(options.extraCa) }
        : {}),
    });
    (conn as unknown as AttachSocket)._attachSocket(tlsSocket);
    await conn.restart();
  });

  const saslFactory = new SASLFactory();
  // Mechanism preference: SCRAM first; PLAIN is only ever chosen on an encrypted stream.
  scramsha1(saslFactory);
  plain(saslFactory);

  const credentials = { username: options.username, password: options.password };
  const onAuthenticate = async (
    authenticate: (creds: typeof credentials, mechanism: string, userAgent?: unknown) => Promise<void>,
    mechanisms: string[],
    _fast: unknown,
    conn: Client,
  ): Promise<void> => {
    if (!conn.isSecure()) {
      throw new KeyringError(
        'tls-required',
        'The server offered to log in without encryption; refusing to send the password.',
      );
    }
    const mechanism = mechanisms.find((m) => m.startsWith('SCRAM-')) ?? mechanisms[0];
    if (mechanism === undefined) throw new KeyringError('auth-failed', 'The server offers no usable login method.');
    await authenticate(credentials, mechanism);
  };

  const sasl2 = _sasl2({ streamFeatures, saslFactory }, onAuthenticate);
  const bind2 = _bind2({ sasl2, entity }, options.resource);
  sasl2.setup({ fast: undefined });
  _sasl({ streamFeatures, saslFactory }, onAuthenticate);
  _streamManagement({ streamFeatures, entity, middleware, bind2, sasl2 });
  _resourceBinding({ iqCaller, streamFeatures }, options.resource);

  // XEP-0199: answer pings so servers that probe liveness keep us.
  iqCallee.get(NS.ping, 'ping', () => ({}));

  return { entity, middleware, iqCaller, iqCallee, reconnect };
}

/**
 * xmpp.js's IQ caller registers a deferred per request, then awaits `entity.send()` before it listens to
 * that deferred. With stream management, `send()` can settle after the server's reply has arrived, so an
 * error reply rejects a promise nobody listens to yet: Node reports an unhandled rejection although the
 * caller does receive the error a moment later. Marking each deferred as observed at registration keeps
 * the error flowing to the caller and keeps the process free of false unhandled rejections.
 */
function guardEarlyReplies(iqCaller: IqCaller): void {
  const handlers = (iqCaller as unknown as { handlers?: Map<string, { promise: Promise<unknown> }> }).handlers;
  if (!handlers) return;
  const set = handlers.set.bind(handlers);
  handlers.set = (id, deferred) => {
    deferred.promise.catch(() => undefined);
    return set(id, deferred);
  };
}

interface SendReceive {
  sendReceive(element: ReturnType<typeof xml>): Promise<ReturnType<typeof xml>>;
}
interface AttachSocket {
  _attachSocket(socket: unknown): void;
}

/** Passing `ca` replaces Node's default roots, so the extra CA is added to them, not swapped in. */
function withSystemRoots(extraCa: string[]): string[] {
  return [...rootCertificates, ...extraCa];
}

/**
 * The TLS context that trusts the system roots plus `extraCa`, made once per set of CAs: building one
 * parses every root certificate, ~20 ms of CPU, which each connection and reconnection would repeat.
 */
const secureContexts = new Map<string, SecureContext>();
const MAX_SECURE_CONTEXTS = 8;

function secureContextWith(extraCa: string[]): SecureContext {
  const key = extraCa.join('\n');
  let context = secureContexts.get(key);
  if (!context) {
    context = createSecureContext({ ca: withSystemRoots(extraCa) });
    secureContexts.set(key, context);
    if (secureContexts.size > MAX_SECURE_CONTEXTS) secureContexts.delete(secureContexts.keys().next().value as string);
  }
  return context;
}
