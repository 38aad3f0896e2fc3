/**
 * The middleware every element goes through (main/xmpp/middleware.ts): xmpp.js's contract (order,
 * context, answers sent, failures reported) with addresses parsed only when read. Against real servers
 * it runs in every integration test; a sender no parser accepts is in test/integration/reply-origin.test.ts.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { jid, xml } from '@xmpp/client';
import type { Client } from '@xmpp/client-core';
import type { MiddlewareContext } from '@xmpp/middleware';
import type { Element } from '@xmpp/xml';
import { createMiddleware } from '../../../main/xmpp/middleware.js';

class Connection extends EventEmitter {
  jid = jid('juliet@capulet.lit/balcony');
  options = { domain: 'capulet.lit' };
  sent: Element[] = [];
  errors: unknown[] = [];
  constructor() {
    super();
    this.on('error', (error: unknown) => this.errors.push(error));
  }
  send(element: Element): Promise<void> {
    this.sent.push(element);
    return Promise.resolve();
  }
}

function setUp() {
  const connection = new Connection();
  const middleware = createMiddleware({ entity: connection as unknown as Client });
  return { connection, middleware };
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('the middleware', () => {
  it('runs incoming middleware in the order added; what the chain answers is sent', async () => {
    const { connection, middleware } = setUp();
    const seen: string[] = [];
    middleware.use((context, next) => (seen.push(`a:${context.stanza.name}`), next()));
    middleware.use((context, next) => (seen.push(`b:${context.stanza.name}`), context.stanza.name === 'iq' ? xml('iq', { type: 'result', id: context.id }) : next()));
    middleware.use((context) => void seen.push(`c:${context.stanza.name}`));
    connection.emit('element', xml('iq', { type: 'get', id: 'q1', from: 'romeo@montague.lit/orchard' }));
    connection.emit('element', xml('message', { from: 'romeo@montague.lit/orchard' }));
    await settled();
    expect(seen).toEqual(['a:iq', 'b:iq', 'a:message', 'b:message', 'c:message']);
    expect(connection.sent.map((s) => s.toString())).toEqual([`<iq type="result" id="q1"/>`]);
  });

  it('gives the context xmpp.js gives: type defaults, and the addresses, defaulted like xmpp.js (our server, our JID)', async () => {
    const { connection, middleware } = setUp();
    const contexts: MiddlewareContext[] = [];
    middleware.use((context) => void contexts.push(context));
    connection.emit('element', xml('message', { from: 'Romeo@montague.lit/orchard', id: 'm1' }));
    connection.emit('element', xml('presence', {}));
    await settled();
    const [message, presence] = contexts as [MiddlewareContext & Record<string, unknown>, MiddlewareContext & Record<string, unknown>];
    expect([message.id, message.type, String(message.from), String(message.to)]).toEqual(['m1', 'normal', 'romeo@montague.lit/orchard', 'juliet@capulet.lit/balcony']);
    expect([message.local, message.domain, message.resource]).toEqual(['romeo', 'montague.lit', 'orchard']);
    expect([presence.id, presence.type, String(presence.from), presence.local, presence.domain]).toEqual(['', 'available', 'capulet.lit', '', 'capulet.lit']);
  });

  it('a middleware that throws or rejects is reported as the connection’s error, and the next stanza is handled as usual', async () => {
    const { connection, middleware } = setUp();
    const handled: string[] = [];
    middleware.use((context, next) => {
      if (context.id === 'boom') throw new Error('thrown');
      if (context.id === 'reject') return Promise.reject(new Error('rejected'));
      return next();
    });
    middleware.use((context) => void handled.push(context.id));
    middleware.filter(() => Promise.reject(new Error('filter failed')));
    for (const id of ['boom', 'reject', 'fine']) connection.emit('element', xml('iq', { type: 'result', id }));
    connection.emit('send', xml('iq', { type: 'get', id: 'out' }));
    await settled();
    expect(connection.errors.map((e) => (e as Error).message).sort()).toEqual(['filter failed', 'rejected', 'thrown']);
    expect(handled).toEqual(['fine']);
  });

  it('an address no parser accepts reads as none, instead of throwing', async () => {
    const { connection, middleware } = setUp();
    const contexts: MiddlewareContext[] = [];
    middleware.use((context) => void contexts.push(context));
    connection.emit('element', xml('message', { from: '@' }));
    await settled();
    expect(contexts[0]?.from).toBeNull();
    expect(connection.errors).toEqual([]);
  });
});
