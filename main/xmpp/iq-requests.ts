/**
 * The IQ caller every request goes through: xmpp.js's caller (@xmpp/iq's caller.js), which
 * matches a reply to its request by id only, plus what a key manager needs on top:
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
 */
import { jid } from '@xmpp/client';
import { randomBytes } from 'node:crypto';
import type { Client } from '@xmpp/client-core';
import _iqCaller, { type IqCaller } from '@xmpp/iq/caller.js';
import type { JID } from '@xmpp/jid';
import type { MiddlewareApi } from '@xmpp/middleware';
import type { Element } from '@xmpp/xml';
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
}

interface Pending {
  to: string | undefined;
}

/**
 * Builds the IQ caller. Call it before any other IQ middleware is registered: the origin check has to
 * run before xmpp.js's own routing of replies.
 */
export function createIqRequests(options: { entity: Client; middleware: MiddlewareApi; domain: string; log: Logger }): IqRequests {
  const { entity, middleware, domain, log } = options;
  const pending = new Map<string, Pending>();

  middleware.use((context, next) => {
    const stanza = context.stanza;
    if (stanza.name !== 'iq' || (stanza.attrs.type !== 'result' && stanza.attrs.type !== 'error')) return next();
    const request = pending.get(stanza.attrs.id ?? '');
    if (!request) return next();
    const own = entity.jid ? jid(entity.jid.toString()).bare() : undefined;
    if (replyComesFromAddressee(request.to, stanza.attrs.from, { bare: own?.toString(), domain })) return next();
    log.warn(
      `dropped an IQ ${stanza.attrs.type} for request ${printable(stanza.attrs.id)} from ${printable(stanza.attrs.from ?? '(no sender)')}: ` +
        `the request went to ${printable(request.to ?? 'our server')}`,
    );
    return undefined;
  });

  const iqCaller = _iqCaller({ middleware, entity });
  const handlers = (iqCaller as unknown as { handlers: Map<string, Deferred> }).handlers;
  observeEarlyReplies(handlers);

  const request = iqCaller.request.bind(iqCaller);
  iqCaller.request = async (stanza: Element, timeout = DEFAULT_IQ_TIMEOUT_MS): Promise<Element> => {
    stanza.attrs.id ??= randomBytes(8).toString('hex');
    const id = stanza.attrs.id;
    pending.set(id, { to: stanza.attrs.to });
    try {
      return await request(stanza, timeout);
    } catch (error) {
      throw explainFailure(error, stanza, timeout, entity.status === 'online');
    } finally {
      pending.delete(id);
    }
  };

  return {
    iqCaller,
    rejectPending(error) {
      for (const [id, deferred] of handlers) {
        handlers.delete(id);
        deferred.reject(error);
      }
    },
  };
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
  const toOwnAccount = to === undefined || (own.bare !== undefined && sameJid(to, own.bare));
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

/** A failure the person can read: who did not answer what (never xmpp.js's empty TimeoutError). */
function explainFailure(error: unknown, stanza: Element, timeout: number, online: boolean): unknown {
  if (error instanceof Error && error.name === 'TimeoutError') {
    const who = stanza.attrs.to ? printable(stanza.attrs.to) : 'The server';
    return new KeyringError(
      'timeout',
      `${who} did not answer the request for ${describeRequest(stanza)} within ${Math.round(timeout / 1000)} s.`,
      undefined,
      { cause: error },
    );
  }
  // Writing to a connection that just went away fails with whatever the socket says.
  if (!online && !(error instanceof KeyringError) && !(error instanceof Error && error.name === 'StanzaError')) {
    return new KeyringError('not-connected', `The connection was lost while sending the request for ${describeRequest(stanza)}.`, undefined, {
      cause: error,
    });
  }
  return error;
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

interface Deferred {
  promise: Promise<unknown>;
  reject(error: unknown): void;
}

/**
 * xmpp.js's caller registers a deferred per request, then awaits `entity.send()` before it listens to
 * that deferred. `send()` settles only once the socket has written the bytes, so under load the reply
 * can arrive first, and an error reply then rejects a promise nobody listens to yet: Node would report
 * an unhandled rejection although the caller does receive the error a moment later. Observing each
 * deferred at registration keeps the error flowing to the caller without the false alarm.
 */
function observeEarlyReplies(handlers: Map<string, Deferred>): void {
  const set = handlers.set.bind(handlers);
  handlers.set = (id, deferred) => {
    deferred.promise.catch(() => undefined);
    return set(id, deferred);
  };
}
