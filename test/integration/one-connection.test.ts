/**
 * One connection per account session, and nothing left behind (main/xmpp/session.ts). Against a Prosody
 * of its own (it is restarted during the test), whose log says which connections authenticated and
 * which closed: two concurrent sign-ins leave exactly one session on the server; signing out, whatever
 * the state, leaves no session, socket, timer or reconnect, even across a server restart.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppEvents } from '../../main/events.js';
import { silentLogger } from '../../main/logger.js';
import { createKeyringCore } from '../../main/core.js';
import { AccountSession } from '../../main/xmpp/session.js';
import type { ConnectParams } from '../../contract/index.js';
import { startProsody, type RestartableServer } from '../support/prosody.js';
import { until } from '../support/scenario.js';
import { registerAccount } from '../support/xmpp-server.js';

let server: RestartableServer;
let juliet: ConnectParams;

beforeAll(async () => {
  server = await startProsody({ domains: ['capulet.lit'] });
  await registerAccount(server.info, 'juliet', 'capulet.lit', 'one-connection-pw');
  juliet = { jid: 'juliet@capulet.lit', password: 'one-connection-pw', host: server.info.host, port: server.info.port, caFile: server.info.caFile };
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

/** Prosody's own account of it: connections that authenticated as juliet and have not closed. */
async function julietSessionsOnServer(): Promise<string[]> {
  const log = await readFile(join(server.dir, 'prosody.log'), 'utf8');
  const open = new Set<string>();
  for (const line of log.split('\n')) {
    // "Dec 02 06:38:37 c2s5648631d11f0<TAB>info<TAB>Authenticated as juliet@capulet.lit"
    const [head = '', , message = ''] = line.split('\t');
    const connection = head.split(' ').at(-1) ?? '';
    if (message.startsWith('Authenticated as juliet@capulet.lit')) open.add(connection);
    if (message.startsWith('Client disconnected')) open.delete(connection);
  }
  return [...open];
}
async function authenticationsSoFar(): Promise<number> {
  const log = await readFile(join(server.dir, 'prosody.log'), 'utf8');
  return log.split('\n').filter((l) => l.includes('Authenticated as juliet@capulet.lit')).length;
}

/** The process's live sockets and timers (TCP, TLS, setTimeout). */
function handles(): { sockets: number; timers: number } {
  const info = process.getActiveResourcesInfo();
  return { sockets: info.filter((r) => r === 'TCPSocketWrap' || r === 'TLSWrap').length, timers: info.filter((r) => r === 'Timeout').length };
}

describe('one connection at a time', () => {
  it('two concurrent account:connect leave exactly one session on the server; the replaced one fails; sign-out leaves none', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'keyring-oneconn-'));
    const core = createKeyringCore({ host: 'cli', version: 'test', log: silentLogger, dataDir });
    try {
      const before = handles();
      const results = await Promise.all([core.dispatch('account:connect', juliet), core.dispatch('account:connect', juliet)]);
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(results.find((r) => !r.ok)).toMatchObject({ ok: false, error: { code: 'not-connected', message: expect.stringMatching(/replaced by a newer one/) as string } });
      await until(async () => (await julietSessionsOnServer()).length === 1, 'one session at the server');
      await new Promise((r) => setTimeout(r, 1500));
      expect(await julietSessionsOnServer()).toHaveLength(1);

      // Signing in again while online replaces the live session: still one.
      expect(await core.dispatch('account:connect', juliet)).toMatchObject({ ok: true });
      await until(async () => (await julietSessionsOnServer()).length === 1, 'the old session closed at the server');

      expect(await core.dispatch('account:disconnect', undefined)).toMatchObject({ ok: true, value: { status: 'offline' } });
      await until(async () => (await julietSessionsOnServer()).length === 0, 'no session at the server');
      await until(() => handles().sockets <= before.sockets && handles().timers <= before.timers, 'no socket or timer left in the process');
    } finally {
      await core.dispose();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('signing out during a sign-in cancels it and leaves nothing, at the server or here', async () => {
    const before = handles();
    const session = new AccountSession({ events: new AppEvents(), log: silentLogger });
    const outcome = session.connect(juliet).then(() => 'signed in', (error: unknown) => error);
    await until(() => session.state.status === 'connecting', 'signing in');
    await session.disconnect();
    expect(await outcome).toMatchObject({ code: 'not-connected' });
    expect(session.state.status).toBe('offline');
    await new Promise((r) => setTimeout(r, 1500));
    expect(await julietSessionsOnServer()).toEqual([]);
    await until(() => handles().sockets <= before.sockets && handles().timers <= before.timers, 'no socket or timer left in the process');
  });

  it('after signing out, and after signing out while reconnecting, a server restart brings no reconnect', async () => {
    const before = handles();
    const session = new AccountSession({ events: new AppEvents(), log: silentLogger });
    await session.connect(juliet);
    await server.pause();
    await until(() => session.state.status === 'reconnecting', 'reconnecting after the server went away');
    await session.disconnect();
    const authenticated = await authenticationsSoFar();
    await server.resume();
    // The first reconnect would come after about 1 s (backoff.ts), the next about 2 s later.
    await new Promise((r) => setTimeout(r, 4000));
    expect(await authenticationsSoFar()).toBe(authenticated);
    expect(session.state.status).toBe('offline');
    await until(() => handles().sockets <= before.sockets && handles().timers <= before.timers, 'no socket or timer left in the process');

    // And a clean sign-out from a live session, then a restart: nothing comes back either.
    await session.connect(juliet);
    await session.disconnect();
    const afterSignOut = await authenticationsSoFar();
    await server.pause();
    await server.resume();
    await new Promise((r) => setTimeout(r, 3000));
    expect(await authenticationsSoFar()).toBe(afterSignOut);
  }, 45_000);
});
