/**
 * Signing in: which SASL mechanism and channel binding to use, and the exchange itself, over SASL
 * (RFC 6120 §6.4) or SASL2 (XEP-0388). It replaces xmpp.js's @xmpp/sasl and @xmpp/sasl2 plugins
 * (and their SCRAM-SHA-1), which the app cannot make check the server: over SASL they drop the data of
 * `<success/>`, so the server's SCRAM signature is never seen; over SASL2 a `<success/>` without
 * `<additional-data/>` is accepted, and what it carries (a bound resource: "online") is acted on first.
 *
 * Here a `<success/>` counts only once the mechanism accepted it: for SCRAM, once the server proved it
 * knows the password (scram.ts). The exchange reads the server's SASL elements from a middleware placed
 * ahead of the stream guard (stream-guard.ts), so the guard, which trusts a stream from its
 * `<success/>` on, never sees one the server did not earn.
 *
 * The choice (chooseLogin), RFC 5802 §6 read with XEP-0440:
 * 1. A SCRAM-*-PLUS the server offers comes first, strongest hash first (SHA-512, SHA-256, SHA-1), with
 *    "p=<type>": §6 says a client that supports channel binding "MUST use a 'p' gs2-cbind-flag when the
 *    server offers the PLUS-variant". The type is the best (channel-binding.ts) of those the server
 *    lists in XEP-0440 `<sasl-channel-binding/>`; a server that lists none means SCRAM's default,
 *    tls-unique (§6, RFC 5929).
 * 2. If the server offers -PLUS but none of its types can be computed on this connection, the app does
 *    not sign in (auth-required). Neither other flag is honest then: "y" says the server offers no
 *    channel binding (a server that checks it, as Prosody does, refuses the login as a downgrade), and
 *    "n" with a plain SCRAM says the app cannot bind at all, which is exactly the downgrade someone who
 *    rewrote the list of types would want (XEP-0440 §5). So a -PLUS the server advertised is never
 *    traded for a mechanism without binding.
 * 3. No -PLUS offered: the strongest plain SCRAM, with "y" (§6: a client that supports channel binding
 *    "MUST NOT use an 'n'" when the server does not appear to), so a server that does bind sees that its
 *    -PLUS was stripped on the way and refuses.
 * 4. PLAIN, only when no SCRAM is offered (the caller has made sure the stream is encrypted).
 *
 * Before the choice, what the account had before is pinned (refusePinnedDowngrade): an account that
 * signed in with SCRAM is not moved to PLAIN, and one that signed in with -PLUS not to a SCRAM without
 * binding, by an offer someone may have rewritten on the way.
 */
import { jid, xml } from '@xmpp/client';
import { TLSSocket } from 'node:tls';
import type { Client } from '@xmpp/client-core';
import type { Middleware } from '@xmpp/middleware';
import type { StreamFeatures } from '@xmpp/stream-features';
import type { Element } from '@xmpp/xml';
import SASLError from '@xmpp/sasl/lib/SASLError.js';
import { KeyringError } from '../errors.js';
import type { Logger } from '../logger.js';
import { CHANNEL_BINDING_PREFERENCE, channelBindingData, computableChannelBindings, type TlsChannel } from './channel-binding.js';
import { ScramClient, type ScramBinding, type ScramHash } from './scram.js';

/** RFC 6120 §6.4: SASL. */
const NS_SASL = 'urn:ietf:params:xml:ns:xmpp-sasl';
/** XEP-0388: Extensible SASL Profile. */
const NS_SASL2 = 'urn:xmpp:sasl:2';
/** XEP-0440 §2: the channel binding types the server supports. */
const NS_SASL_CB = 'urn:xmpp:sasl-cb:0';

/** SCRAM hashes, strongest first. */
const SCRAM_HASHES: readonly ScramHash[] = ['SHA-512', 'SHA-256', 'SHA-1'];

/** Every mechanism the app can use, in order of preference. */
export const SASL_MECHANISMS: readonly string[] = [
  ...SCRAM_HASHES.map((hash) => `SCRAM-${hash}-PLUS`),
  ...SCRAM_HASHES.map((hash) => `SCRAM-${hash}`),
  'PLAIN',
];

export interface LoginChoice {
  mechanism: string;
  /** For SCRAM: the hash and how the exchange is bound to the TLS channel. */
  scram?: { hash: ScramHash; binding: ScramBinding };
}

/**
 * Picks the mechanism and channel binding (see the comment at the top). `channel` is the encrypted
 * connection; `announcedTypes` the XEP-0440 list, undefined when the server sent none.
 */
export function chooseLogin(
  offered: readonly string[],
  announcedTypes: readonly string[] | undefined,
  channel: TlsChannel | undefined,
  domain: string,
): LoginChoice {
  const plus = SCRAM_HASHES.find((hash) => offered.includes(`SCRAM-${hash}-PLUS`));
  if (plus !== undefined) {
    const serverTypes = announcedTypes ?? ['tls-unique'];
    for (const type of CHANNEL_BINDING_PREFERENCE) {
      if (!serverTypes.includes(type)) continue;
      const data = channel ? channelBindingData(channel, type) : undefined;
      if (data) return { mechanism: `SCRAM-${plus}-PLUS`, scram: { hash: plus, binding: { flag: 'p', type, data } } };
    }
    const listed = serverTypes.map((t) => t.replace(/[^A-Za-z0-9-]/g, '').slice(0, 30)).slice(0, 6).join(', ') || 'none';
    throw new KeyringError(
      'auth-required',
      `The server for ${domain} offers a login tied to the encrypted connection, but only of kinds this app cannot compute on it (${listed}). ` +
        'The app did not sign in without that protection, because this is also what an attacker who rewrote the offer would cause.',
    );
  }
  const scram = SCRAM_HASHES.find((hash) => offered.includes(`SCRAM-${hash}`));
  if (scram !== undefined) {
    const canBind = channel !== undefined && computableChannelBindings(channel).length > 0;
    return { mechanism: `SCRAM-${scram}`, scram: { hash: scram, binding: canBind ? { flag: 'y' } : { flag: 'n' } } };
  }
  if (offered.includes('PLAIN')) return { mechanism: 'PLAIN' };
  throw new KeyringError('auth-required', `The server for ${domain} offers no login method this app can use.`);
}

/** What the account's earlier sign-ins pin (main/services/accounts.ts keeps it per account). */
export interface LoginPins {
  /**
   * This account signed in with SCRAM before: an offer with no SCRAM the app can use, only PLAIN, is
   * what someone who removed SCRAM on the way would cause to get the password itself (with a
   * certificate for the domain they should not have), so it is refused ('scram-stripped').
   */
  requireScram?: boolean;
  /**
   * This server offered a SCRAM -PLUS mechanism before: an offer without one now is what someone
   * stripping it on the way would cause, so it is refused ('channel-binding-stripped'). XEP-0440's idea
   * of pinning what the server supports, applied to -PLUS.
   */
  requireChannelBinding?: boolean;
}

/**
 * Refuses an offer weaker than the pins allow, before anything is sent. The SCRAM pin is checked first:
 * an offer of PLAIN alone is told as the password being asked for, which is what is at stake.
 */
export function refusePinnedDowngrade(offered: readonly string[], pins: LoginPins, domain: string): void {
  const anyScram = SCRAM_HASHES.some((hash) => offered.includes(`SCRAM-${hash}`) || offered.includes(`SCRAM-${hash}-PLUS`));
  if (pins.requireScram && !anyScram && offered.includes('PLAIN')) {
    throw new KeyringError(
      'scram-stripped',
      `The server for ${domain} used to take a login that does not send your password (SCRAM), and now asks for the password itself. ` +
        'Someone between you and the server may have changed its offer, so the app did not send your password.',
    );
  }
  if (pins.requireChannelBinding && !offered.some((m) => /^SCRAM-.+-PLUS$/.test(m))) {
    throw new KeyringError(
      'channel-binding-stripped',
      `The server for ${domain} used to offer a login tied to the encrypted connection (SCRAM -PLUS) and now does not. ` +
        'Someone between you and the server may have removed it, so the app did not sign in.',
    );
  }
}

/** The XEP-0440 types in `features`, or undefined when the server announced none. */
export function announcedChannelBindings(features: Element): string[] | undefined {
  const element =
    features.getChild('sasl-channel-binding', NS_SASL_CB) ??
    // XEP-0440 before 0.4 put the element inside the mechanisms; accept it there too.
    features.getChild('mechanisms', NS_SASL)?.getChild('sasl-channel-binding', NS_SASL_CB) ??
    features.getChild('authentication', NS_SASL2)?.getChild('sasl-channel-binding', NS_SASL_CB);
  if (!element) return undefined;
  return element
    .getChildren('channel-binding', NS_SASL_CB)
    .map((c) => c.attrs.type)
    .filter((t): t is string => typeof t === 'string' && t.length > 0)
    .slice(0, 32);
}

/** What a successful sign-in used (for the log and the tests). */
export interface LoginRecord {
  profile: 'sasl' | 'sasl2';
  mechanism: string;
  /** The gs2-cbind-flag sent: "p=<type>", "y" or "n" (undefined for PLAIN). */
  channelBinding: string | undefined;
}

/** XEP-0388 inline features (bind2, stream management), the interface of @xmpp/sasl2's `use`. */
type InlineRequest = (element: Element) => Element | undefined | Promise<Element | undefined>;
type InlineResponse = (element: Element) => unknown;

export interface SaslLogin {
  /** Register ahead of the stream guard: hands the server's SASL elements to the running exchange. */
  incoming: Middleware;
  /** For XEP-0386 bind2 and XEP-0198 stream management, as @xmpp/sasl2 offers it. */
  sasl2: { use(ns: string, request: InlineRequest, response: InlineResponse): void };
  /** Registers the SASL2 and SASL stream features (SASL2 first, as xmpp.js does). Call after STARTTLS. */
  negotiate(streamFeatures: StreamFeatures): void;
  /** The last successful sign-in on this client. */
  readonly last: LoginRecord | undefined;
}

export interface SaslLoginOptions extends LoginPins {
  entity: Client;
  domain: string;
  username: string;
  password: string;
  log: Logger;
  /** Called right before the first SASL element leaves (the stream guard's saslStarting). */
  starting: () => void;
}

/** A SASL mechanism as the exchange drives it; strings are Unicode text (UTF-8 on the wire). */
interface Mechanism {
  initialResponse(): string;
  challenge(data: string): Promise<string>;
  /** The additional data with `<success/>` (undefined when none); throws unless the server proved itself. */
  success(data: string | undefined): void;
}

/** The running exchange's handling of one SASL element; `pass` hands it on (to the stream guard). */
type Receiver = (element: Element, pass: () => unknown) => unknown;

export function createSaslLogin(options: SaslLoginOptions): SaslLogin {
  const { entity, domain, log } = options;
  const inline = new Map<string, [InlineRequest, InlineResponse]>();
  let receiver: Receiver | undefined;
  let last: LoginRecord | undefined;
  /** Set when a login on this stream failed: nothing more the server says is read (its features
   *  after a refused <success/> would otherwise be reported instead of the real reason). */
  let refused = false;
  entity.on('connecting', () => {
    refused = false;
  });

  const incoming: Middleware = (context, next) => {
    if (refused) return undefined;
    const element = context.stanza;
    const ns = element.getNS();
    if (receiver === undefined || (ns !== NS_SASL && ns !== NS_SASL2)) return next();
    if (!['challenge', 'success', 'failure', 'continue'].includes(element.name)) return next();
    return receiver(element, next);
  };

  /**
   * Runs one exchange. Once the mechanism and `check` accepted the server's `<success/>`, the element
   * goes on to the stream guard, then `accepted` reads it (synchronously, before the next element is
   * parsed), and the promise resolves.
   */
  function exchange(
    ns: string,
    mechanism: Mechanism,
    start: Element,
    then: { check?: (success: Element) => void; accepted: (success: Element) => void },
  ): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let challenges = Promise.resolve();
      let ended = false;
      const end = (): void => {
        ended = true;
        receiver = undefined;
        entity.off('disconnect', onDisconnect);
      };
      const fail = (error: unknown): void => {
        end();
        refused = true;
        reject(asError(error));
      };
      const onDisconnect = (): void => fail(new KeyringError('not-connected', 'The connection closed during the login.'));
      entity.on('disconnect', onDisconnect);

      receiver = (element, pass) => {
        switch (element.name) {
          case 'challenge': {
            // RFC 6120 §6.4.3 / XEP-0388 §2.4: each challenge is answered in turn.
            const text = element.text();
            challenges = challenges
              .then(async () => {
                if (ended) return;
                const answer = await mechanism.challenge(decode(text));
                // A server that ended the exchange meanwhile (say, a <success/> before our proof) gets no proof.
                if (ended) return;
                await entity.send(xml('response', { xmlns: ns }, encode(answer)));
              })
              .catch(fail);
            return undefined;
          }
          case 'success': {
            // RFC 6120 §6.4.6: additional data with success is the element's text; XEP-0388 §2.6: it is
            // in <additional-data/>. Checked before the guard, or anyone else, sees the success.
            const raw = ns === NS_SASL2 ? element.getChild('additional-data')?.text() : element.text();
            try {
              mechanism.success(raw === undefined || raw.trim() === '' ? undefined : decode(raw));
              then.check?.(element);
            } catch (error) {
              fail(error);
              return undefined;
            }
            end();
            const passed = pass();
            try {
              then.accepted(element);
              resolve();
            } catch (error) {
              reject(asError(error));
            }
            return passed;
          }
          case 'failure':
            fail(saslFailure(element));
            return undefined;
          default:
            // XEP-0388 §2.5 <continue/> (tasks after authentication): none of ours asks for one.
            fail(new KeyringError('auth-required', `The server for ${domain} asks for a further login step this app does not support.`));
            return undefined;
        }
      };
      entity.send(start).catch(fail);
    });
  }

  /** Sets up the mechanism the server's offer calls for; `features` is the whole features element. */
  function begin(features: Element, offered: string[]): { choice: LoginChoice; mechanism: Mechanism } {
    if (!entity.isSecure()) {
      throw new KeyringError('tls-required', 'The server offered to log in without encryption; refusing to send the password.');
    }
    // xmpp.js keeps the TLS socket inside its own wrapper (@xmpp/tls/lib/Socket.js, `.socket`).
    const wrapper = entity.socket as { socket?: unknown } | null;
    const socket = wrapper instanceof TLSSocket ? wrapper : wrapper?.socket;
    const channel = socket instanceof TLSSocket ? socket : undefined;
    refusePinnedDowngrade(offered, options, domain);
    const choice = chooseLogin(offered, announcedChannelBindings(features), channel, domain);
    return { choice, mechanism: mechanismFor(choice, options) };
  }

  function record(profile: LoginRecord['profile'], choice: LoginChoice): void {
    const binding = choice.scram?.binding;
    last = { profile, mechanism: choice.mechanism, channelBinding: binding && (binding.flag === 'p' ? `p=${binding.type}` : binding.flag) };
    const how =
      binding === undefined
        ? ''
        : binding.flag === 'p'
          ? `, bound to this TLS connection (${binding.type})`
          : binding.flag === 'y'
            ? ' (the server offers no channel binding)'
            : ' (without channel binding)';
    log.info(`signed in to ${domain} with ${choice.mechanism}${how}`);
  }

  function negotiate(streamFeatures: StreamFeatures): void {
    // XEP-0388 §2.1: SASL2. No stream restart; inline features (bind2, stream management) ride along.
    streamFeatures.use('authentication', NS_SASL2, async ({ entity: conn, stanza }, _next, feature) => {
      const offered = feature.getChildren('mechanism', NS_SASL2).map((m) => m.text().trim());
      const { choice, mechanism } = begin(stanza, offered);
      const requests = await inlineRequests(feature, inline);
      options.starting();
      // XEP-0388 §2.3: <authenticate/> with the initial response and the inline requests.
      const authenticate = xml(
        'authenticate',
        { xmlns: NS_SASL2, mechanism: choice.mechanism },
        xml('initial-response', {}, encode(mechanism.initialResponse())),
        ...requests,
      );
      await exchange(NS_SASL2, mechanism, authenticate, {
        check(success) {
          // §2.6: the JID we are now authorized as (bare, or full when bind2 bound a resource): ours.
          const authorized = success.getChildText('authorization-identifier');
          if (authorized && !sameAccount(authorized, `${options.username}@${domain}`)) {
            throw new KeyringError('protocol-error', 'The server signed this session in as an address that is not the account.');
          }
        },
        accepted(success) {
          const authorized = success.getChildText('authorization-identifier');
          if (authorized) (conn as unknown as Internals)._jid(authorized);
          record('sasl2', choice);
          // The inline features' results (XEP-0386 <bound/>, XEP-0198 <resumed/>), as @xmpp/sasl2 reads them.
          for (const child of success.getChildElements()) inline.get(child.getNS() ?? '')?.[1](child);
        },
      });
    });

    // RFC 6120 §6.4.
    streamFeatures.use('mechanisms', NS_SASL, async ({ entity: conn, stanza }, _next, feature) => {
      const offered = feature.getChildren('mechanism', NS_SASL).map((m) => m.text().trim());
      const { choice, mechanism } = begin(stanza, offered);
      options.starting();
      // §6.4.2: <auth/> with the initial response.
      const auth = xml('auth', { xmlns: NS_SASL, mechanism: choice.mechanism }, encode(mechanism.initialResponse()));
      await exchange(NS_SASL, mechanism, auth, { accepted: () => record('sasl', choice) });
      // §6.4.6: the client restarts the stream after success.
      await conn.restart();
    });
  }

  return {
    incoming,
    sasl2: {
      use(ns, request, response) {
        inline.set(ns, [request, response]);
      },
    },
    negotiate,
    get last() {
      return last;
    },
  };
}

function mechanismFor(choice: LoginChoice, options: SaslLoginOptions): Mechanism {
  if (choice.scram) {
    const scram = new ScramClient({ hash: choice.scram.hash, username: options.username, password: options.password, binding: choice.scram.binding });
    let answered = false;
    return {
      initialResponse: () => scram.clientFirst(),
      async challenge(data) {
        if (!answered) {
          answered = true;
          return scram.clientFinal(data);
        }
        // RFC 6120 §6.4.6 leaves the server free to send its server-final-message as one more
        // challenge (answered empty) instead of as the success data.
        scram.verifyServerFinal(data);
        return '';
      },
      success(data) {
        if (data !== undefined || !scram.serverVerified) scram.verifyServerFinal(data ?? '');
      },
    };
  }
  // RFC 4616: PLAIN is [authzid] NUL authcid NUL passwd, and has no challenges or success data.
  return {
    initialResponse: () => `\0${options.username}\0${options.password}`,
    challenge: () => Promise.reject(new KeyringError('protocol-error', 'The server sent a challenge during a PLAIN login.')),
    success: () => undefined,
  };
}

/** The requests of the inline features (XEP-0388 §2.1 <inline/>) we registered, in the server's order. */
async function inlineRequests(feature: Element, inline: Map<string, [InlineRequest, InlineResponse]>): Promise<Element[]> {
  const offered = feature.getChild('inline')?.getChildElements() ?? [];
  const requests = await Promise.all(offered.map(async (element) => inline.get(element.getNS() ?? '')?.[0](element)));
  return requests.filter((r): r is Element => r !== undefined && r !== null);
}

/** RFC 6120 §6.4.5 / XEP-0388 §2.7: the failure's condition, as the SASLError the app already reports. */
function saslFailure(element: Element): Error {
  const children = element.getChildElements();
  const condition = children.find((c) => c.name !== 'text')?.name ?? 'not-authorized';
  const text = element.getChildText('text') ?? '';
  return new SASLError(condition, text);
}

/** SASL data travels as base64 of its bytes; "=" is an empty response (RFC 6120 §6.4.2). */
function encode(text: string): string {
  return text === '' ? '=' : Buffer.from(text, 'utf8').toString('base64');
}

function decode(base64: string): string {
  const trimmed = base64.trim();
  if (trimmed === '' || trimmed === '=') return '';
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(trimmed) || trimmed.length % 4 !== 0) {
    throw new KeyringError('protocol-error', 'The server sent login data that is not base64.');
  }
  return Buffer.from(trimmed, 'base64').toString('utf8');
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new KeyringError('protocol-error', 'The login exchange failed.');
}

function sameAccount(address: string, account: string): boolean {
  try {
    return jid(address).bare().toString().toLowerCase() === account.toLowerCase();
  } catch {
    return false;
  }
}

interface Internals {
  _jid(address: string): unknown;
}
