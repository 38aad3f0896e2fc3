/**
 * Builds an xmpp.js client from its plugins, the way `@xmpp/client`'s `client()` does
 * (@xmpp/client's index.js). `client()` wires its plugins with fixed choices, and some of
 * them do not fit a key manager, so the client is composed here from the same parts (from
 * `@xmpp/client` itself the app takes `xml` and `jid`); each part composed differently, and why:
 *
 * 1. Encryption and login come before anything else (stream-guard.ts): a server that does not offer
 *    STARTTLS, or no SASL once encrypted, is left before a stanza is sent or one of its stanzas is read.
 * 2. STARTTLS verifies the server certificate against the system CAs *plus* an optional extra CA
 *    (a self-hosted server's, or the test CA). xmpp.js's own starttls plugin passes only `host` to
 *    `tls.connect`, so no extra CA could ever be trusted without turning verification off.
 * 3. Credentials are only ever sent over an encrypted stream (RFC 6120 §5.3.1 allows servers to offer
 *    SASL before TLS; we never accept that): authentication refuses to start on a plain socket.
 *    The login is our own (sasl-login.ts): SCRAM with Node's PBKDF2, the server's SCRAM signature
 *    checked, channel binding (-PLUS) whenever the server offers it.
 * 4. IQ replies count only from the entity asked (iq-requests.ts), through a caller and a middleware
 *    (middleware.ts) of our own that cost a fraction of xmpp.js's per stanza.
 * 5. Resource binding declares the stream online only after stream management is enabled
 *    (bindResource, goOnlineAfterStreamManagement below), and a lost stream is not resumed.
 * 6. An optional stream log for diagnosis, with every secret redacted (stream-log.ts).
 * 7. The server's bytes are read correctly wherever TCP or TLS cuts them (stream-reader.ts): xmpp.js
 *    decodes each chunk on its own and its parser loses a stream header cut inside `<?xml …?>`. Bytes
 *    that are not well-formed XML end the stream, not the process, and a stanza nested too deep to walk
 *    safely is dropped (answerTooDeep below). A stanza too large ends the stream, with limits strict
 *    until the guard (point 1) trusts the stream.
 *
 * 8. No reconnect plugin: a lost stream is never revived on the same client. The session (session.ts)
 *    makes a new client for every attempt, signed in from scratch like the first.
 * 9. Stream errors are read by our own reader (stream-errors.ts): a see-other-host redirect is never
 *    followed (the client connects only to the server the account names, RFC 6120 §4.9.3.19 allows
 *    that), and a stream error without a condition fails the stream instead of throwing.
 *
 * FAST (XEP-0484) is left out: it needs a token store, which belongs to the vault.
 */
import { jid, xml } from '@xmpp/client';
import type { Client, ClientOptions } from '@xmpp/client-core';
import type { MiddlewareApi } from '@xmpp/middleware';
import type { Element } from '@xmpp/xml';
import _streamFeatures, { type StreamFeatures } from '@xmpp/stream-features';
import type { IqCaller } from '@xmpp/iq/caller.js';
import _iqCallee, { type IqCallee } from '@xmpp/iq/callee.js';
import { canUpgrade, upgrade } from '@xmpp/starttls/starttls.js';
import _streamManagement from '@xmpp/stream-management';
import _bind2 from '@xmpp/client-core/src/bind2/bind2.js';
import { NS } from './namespaces.js';
import { BoundedMap } from '../bounded-map.js';
import { KeyringError } from '../errors.js';
import type { Logger } from '../logger.js';
import { guardStream } from './stream-guard.js';
import { tlsIdentity } from './ip-literal.js';
import { readStreamErrors } from './stream-errors.js';
import { createSaslLogin, SASL_MECHANISMS, type SaslLogin } from './sasl-login.js';
import { createIqRequests, type IqRequests } from './iq-requests.js';
import { createMiddleware } from './middleware.js';
import { attachStreamLog, type StreamLogSink } from './stream-log.js';
import { ChunkSafeClient, chunkSafeTransports, DROPPED_TOO_DEEP, MAX_STANZA_DEPTH } from './stream-reader.js';
import { oneLine } from '../untrusted-text.js';
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
  log: Logger;
  /** Where to write the stream, for diagnosis (nothing when absent). */
  streamLog?: StreamLogSink;
  /** Refuse a login offer without SCRAM -PLUS (the server offered one before): sasl-login.ts. */
  requireChannelBinding?: boolean;
  /** Refuse a login offer of PLAIN without SCRAM (the account signed in with SCRAM before): sasl-login.ts. */
  requireScram?: boolean;
}

export interface XmppClient {
  entity: Client;
  middleware: MiddlewareApi;
  iqCaller: IqCaller;
  iqCallee: IqCallee;
  /** Fails every IQ request still waiting (the connection is gone). */
  rejectPending: (error: KeyringError) => void;
  /** Tells of every IQ request that timed out, with when it was sent (iq-requests.ts). */
  onUnanswered: IqRequests['onUnanswered'];
  oldestPending: IqRequests['oldestPending'];
  /** How the last successful sign-in went (mechanism, channel binding). */
  login: Pick<SaslLogin, 'last'>;
}

export function createXmppClient(options: XmppClientOptions): XmppClient {
  const clientOptions: ClientOptions = { service: options.service, domain: options.domain };
  if (options.timeout !== undefined) clientOptions.timeout = options.timeout;
  const entity = new ChunkSafeClient(clientOptions);

  if (options.streamLog) {
    // The password is also scrubbed from every line, in case a server echoes it somewhere unexpected.
    attachStreamLog(entity, options.streamLog, { label: `${options.username}@${options.domain}`, secrets: [options.password] });
  }

  chunkSafeTransports({ entity });
  readStreamErrors({ entity });
  entity.on(DROPPED_TOO_DEEP, (stanza: Element) => answerTooDeep(entity, stanza, options.log));

  const middleware = createMiddleware({ entity });
  // Order matters. Incoming elements go through the middleware in registration order: a running login
  // takes the server's SASL replies first, and lets a <success/> on only once the server proved itself;
  // the guard sees every other element first; stream management counts every stanza before anyone
  // consumes it (XEP-0198 §4: 'h' counts all handled stanzas, IQ replies included); only then the IQ
  // reply check and caller. Stream features are negotiated in the same order: TLS, SASL, then binding
  // with stream management.
  const login = createSaslLogin({
    entity,
    domain: options.domain,
    username: options.username,
    password: options.password, // never logged
    log: options.log,
    starting: () => guard.saslStarting(),
    ...(options.requireChannelBinding ? { requireChannelBinding: true } : {}),
    ...(options.requireScram ? { requireScram: true } : {}),
  });
  middleware.use(login.incoming);
  const guard = guardStream({ entity, middleware, domain: options.domain, mechanisms: SASL_MECHANISMS, log: options.log });
  // The stream reader's size limits are strict until the guard trusts the stream (stream-reader.ts, point 5).
  entity.streamTrusted = () => guard.trusted;
  const streamFeatures = _streamFeatures({ middleware });

  streamFeatures.use('starttls', NS.tls, async ({ entity: conn }, next) => {
    const socket = conn.socket;
    if (!canUpgrade(socket)) return next();
    // RFC 6120 §5.4.2.3: send <starttls/>, the server answers <proceed/>.
    const answer = await (conn as unknown as SendReceive).sendReceive(xml('starttls', { xmlns: NS.tls }));
    if (!answer.is('proceed', NS.tls)) {
      throw new KeyringError(
        'tls-required',
        `The server for ${options.domain} offered encryption (STARTTLS) but then refused to start it, so the app stopped.`,
      );
    }
    const tlsSocket = await upgrade(socket, {
      // The certificate must name the account's domain, an IP address as an address (ip-literal.ts).
      ...tlsIdentity(options.domain),
      // Node verifies the chain and the host name (RFC 6125) by default; we only add trust anchors.
      ...(options.extraCa && options.extraCa.length > 0
        ? { secureContext: secureContextWith(options.extraCa) }
        : {}),
    });
    (conn as unknown as AttachSocket)._attachSocket(tlsSocket);
    await conn.restart();
  });

  login.negotiate(streamFeatures);
  const sasl2 = login.sasl2;
  const bind2 = _bind2({ sasl2, entity }, options.resource);

  goOnlineAfterStreamManagement(streamFeatures, entity);
  const sm = _streamManagement({ streamFeatures, entity, middleware, bind2, sasl2 });
  const { iqCaller, rejectPending, onUnanswered, oldestPending } = createIqRequests({ entity, middleware, domain: options.domain, log: options.log });
  // A lost connection is not resumed (XEP-0198 §5). With xmpp.js 0.14 a resumed stream never told the
  // session it was online (only its status changed, no 'online' event), so the session stayed
  // 'reconnecting' and refused every request; and xmpp.js queues a stanza for resending only once its
  // write has completed, so the server's resumed 'h' can exceed that queue, xmpp.js then throws while
  // acknowledging, takes the resumption for failed and binds again on the resumed stream, which the
  // server refuses. Both seen on ejabberd. A new stream is bound instead, the session announces itself
  // again, and requests sent on the lost stream fail now instead of after their timeout.
  entity.on('disconnect', () => {
    sm.id = '';
    sm.outbound_q = [];
    sm.outbound = 0;
    rejectPending(new KeyringError('not-connected', 'The connection to the server was lost before it answered.'));
  });
  const iqCallee = _iqCallee({ middleware, entity });
  bindResource(streamFeatures, iqCaller, `${options.username}@${options.domain}`, options.resource);

  // XEP-0199: answer pings so servers that probe liveness keep us.
  iqCallee.get(NS.ping, 'ping', () => ({}));

  return { entity, middleware, iqCaller, iqCallee, rejectPending, onUnanswered, oldestPending, login };
}

/**
 * A stanza nested too deep to be read safely was dropped by the stream reader (stream-reader.ts, point 4):
 * one line in the log; and a request is answered, since RFC 6120 §8.2.3 wants every IQ get or set
 * answered (§8.3.3.12 policy-violation: it broke our limit, not the protocol). Only on a stream that is
 * online: before that nothing but TLS and login leaves (stream-guard.ts).
 */
function answerTooDeep(entity: Client, stanza: Element, log: Logger): void {
  const { id, from, type } = stanza.attrs;
  const sender = oneLine(from ?? 'the server').slice(0, 100);
  log.warn(`dropped a <${oneLine(stanza.name).slice(0, 40)}> from ${sender}: nested deeper than ${MAX_STANZA_DEPTH} levels`);
  if (stanza.name !== 'iq' || (type !== 'get' && type !== 'set') || entity.status !== 'online') return;
  const reply = xml('iq', { type: 'error', id, ...(from ? { to: from } : {}) }, xml('error', { type: 'modify' }, xml('policy-violation', { xmlns: NS.stanzas })));
  entity.send(reply).catch((error: unknown) => log.warn(`could not refuse the too deep request: ${error instanceof Error ? error.message : String(error)}`));
}

const NS_BIND = 'urn:ietf:params:xml:ns:xmpp-bind';
const NS_SM = 'urn:xmpp:sm:3';
/** How long going online waits for the server to answer <enable/>; a server that never does is not waited for. */
const ENABLE_WAIT_MS = 5_000;

/**
 * RFC 6120 §7: binds our resource. Unlike xmpp.js's resource-binding, it does not declare the stream
 * online: stream management is enabled first (goOnlineAfterStreamManagement).
 */
function bindResource(streamFeatures: StreamFeatures, iqCaller: IqCaller, account: string, resource: string | undefined): void {
  streamFeatures.use('bind', NS_BIND, async ({ entity }) => {
    const answer = await iqCaller.set(xml('bind', { xmlns: NS_BIND }, resource ? xml('resource', {}, resource) : undefined));
    const bound = answer?.getChildText('jid') ?? '';
    // §7.6.1: the server binds a resource to the account that logged in, never to another.
    let address;
    try {
      address = jid(bound);
    } catch {
      address = undefined;
    }
    if (!address || address.bare().toString().toLowerCase() !== account.toLowerCase()) {
      throw new KeyringError('protocol-error', 'The server bound this session to an address that is not the account signed in.');
    }
    (entity as unknown as Internals)._jid(bound);
  });
}

/**
 * Declares the stream online only once resource binding and, when the server offers it, enabling stream
 * management are done (XEP-0198 §3: enable after binding). xmpp.js goes online at binding and sends
 * <enable/> afterwards, so the app's first stanzas raced the <enable/>, and stanzas the server sent
 * between <enabled/> and xmpp.js noticing it were left out of the acknowledged count.
 */
function goOnlineAfterStreamManagement(streamFeatures: StreamFeatures, client: Client): void {
  streamFeatures.use('bind', NS_BIND, async ({ entity }, next) => {
    const negotiated = next();
    negotiated.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    // A server that offers stream management but never answers <enable/> is not waited for long.
    const unanswered = new Promise<void>((resolve) => {
      const onSend = (element: { is(name: string, ns: string): boolean }) => {
        if (!element.is('enable', NS_SM)) return;
        client.off('send', onSend);
        timer = setTimeout(resolve, ENABLE_WAIT_MS);
      };
      client.on('send', onSend);
      const stopWatching = () => client.off('send', onSend);
      negotiated.then(stopWatching, stopWatching);
    });
    try {
      await Promise.race([negotiated, unanswered]);
    } finally {
      clearTimeout(timer);
    }
    // Already online if the stream was resumed (never, since a lost stream's id is dropped above).
    if (entity.status !== 'online' && entity.jid) (entity as unknown as Internals)._ready(false);
  });
}

interface Internals {
  _jid(address: string): unknown;
  _ready(resumed: boolean): void;
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
const secureContexts = new BoundedMap<string, SecureContext>(8);

function secureContextWith(extraCa: string[]): SecureContext {
  const key = extraCa.join('\n');
  let context = secureContexts.get(key);
  if (!context) {
    context = createSecureContext({ ca: withSystemRoots(extraCa) });
    secureContexts.set(key, context);
  }
  return context;
}
