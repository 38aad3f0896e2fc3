/**
 * The connection's state machine (main/xmpp/connection-state.ts): "online" only for a bound stream,
 * left at once with the cause, reconnecting with the time of the next attempt, and stopped for
 * failures only the user can fix.
 */
import { describe, expect, it } from 'vitest';
import type { ConnectionState } from '../../../contract/index.js';
import { nextConnectionState as next, stopsReconnecting } from '../../../main/xmpp/connection-state.js';

const account = 'juliet@capulet.lit';
const shutdown = { code: 'protocol-error' as const, message: '127.0.0.1:5222 closed the stream (system-shutdown).' };

describe('connection state machine', () => {
  it('goes online only once bound, and leaves online at once when the stream is lost, saying why and when it tries again', () => {
    let state: ConnectionState = { status: 'offline' };
    state = next(state, { type: 'sign-in', account });
    expect(state).toEqual({ status: 'connecting', account });
    state = next(state, { type: 'bound', boundJid: `${account}/keyring-1` });
    expect(state).toEqual({ status: 'online', account, boundJid: `${account}/keyring-1` });
    state = next(state, { type: 'lost', cause: shutdown, attempt: 0, nextAttemptAt: Date.UTC(2026, 0, 1, 10, 0, 1), at: Date.UTC(2026, 0, 1, 10, 0, 0) });
    expect(state).toEqual({
      status: 'reconnecting',
      account,
      lostAt: '2026-01-01T10:00:00.000Z',
      cause: shutdown,
      attempt: 0,
      nextAttemptAt: '2026-01-01T10:00:01.000Z',
    });
    expect(state.boundJid).toBeUndefined();
  });

  it('while an attempt runs, shows no next-attempt time; a failed attempt shows the new cause and time, lost since the first', () => {
    const lostAt = '2026-01-01T10:00:00.000Z';
    let state: ConnectionState = { status: 'reconnecting', account, lostAt, cause: shutdown, attempt: 0, nextAttemptAt: '2026-01-01T10:00:01.000Z' };
    state = next(state, { type: 'attempt', attempt: 0 });
    expect(state).toEqual({ status: 'reconnecting', account, lostAt, cause: shutdown, attempt: 0 });
    const refused = { code: 'server-unreachable' as const, message: 'Cannot reach 127.0.0.1:5222: the connection was refused (no server listens on that port, or a firewall turns it away).' };
    state = next(state, { type: 'lost', cause: refused, attempt: 1, nextAttemptAt: Date.UTC(2026, 0, 1, 10, 0, 3), at: Date.UTC(2026, 0, 1, 10, 0, 2) });
    expect(state).toMatchObject({ status: 'reconnecting', lostAt, cause: refused, attempt: 1, nextAttemptAt: '2026-01-01T10:00:03.000Z' });
    state = next(state, { type: 'bound', boundJid: `${account}/keyring-2` });
    expect(state).toEqual({ status: 'online', account, boundJid: `${account}/keyring-2` });
  });

  it('a first sign-in that fails is refused, never "reconnecting"', () => {
    const connecting: ConnectionState = { status: 'connecting', account };
    expect(next(connecting, { type: 'lost', cause: shutdown, attempt: 0, nextAttemptAt: 0, at: 0 })).toBe(connecting);
    const error = { code: 'auth-failed' as const, message: 'The server rejected the address or password.' };
    expect(next(connecting, { type: 'refused', error })).toEqual({ status: 'failed', account, error });
  });

  it('stops (no retry loop) on a wrong password, a failed server proof, TLS or login no longer offered, an untrusted certificate', () => {
    for (const code of ['auth-failed', 'tls-required', 'auth-required', 'tls-untrusted'] as const) expect(stopsReconnecting(code)).toBe(true);
    for (const code of ['server-unreachable', 'timeout', 'protocol-error', 'not-connected'] as const) expect(stopsReconnecting(code)).toBe(false);
  });

  it('signing out keeps the account, drops everything else', () => {
    const state = next({ status: 'reconnecting', account, cause: shutdown, attempt: 3, nextAttemptAt: '2026-01-01T10:00:01.000Z' }, { type: 'signed-out' });
    expect(state).toEqual({ status: 'offline', account });
  });
});

describe('not answering while online', () => {
  const online = next({ status: 'connecting', account: 'juliet@capulet.lit' }, { type: 'bound', boundJid: 'juliet@capulet.lit/app' });

  it('silent marks the online state with since when; heard takes it off; a new stream starts without it', () => {
    const silent = next(online, { type: 'silent', since: Date.parse('2026-12-05T10:00:00Z') });
    expect(silent).toEqual({ ...online, unanswered: '2026-12-05T10:00:00.000Z' });
    expect(next(silent, { type: 'heard' })).toEqual(online);
    expect(next(silent, { type: 'bound', boundJid: 'juliet@capulet.lit/app2' })).not.toHaveProperty('unanswered');
  });

  it('only while online: reconnecting or offline states are left as they are', () => {
    const reconnecting = next(online, { type: 'lost', cause: { code: 'timeout', message: 'gone' }, attempt: 0, nextAttemptAt: 0, at: 0 });
    expect(next(reconnecting, { type: 'silent', since: 0 })).toBe(reconnecting);
    expect(next(reconnecting, { type: 'heard' })).toBe(reconnecting);
  });
});
