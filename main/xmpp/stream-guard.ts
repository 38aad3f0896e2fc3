/**
 * Encryption and login before anything else. RFC 6120 lets a server offer resource binding without
 * STARTTLS (§5.3.1) or without SASL (§6.3.1 says clients MUST authenticate, but nothing in xmpp.js
 * enforces it): a server, or anyone in the path, whose features hold only `<bind/>` would otherwise get
 * us bound and "online" over plaintext, unauthenticated, and its answers would be taken as our contacts'
 * keys. So, per connection:
 *
 * - features on a plain stream must offer STARTTLS (§5.4.1); anything else stops the connection with
 *   `tls-required`, before a single stanza or login byte is sent;
 * - features on an encrypted stream must offer SASL (§6.4.1) with a mechanism we use until a SASL
 *   exchange has succeeded; otherwise `auth-required`: no binding, session, stream management or
 *   stanza follows;
 * - until then, nothing the server sends reaches the rest of the stack except what TLS and SASL
 *   themselves need (features, `<proceed/>`/`<failure/>`, SASL elements, stream errors), and nothing
 *   leaves but `<starttls/>`, SASL elements on the encrypted stream, and stream errors.
 */
import type { Client } from '@xmpp/client-core';
import type { MiddlewareApi } from '@xmpp/middleware';
import type { Element } from '@xmpp/xml';
import { KeyringError } from '../errors.js';
import type { Logger } from '../logger.js';
import { NS } from './namespaces.js';

const NS_STREAMS = 'http://etherx.jabber.org/streams';
/** RFC 6120 §6.4: SASL. */
const NS_SASL = 'urn:ietf:params:xml:ns:xmpp-sasl';
/** XEP-0388: Extensible SASL Profile. */
const NS_SASL2 = 'urn:xmpp:sasl:2';

export interface StreamGuard {
  /** True once this connection is encrypted and a SASL exchange on it succeeded. */
  readonly trusted: boolean;
  /** Called right before our SASL exchange starts, so its `<success/>` counts as a login. */
  saslStarting(): void;
}

export interface StreamGuardOptions {
  entity: Client;
  middleware: MiddlewareApi;
  /** The account's domain, named in the messages. */
  domain: string;
  /** SASL mechanisms we can use (sasl-login.ts SASL_MECHANISMS). */
  mechanisms: readonly string[];
  log: Logger;
}

/**
 * Installs the guard. Call it before any other middleware is registered, so it sees every element first;
 * only the login's (sasl-login.ts) comes earlier, and it hands on a `<success/>` only once the server
 * proved itself, so the one the guard counts is always earned.
 */
export function guardStream(options: StreamGuardOptions): StreamGuard {
  const { entity, middleware, domain } = options;
  let saslInProgress = false;
  let authenticated = false;
  const trusted = (): boolean => authenticated && entity.isSecure();

  // A new socket is a new stream: it has to earn its trust again (a reconnect signs in again).
  entity.on('connecting', () => {
    saslInProgress = false;
    authenticated = false;
  });

  middleware.use((context, next) => {
    const element = context.stanza;
    const ns = element.getNS();
    if (!trusted() && saslInProgress && entity.isSecure() && element.name === 'success' && (ns === NS_SASL || ns === NS_SASL2)) {
      // RFC 6120 §6.4.6 / XEP-0388 §2.6: the server accepted our credentials on the encrypted stream.
      saslInProgress = false;
      authenticated = true;
    }
    if (element.is('features', NS_STREAMS)) {
      requireSecurity(element);
      return next();
    }
    if (trusted()) return next();
    if (element.is('error', NS_STREAMS) || ns === NS.tls || ns === NS_SASL || ns === NS_SASL2) return next();
    options.log.warn(`dropped <${element.name.slice(0, 40)}> from ${domain}: the stream is not yet encrypted and logged in`);
    return undefined;
  });

  /** RFC 6120 §5.3.1 and §6.3.1: TLS first, then SASL, then everything else. */
  function requireSecurity(features: Element): void {
    if (!entity.isSecure()) {
      if (features.getChild('starttls', NS.tls)) return;
      throw new KeyringError(
        'tls-required',
        `The server for ${domain} did not offer encryption (STARTTLS), so the app stopped before sending anything else.`,
      );
    }
    if (authenticated) return;
    const offered = [
      ...(features.getChild('mechanisms', NS_SASL)?.getChildren('mechanism', NS_SASL) ?? []),
      ...(features.getChild('authentication', NS_SASL2)?.getChildren('mechanism', NS_SASL2) ?? []),
    ].map((m) => m.text().trim());
    if (offered.length === 0) {
      throw new KeyringError(
        'auth-required',
        `The server for ${domain} did not ask for a login (SASL) on the encrypted stream, so the app stopped before going online.`,
      );
    }
    if (!offered.some((m) => options.mechanisms.includes(m))) {
      const names = [...new Set(offered)].slice(0, 8).map((m) => m.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 20));
      throw new KeyringError(
        'auth-required',
        `The server for ${domain} offers no login method this app can use (it offers ${names.join(', ')}; the app uses ${options.mechanisms.join(', ')}).`,
      );
    }
  }

  guardOutgoing(entity, trusted);

  return {
    get trusted() {
      return trusted();
    },
    saslStarting() {
      saslInProgress = true;
    },
  };
}

/** What may leave before the stream is trusted: STARTTLS on the plain stream, SASL once encrypted. */
function guardOutgoing(entity: Client, trusted: () => boolean): void {
  const allowed = (element: Element): boolean => {
    if (trusted()) return true;
    if (element.name === 'stream:error') return true;
    const ns = element.getNS();
    if (ns === NS.tls) return !entity.isSecure();
    return entity.isSecure() && (ns === NS_SASL || ns === NS_SASL2);
  };
  const refuse = (element: Element): Promise<never> =>
    Promise.reject(
      new KeyringError('auth-required', `Refusing to send <${element.name}> before the stream is encrypted and logged in.`),
    );
  const send = entity.send.bind(entity);
  entity.send = (element: Element) => (allowed(element) ? send(element) : refuse(element));
  const sendMany = (entity as unknown as SendMany).sendMany.bind(entity);
  (entity as unknown as SendMany).sendMany = (elements: Element[]) => {
    const blocked = elements.find((e) => !allowed(e));
    return blocked ? refuse(blocked) : sendMany(elements);
  };
}

interface SendMany {
  sendMany(elements: Element[]): Promise<void>;
}
