/**
 * The IQ caller every request goes through: what xmpp.js's caller (@xmpp/iq's caller.js) does, matching
 * a reply to its request by id, plus what a key manager needs on top:
 *
 * - A reply counts only when it comes from the entity the request went to (RFC 6120 §8.2.3: the reply
 *   to an IQ comes from its addressee; §10.1.2, §8.1.2.1: what the server answers itself or on behalf
 *   of the account carries no `from`, our bare JID, or for stream negotiation the domain). Anything else
 *   with a matching id (mallory answering a request sent to romeo) is dropped and logged; the genuine
 *   reply may still come, otherwise the request times out.
 * - A request that gets no answer fails with a KeyringError that says who did not answer what and for
 *   how long, instead of xmpp.js's TimeoutError with an empty message.
 * - Requests still waiting when the connection goes away fail at once ('not-connected'), so no timer
 *   outlives the connection.
 * - An error reply whose condition cannot be read fails its request at once (readErrorReply).
 */
import { jid } from '@xmpp/client';
import { randomBytes } from 'node:crypto';
import type { Client } from '@xmpp/client-core';
import type { IqCaller } from '@xmpp/iq/caller.js';
import type { JID } from '@xmpp/jid';
import type { MiddlewareApi } from '@xmpp/middleware';
import StanzaError from '@xmpp/middleware/lib/StanzaError.js';
import xml, { type Element } from '@xmpp/xml';
import { KeyringError } from '../errors.js';
import type { Logger } from '../logger.js';

/**
 * What protocol code asks of the IQ layer: a get or a set to an address (our own account's server when
 * none is given), answered or failed within the timeout. The session hands services one that always
 * goes through the live connection (main/services/session-port.ts).
 */
export type Iq = Pick<IqCaller, 'get' | 'set'>;

/** xmpp.js's default, kept: a request gets 30 s unless its caller says otherwise. */
export const DEFAULT_IQ_TIMEOUT_MS = 30_000;

export interface IqRequests {
  iqCaller: IqCaller;
  /** Fails every request still waiting for an answer (the connection is gone). */
  rejectPending: (error: KeyringError) => void;
  /**
   * Tells `listener` of every request that timed out, with when it was sent (Date.now()), right before
   * the request fails (liveness.ts pings on it). Returns the unsubscribe.
   */
  onUnanswered: (listener: (sentAt: number) => void) => () => void;
  /**
   * The id of the oldest request still waiting for an answer (requests are kept in the order sent), or
   * undefined when none waits: liveness.ts watches how long one stays first without anything heard.
   */
  oldestPending: () => string | undefined;
}

/** A request waiting for its answer. */
interface Pending {
  to: string | undefined;
  /** The request as sent, to say in a timeout message what went unanswered. */
  stanza: Element;
  timeout: number;
  timer: NodeJS.Timeout;
  resolve(reply: Element): void;
  reject(error: unknown): void;
}

/**
 * Builds the IQ caller. Call it before any other IQ middleware is registered: the origin check has to
 * run before anyone else sees a reply.
 *
 * The caller is our own rather than xmpp.js's (@xmpp/iq's caller.js), which costs, per request, a
 * TimeoutError with its stack built up front in case the request times out, a promise race with a
 * second timer promise, and a second middleware to route the reply (its ids, from Math.random, are
 * predictable, so each request also paid for a randomBytes call of its own). Here a request is one map
 * entry and one timer, and an error is built only when it happens (bench "prosody fetch app 2000/16").
 */
export function createIqRequests(options: { entity: Client; middleware: MiddlewareApi; domain: string; log: Logger }): IqRequests {
  const { entity, middleware, domain, log } = options;
  const pending = new Map<string, Pending>();
  const unansweredListeners = new Set<(sentAt: number) => void>();
  const nextId = requestIds();
  const ownBare = ownBareJid(entity);

  const settle = (id: string): Pending | undefined => {
    const request = pending.get(id);
    if (!request) return undefined;
    pending.delete(id);
    clearTimeout(request.timer);
    return request;
  };

  /** The timer's callback: one function for every request, given the id (no closure per request). */
  const expire = (id: string): void => {
    const request = settle(id);
    if (!request) return;
    const { stanza, timeout } = request;
    // The timer was set when the request went out, so it was sent `timeout` ago (a late timer makes it
    // look sent later: for liveness.ts, a ping too many rather than too few). No clock read per request.
    const sentAt = Date.now() - timeout;
    for (const listener of unansweredListeners) listener(sentAt);
    const who = stanza.attrs.to ? printable(stanza.attrs.to) : 'The server';
    request.reject(
      new KeyringError('timeout', `${who} did not answer the request for ${describeRequest(stanza)} within ${Math.round(timeout / 1000)} s.`),
    );
  };

  middleware.use((context, next) => {
    const stanza = context.stanza;
    if (stanza.name !== 'iq') return next();
    const { type, id, from } = stanza.attrs;
    if ((type !== 'result' && type !== 'error') || id === undefined) return next();
    const request = pending.get(id);
    if (!request) return next();
    if (!replyComesFromAddressee(request.to, from, { bare: ownBare(), domain })) {
      log.warn(
        `dropped an IQ ${type} for request ${printable(id)} from ${printable(from ?? '(no sender)')}: ` +
          `the request went to ${printable(request.to ?? 'our server')}`,
      );
      return undefined;
    }
    settle(id);
    if (type === 'result') request.resolve(stanza);
    else request.reject(readErrorReply(stanza));
    return undefined;
  });

  const request = (stanza: Element, timeout = DEFAULT_IQ_TIMEOUT_MS): Promise<Element> =>
    new Promise<Element>((resolve, reject) => {
      const id = (stanza.attrs.id ??= nextId());
      if (pending.has(id)) {
        reject(new KeyringError('internal', `Two requests waiting at once with the id ${printable(id)}.`));
        return;
      }
      // The timer runs from now, not from when the socket has written the request: a write that never
      // completes still ends in a timeout.
      const timer = setTimeout(expire, timeout, id);
      pending.set(id, { to: stanza.attrs.to, stanza, timeout, timer, resolve, reject });
      // The reply may come before the write's callback (under load): the promise is already listened to,
      // and whichever settles first wins.
      entity.send(stanza).catch((error: unknown) => settle(id)?.reject(sendFailure(error, stanza, entity.status === 'online')));
    });

  /** xmpp.js's get/set: the request's payload in an iq, the answer's payload of the same name back. */
  const childRequest = async (type: 'get' | 'set', element: Element, to?: string, timeout?: number): Promise<Element | undefined> => {
    const reply = await request(xml('iq', { type, to }, element), timeout);
    return reply.getChild(element.name, element.attrs.xmlns);
  };

  const iqCaller: IqCaller = {
    request,
    get: (element, to, timeout) => childRequest('get', element, to, timeout),
    set: (element, to, timeout) => childRequest('set', element, to, timeout),
  };

  return {
    iqCaller,
    rejectPending(error) {
      for (const id of [...pending.keys()]) settle(id)?.reject(error);
    },
    onUnanswered(listener) {
      unansweredListeners.add(listener);
      return () => unansweredListeners.delete(listener);
    },
    oldestPending() {
      for (const id of pending.keys()) return id;
      return undefined;
    },
  };
}

/**
 * Writing to a connection that just went away fails with whatever the socket says: that becomes
 * 'not-connected'. While online, the error goes on as it is (the session names what it does not know).
 */
function sendFailure(error: unknown, stanza: Element, online: boolean): unknown {
  if (online || error instanceof KeyringError) return error;
  return new KeyringError('not-connected', `The connection was lost while sending the request for ${describeRequest(stanza)}.`, undefined, { cause: error });
}

/**
 * Request ids: 64 random bits each, drawn from a pool filled 512 ids at a time (one randomBytes call
 * per id cost more than the rest of the request path). Replies are taken only from whom we asked
 * (the origin check above), and the server stamps every sender (RFC 6120 §8.1.2.1), so an id is not
 * what keeps forgeries out. Random rather than a counter still matters: a counter would tell each
 * contact how many requests we sent between theirs (how many contacts we have, how often we look),
 * and an id seen in one request would name the ids of requests to others.
 */
function requestIds(): () => string {
  const ID_BYTES = 8;
  const POOL_IDS = 512;
  let pool = randomBytes(ID_BYTES * POOL_IDS);
  let offset = 0;
  return () => {
    if (offset === pool.length) {
      pool = randomBytes(ID_BYTES * POOL_IDS);
      offset = 0;
    }
    offset += ID_BYTES;
    return pool.toString('hex', offset - ID_BYTES, offset);
  };
}

/** Our bare JID once bound, parsed again only when the bound JID changes (a new stream). */
function ownBareJid(entity: Client): () => string | undefined {
  let bound: JID | null = null;
  let bare: string | undefined;
  return () => {
    if (entity.jid !== bound) {
      bound = entity.jid;
      bare = bound ? jid(bound.toString()).bare().toString() : undefined;
    }
    return bare;
  };
}

/**
 * An error reply as the StanzaError callers read (readStanzaError in pubsub.ts). A reply whose <error/>
 * is missing or names no condition (hostile or broken) is RFC 6120 §8.3.3.21 undefined-condition, an
 * answer all the same: the request fails now instead of waiting for its timeout.
 */
function readErrorReply(stanza: Element): StanzaError {
  const error = stanza.getChild('error');
  if (error && error.getChildElements().length > 0) return StanzaError.fromElement(error);
  const unreadable = new StanzaError('undefined-condition', 'the error reply named no condition');
  unreadable.type = error?.attrs.type ?? 'cancel';
  return unreadable;
}

/**
 * May `from` answer a request sent to `to`? Addresses compare as JIDs: local part and domain
 * case-insensitively, the resource exactly (RFC 7622 §3.2–3.4).
 */
export function replyComesFromAddressee(
  to: string | undefined,
  from: string | undefined,
  own: { bare: string | undefined; domain: string },
): boolean {
  // Exactly the address asked, as nearly every reply is: that is the addressee, without parsing either
  // (parsing a JID costs more than the rest of the check; @xmpp/jid's escaping test alone runs ten
  // replaceAll over the local part).
  if (from !== undefined && from === to) return true;
  const toOwnAccount = to === undefined || to === own.bare || (own.bare !== undefined && sameJid(to, own.bare));
  if (toOwnAccount) {
    // RFC 6120 §10.3.3 + §8.1.2.1 (3): handled by the server for the account (our PEP service, roster):
    // no 'from', or our bare JID. §8.1.2.1 (2): during stream negotiation (resource binding, before we
    // know our JID) the server itself answers, with no 'from' or its domain.
    if (from === undefined) return true;
    if (own.bare !== undefined && sameJid(from, own.bare)) return true;
    return to === undefined && sameJid(from, own.domain);
  }
  // A request to our own server may be answered without 'from' (§8.1.2.1 (2)); any other addressee
  // must answer as itself (§8.2.3).
  if (from === undefined) return sameJid(to, own.domain);
  return sameJid(from, to);
}

function sameJid(a: string, b: string): boolean {
  const x = parse(a);
  const y = parse(b);
  return x !== undefined && y !== undefined && x.local === y.local && x.domain === y.domain && x.resource === y.resource;
}

function parse(text: string): { local: string; domain: string; resource: string } | undefined {
  let parsed: JID;
  try {
    parsed = jid(text);
  } catch {
    return undefined;
  }
  return {
    local: parsed.local.toLowerCase(),
    // RFC 7622 §3.2: a trailing dot is not part of the domain for comparison.
    domain: parsed.domain.toLowerCase().replace(/\.$/, ''),
    resource: parsed.resource,
  };
}

/** "pubsub#owner configure of urn:xmpp:vcard4", from the request's payload. */
export function describeRequest(stanza: Element): string {
  const payload = stanza.getChildElements()[0];
  if (!payload) return 'an empty request';
  const ns = payload.attrs.xmlns ?? '';
  const family = ns.slice(Math.max(ns.lastIndexOf('/'), ns.lastIndexOf(':')) + 1) || payload.name;
  const operation = payload.getChildElements()[0];
  const node = operation?.attrs.node;
  return printable([family, operation?.name, node ? `of ${node}` : undefined].filter(Boolean).join(' '));
}

/** Remote text in our messages: one line, bounded. */
function printable(text: string | undefined): string {
  // eslint-disable-next-line no-control-regex -- replacing control characters is the point
  return (text ?? '').replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, '?').slice(0, 200);
}
