/**
 * The middleware every element goes through, in and out: xmpp.js's (@xmpp/middleware), same API, same
 * order, same context, built for a stream of thousands of stanzas. xmpp.js's costs, per stanza:
 *
 * - its context parses the stanza's `to` and `from` into JIDs up front (four parses per request and
 *   reply; @xmpp/jid runs ten replaceAll over each local part), although nothing we run reads them. Here
 *   they are parsed when first read. A sender the parser refuses (from='@', which only a hostile server
 *   lets through) no longer throws out of the socket's data handler: it reads as no address.
 * - koa-compose rebuilds (flattens and checks) the whole chain for each stanza. Here the chain is an
 *   array replaced whenever a middleware is added, so a stanza being handled keeps the chain it started
 *   with, as before.
 *
 * Incoming: a chain's answer (an iq reply from the callee) is sent, and whatever a middleware throws
 * becomes the entity's 'error' event, as with xmpp.js. Outgoing filters only look; one that fails is
 * reported the same way instead of becoming an unhandled rejection.
 */
import { jid } from '@xmpp/client';
import type { Client } from '@xmpp/client-core';
import type { JID } from '@xmpp/jid';
import type { Middleware, MiddlewareApi } from '@xmpp/middleware';
import type { Element } from '@xmpp/xml';

/** What a middleware gets: the stanza and, read on demand, its addresses (@xmpp/middleware's Context). */
class Context {
  readonly name: string;
  readonly id: string;
  readonly type: string;
  /** For iq handlers: the request's single child element (set by @xmpp/iq's callee). */
  element?: Element;
  #addresses: { from: JID | null; to: JID | null } | undefined;

  constructor(
    readonly entity: Client,
    readonly stanza: Element,
    /** Incoming: `from` is the peer; outgoing: `to` is. */
    private readonly outgoing: boolean,
  ) {
    const { name, attrs } = stanza;
    this.name = name;
    this.id = attrs.id ?? '';
    this.type = attrs.type ?? (name === 'message' ? 'normal' : name === 'presence' ? 'available' : '');
  }

  /** The sender: the stanza's, or (incoming) our server's domain, or (outgoing) our own JID. */
  get from(): JID | null {
    return this.#parse().from;
  }

  /** The addressee: the stanza's, or (incoming) our own JID, or (outgoing) our server's domain. */
  get to(): JID | null {
    return this.#parse().to;
  }

  /** The peer's parts: the sender's for incoming stanzas, the addressee's for outgoing ones. */
  get local(): string {
    return this.#peer()?.local ?? '';
  }

  get domain(): string {
    return this.#peer()?.domain ?? '';
  }

  get resource(): string {
    return this.#peer()?.resource ?? '';
  }

  #peer(): JID | null {
    return this.outgoing ? this.to : this.from;
  }

  #parse(): { from: JID | null; to: JID | null } {
    if (this.#addresses) return this.#addresses;
    const own = this.entity.jid?.toString();
    const server = this.entity.options?.domain;
    const { from, to } = this.stanza.attrs;
    this.#addresses = this.outgoing
      ? { from: address(from || own), to: address(to || server) }
      : { from: address(from || server), to: address(to || own) };
    return this.#addresses;
  }
}

function address(text: string | undefined): JID | null {
  if (!text) return null;
  try {
    return jid(text);
  } catch {
    return null;
  }
}

/** Runs `chain` on `context` the way koa-compose does: each middleware gets a `next` for the rest. */
function run(chain: readonly Middleware[], context: Context): Promise<unknown> {
  let called = -1;
  const dispatch = (i: number): Promise<unknown> => {
    if (i <= called) return Promise.reject(new Error('next() called multiple times'));
    called = i;
    const fn = chain[i];
    if (!fn) return Promise.resolve();
    try {
      return Promise.resolve(fn(context, () => dispatch(i + 1)));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  };
  return dispatch(0);
}

export function createMiddleware({ entity }: { entity: Client }): MiddlewareApi {
  let incoming: readonly Middleware[] = [];
  let outgoing: readonly Middleware[] = [];
  const report = (error: unknown): void => void entity.emit('error', error);

  entity.on('element', (stanza: Element) => {
    run(incoming, new Context(entity, stanza, false))
      .then((reply) => (reply ? entity.send(reply as Element) : undefined))
      .catch(report);
  });
  entity.on('send', (stanza: Element) => {
    run(outgoing, new Context(entity, stanza, true)).catch(report);
  });

  // Each returns the middleware it was given, as xmpp.js's do.
  return {
    use(fn) {
      incoming = [...incoming, fn];
      return fn;
    },
    filter(fn) {
      outgoing = [...outgoing, fn];
      return fn;
    },
  };
}
