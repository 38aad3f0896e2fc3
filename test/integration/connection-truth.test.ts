/**
 * What the connection state says is true (main/xmpp/session.ts, connection-state.ts), against a
 * Prosody of this file's own (it is frozen, stopped and changed under the app): a server that hangs
 * without closing the socket is found out by an unanswered ping (XEP-0199) and online is left; a
 * password that no longer works stops reconnecting instead of looping; "Reconnect now" does not wait
 * for the back-off.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { xml } from '@xmpp/client';
import { AppEvents } from '../../main/events.js';
import { silentLogger } from '../../main/logger.js';
import { AccountSession, type AccountSessionDeps } from '../../main/xmpp/session.js';
import type { ConnectionState } from '../../contract/index.js';
import { freshAccount } from '../support/accounts.js';
import { startProsody, type RestartableServer } from '../support/prosody.js';
import { LIBRARY_WORDS } from '../support/outage.js';
import { until } from '../support/scenario.js';

const run = promisify(execFile);
let server: RestartableServer;

beforeAll(async () => {
  server = await startProsody({ domains: ['capulet.lit'] });
}, 30_000);
afterAll(async () => {
  server?.thaw();
  await server?.stop();
});

function session(deps: Partial<AccountSessionDeps> = {}): { session: AccountSession; states: ConnectionState[] } {
  const events = new AppEvents();
  const states: ConnectionState[] = [];
  events.subscribe((event, payload) => event === 'account:state' && states.push(payload as ConnectionState));
  return { session: new AccountSession({ events, log: silentLogger, ...deps }), states };
}

async function authenticationsOf(jid: string): Promise<number> {
  const log = await readFile(join(server.dir, 'prosody.log'), 'utf8');
  return log.split('\n').filter((l) => l.includes(`Authenticated as ${jid}`)).length;
}

describe('the connection state tells the truth', () => {
  it('a server that hangs with the socket open is found out by an unanswered ping: online is left, and comes back after', async () => {
    const params = await freshAccount('juliet', 'capulet.lit', server.info);
    const { session: juliet, states } = session({ liveness: { quietMs: 1_000, answerMs: 1_500 }, retryDelay: () => 500 });
    try {
      await juliet.connect(params);
      server.freeze();
      const frozenAt = Date.now();
      await until(() => juliet.state.status !== 'online', 'online left', 10_000);
      // quiet 1 s + answer 1.5 s, plus a busy machine's slack.
      expect(Date.now() - frozenAt).toBeLessThan(6_000);
      expect(states.find((s) => s.status === 'reconnecting')).toMatchObject({ cause: { code: 'timeout', message: expect.stringMatching(/did not answer a ping/) as string } });
      await expect(juliet.iq.get(xmlPing())).rejects.toMatchObject({ code: 'not-connected', message: expect.stringMatching(/reconnecting/) as string });
      server.thaw();
      await until(() => juliet.state.status === 'online', 'online again', 20_000);
    } finally {
      server.thaw();
      await juliet.disconnect();
    }
  }, 45_000);

  it('with the default times, a request to a hung server says "not answering" within seconds and leaves online soon after, not a minute later', async () => {
    // The user walk: a frozen Prosody kept "Online" (and contacts' green dots) for 35–70 s while a
    // Refresh spun: the default quiet period is a minute, and a request's own timeout 30 s.
    const params = await freshAccount('nurse', 'capulet.lit', server.info);
    const { session: nurse, states } = session({ retryDelay: () => 60_000 });
    try {
      await nurse.connect(params);
      server.freeze();
      const frozenAt = Date.now();
      const request = nurse.iq.get(xml('query', { xmlns: 'http://jabber.org/protocol/disco#info' })).catch(() => undefined);
      await until(() => nurse.state.unanswered !== undefined, 'not answering', 10_000);
      // slowMs 5 s (seen within 1.25 × that), then 1 s for the ping to be answered.
      expect(Date.now() - frozenAt).toBeLessThan(9_000);
      expect(nurse.state.status).toBe('online');
      expect(Date.parse(nurse.state.unanswered ?? '')).toBeLessThanOrEqual(frozenAt + 100);
      await until(() => nurse.state.status !== 'online', 'online left', 20_000);
      // + the ping's 10 s.
      expect(Date.now() - frozenAt).toBeLessThan(19_000);
      expect(states.find((s) => s.status === 'reconnecting')).toMatchObject({ cause: { code: 'timeout' } });
      await request;
    } finally {
      server.thaw();
      await nurse.disconnect();
    }
  }, 45_000);

  it('a password that stopped working while the server was down stops reconnecting (no retry loop), saying why', async () => {
    const params = await freshAccount('romeo', 'capulet.lit', server.info);
    const { session: romeo, states } = session({ retryDelay: () => 300 });
    try {
      await romeo.connect(params);
      await server.down('stop');
      await until(() => romeo.state.status === 'reconnecting', 'reconnecting');
      // The account's password changes while the server is down (prosodyctl writes its data directly).
      const [local, domain] = params.jid.split('@') as [string, string];
      await run(server.info.ctl.command, [...server.info.ctl.args, 'deluser', params.jid]);
      await run(server.info.ctl.command, [...server.info.ctl.args, 'register', local, domain, 'a new password']);
      const before = await authenticationsOf(params.jid);
      await server.up();
      await until(() => romeo.state.status === 'failed', 'stopped', 15_000);
      expect(romeo.state).toMatchObject({ status: 'failed', account: params.jid, error: { code: 'auth-failed' } });
      // Retries every 300 ms would be about ten attempts in 3 s; a stopped session makes none.
      const statesWhenStopped = states.length;
      await new Promise((r) => setTimeout(r, 3_000));
      expect(states.slice(statesWhenStopped)).toEqual([]);
      expect(await authenticationsOf(params.jid)).toBe(before);
      expect(romeo.state.status).toBe('failed');
    } finally {
      await romeo.disconnect();
    }
  }, 60_000);

  it('"Reconnect now" starts the next attempt at once instead of after the back-off', async () => {
    const params = await freshAccount('benvolio', 'capulet.lit', server.info);
    const { session: benvolio } = session({ retryDelay: () => 60_000 });
    try {
      await benvolio.connect(params);
      await server.down('kill');
      await until(() => benvolio.state.status === 'reconnecting', 'reconnecting');
      expect(Date.parse(benvolio.state.nextAttemptAt ?? '') - Date.now()).toBeGreaterThan(50_000);
      await server.up();
      const upAt = Date.now();
      expect(benvolio.reconnectNow()).toMatchObject({ status: 'reconnecting' });
      await until(() => benvolio.state.status === 'online', 'online after Reconnect now', 10_000);
      expect(Date.now() - upAt).toBeLessThan(10_000);
    } finally {
      await benvolio.disconnect();
    }
  }, 45_000);

  it('a request on a socket that just went away is refused as not-connected, never in the socket\'s words', async () => {
    const params = await freshAccount('tybalt', 'capulet.lit', server.info);
    const { session: tybalt } = session({ retryDelay: () => 60_000 });
    try {
      await tybalt.connect(params);
      // The socket dies; xmpp.js hears of it only on a later turn of the event loop, so the request
      // below still goes out "online" and its write fails.
      const transport = tybalt.client.entity.socket as { socket?: { destroy(): void } };
      transport.socket?.destroy();
      const failure = await tybalt.iq.get(xmlPing()).then(() => undefined, (error: unknown) => error);
      expect(failure).toMatchObject({ code: 'not-connected' });
      expect((failure as Error).message).not.toMatch(LIBRARY_WORDS);
      await until(() => tybalt.state.status === 'reconnecting', 'reconnecting');
    } finally {
      await tybalt.disconnect();
    }
  });
});

function xmlPing() {
  return xml('ping', { xmlns: 'urn:xmpp:ping' });
}
