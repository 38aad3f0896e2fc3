/**
 * The IQ caller's bookkeeping (main/xmpp/iq-requests.ts): ids, timers, and how a request ends when no
 * answer comes or the connection goes. Which sender may answer is in reply-origin.test.ts, and the
 * caller against real servers and a hostile one in test/integration/reply-origin.test.ts.
 */
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { jid, xml } from '@xmpp/client';
import type { Client } from '@xmpp/client-core';
import _middleware from '@xmpp/middleware';
import type { Element } from '@xmpp/xml';
import { KeyringError } from '../../../main/errors.js';
import { silentLogger } from '../../../main/logger.js';
import { createIqRequests } from '../../../main/xmpp/iq-requests.js';

/** Just enough of a connection: what is sent is kept, what the test answers goes through the middleware. */
class Connection extends EventEmitter {
  jid = jid('juliet@capulet.lit/balcony');
  status = 'online';
  options = { domain: 'capulet.lit' };
  sent: Element[] = [];
  failWrites = false;
  send(element: Element): Promise<void> {
    if (this.failWrites) return Promise.reject(new TypeError("Cannot read properties of null (reading 'write')"));
    this.sent.push(element);
    this.emit('send', element);
    return Promise.resolve();
  }
  answer(request: Element): void {
    const payload = request.getChildElements()[0];
    const reply = xml(payload?.name ?? 'x', { xmlns: payload?.attrs.xmlns, answered: 'yes' });
    this.emit('element', xml('iq', { type: 'result', id: request.attrs.id, from: request.attrs.to }, reply));
  }
}

function caller() {
  const connection = new Connection();
  const entity = connection as unknown as Client;
  const requests = createIqRequests({ entity, middleware: _middleware({ entity }), domain: 'capulet.lit', log: silentLogger });
  return { connection, ...requests };
}

const ping = () => xml('ping', { xmlns: 'urn:xmpp:ping' });

afterEach(() => {
  vi.useRealTimers();
});

describe('the IQ caller', () => {
  it('gives every request its own random id: 64 bits, no counter a contact could read how many requests went to others from', async () => {
    const { connection, iqCaller, rejectPending } = caller();
    const waiting = Array.from({ length: 2000 }, (_, i) => iqCaller.get(ping(), `contact-${i}@montague.lit`).catch(() => undefined));
    const ids = connection.sent.map((s) => s.attrs.id ?? '');
    expect(ids).toHaveLength(2000);
    expect(new Set(ids).size).toBe(2000);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{16}$/);
    // Consecutive ids share no leading half (a counter behind a fixed prefix would share it every time).
    const sharedPrefixes = ids.slice(1).filter((id, i) => id.slice(0, 8) === ids[i]?.slice(0, 8));
    expect(sharedPrefixes).toEqual([]);
    rejectPending(new KeyringError('not-connected', 'gone'));
    await Promise.all(waiting);
  });

  it('tells of each request that timed out, with when it went out, before the request fails; an answered one is not told of', async () => {
    vi.useFakeTimers();
    const { connection, iqCaller, onUnanswered } = caller();
    const told: number[] = [];
    const unsubscribe = onUnanswered((sentAt) => told.push(sentAt));
    const sentAt = Date.now();
    const unanswered = iqCaller.get(ping(), 'romeo@montague.lit', 5000).catch((error: unknown) => ({ error, toldBefore: [...told] }));
    const answered = iqCaller.get(ping(), 'nurse@capulet.lit', 5000);
    connection.answer(connection.sent[1] as Element);
    await answered;
    await vi.advanceTimersByTimeAsync(5000);
    expect(await unanswered).toMatchObject({ error: { code: 'timeout' }, toldBefore: [sentAt] });
    unsubscribe();
    const later = iqCaller.get(ping(), 'romeo@montague.lit', 1000).catch(() => undefined);
    await vi.advanceTimersByTimeAsync(1000);
    await later;
    expect(told).toEqual([sentAt]);
  });

  it('an answered request leaves no timer behind', async () => {
    vi.useFakeTimers();
    const { connection, iqCaller } = caller();
    const asked = iqCaller.get(ping(), 'romeo@montague.lit', 5000);
    expect(vi.getTimerCount()).toBe(1);
    connection.answer(connection.sent[0] as Element);
    expect((await asked)?.attrs.answered).toBe('yes');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a request nobody answers fails after its timeout, saying who did not answer what, and a late answer changes nothing', async () => {
    vi.useFakeTimers();
    const { connection, iqCaller } = caller();
    const asked = iqCaller.get(xml('pubsub', { xmlns: 'http://jabber.org/protocol/pubsub' }, xml('items', { node: 'urn:xmpp:pubkey:2' })), 'romeo@montague.lit', 5000);
    const failure = asked.catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(4999);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(await failure).toMatchObject({
      code: 'timeout',
      message: 'romeo@montague.lit did not answer the request for pubsub items of urn:xmpp:pubkey:2 within 5 s.',
    });
    expect(vi.getTimerCount()).toBe(0);
    expect(() => connection.answer(connection.sent[0] as Element)).not.toThrow();
  });

  it('a write on a connection that went away fails as not-connected, not in the socket’s words', async () => {
    const { connection, iqCaller } = caller();
    connection.failWrites = true;
    connection.status = 'disconnect';
    await expect(iqCaller.get(ping(), 'romeo@montague.lit')).rejects.toMatchObject({
      code: 'not-connected',
      message: 'The connection was lost while sending the request for ping.',
    });
  });

  it('requests still waiting when the connection goes fail at once with the reason given, and their timers go with them', async () => {
    vi.useFakeTimers();
    const { iqCaller, rejectPending } = caller();
    const waiting = [iqCaller.get(ping(), 'romeo@montague.lit'), iqCaller.set(ping())].map((p) => p.catch((error: unknown) => error));
    rejectPending(new KeyringError('not-connected', 'The connection to the server was lost before it answered.'));
    for (const failure of await Promise.all(waiting)) expect(failure).toMatchObject({ code: 'not-connected' });
    expect(vi.getTimerCount()).toBe(0);
  });
});
