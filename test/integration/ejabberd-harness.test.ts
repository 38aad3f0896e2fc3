/**
 * Proves the ejabberd harness (test/support/ejabberd.ts): a real ejabberd starts, takes an account made
 * with ejabberdctl, lets the app's own session log in over verified STARTTLS and find PEP with
 * publish-options, and is gone without a trace after stop().
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppEvents } from '../../main/events.js';
import { silentLogger } from '../../main/logger.js';
import { AccountSession } from '../../main/xmpp/session.js';
import type { ConnectionState } from '../../contract/index.js';
import { startEjabberd } from '../support/ejabberd.js';
import { registerAccount, type XmppTestServer } from '../support/xmpp-server.js';

const run = promisify(execFile);

/** PIDs of processes whose command line names this node (pgrep exits 1 when there are none). */
async function processesOf(node: string): Promise<string[]> {
  try {
    const { stdout } = await run('pgrep', ['-f', node]);
    return stdout.split('\n').filter(Boolean);
  } catch (error) {
    if ((error as { code?: number }).code === 1) return [];
    throw error;
  }
}

function nodeName(server: XmppTestServer): string {
  const node = server.info.ctl.args[server.info.ctl.args.indexOf('--node') + 1];
  if (!node) throw new Error('no --node in the ctl args');
  return node;
}

let server: XmppTestServer | undefined;
let startMs = 0;

beforeAll(async () => {
  const t0 = performance.now();
  server = await startEjabberd();
  startMs = performance.now() - t0;
  console.info(`ejabberd started in ${Math.round(startMs)} ms (port ${server.info.port}, node ${nodeName(server)})`);
}, 120_000);

afterAll(async () => {
  await server?.stop();
}, 120_000);

describe('the real ejabberd test server', () => {
  it('is running, loopback-only, under a node name of its own', async () => {
    const s = server!;
    expect(s.info.kind).toBe('ejabberd');
    expect(s.info.host).toBe('127.0.0.1');
    expect(s.info.domains).toEqual(['capulet.lit', 'montague.lit']);
    expect(nodeName(s)).toMatch(/^keyring-test-[0-9a-f]{8}@localhost$/);
    expect(await processesOf(nodeName(s))).not.toEqual([]);
    expect(startMs).toBeGreaterThan(0);
  });

  it('takes an account from ejabberdctl and lets the app log in and find PEP with publish-options', async () => {
    const s = server!;
    await registerAccount(s.info, 'juliet', 'capulet.lit', 'pw');

    const events = new AppEvents();
    const states: ConnectionState[] = [];
    events.subscribe((event, payload) => {
      if (event === 'account:state') states.push(payload as ConnectionState);
    });
    const session = new AccountSession({ events, log: silentLogger });
    try {
      const state = await session.connect({
        jid: 'juliet@capulet.lit',
        password: 'pw',
        host: s.info.host,
        port: s.info.port,
        caFile: s.info.caFile,
      });
      expect(state.status).toBe('online');
      expect(state.boundJid).toMatch(/^juliet@capulet\.lit\/keyring-[0-9a-f]{8}$/);
      expect(states.map((x) => x.status)).toEqual(['connecting', 'online']);

      const support = await session.checkSupport();
      console.info(`ejabberd PEP support: ${JSON.stringify(support)}`);
      // ejabberd, like Prosody, answers for PEP on the account's bare JID, which the app asks first.
      expect(support.queried).toBe('juliet@capulet.lit');
      expect(support.pep).toBe(true);
      expect(support.publishOptions).toBe(true);
      expect(support.pubsubFeatures).toContain('publish-options');
      // What ejabberd 23.01 was measured to drop: pushes to whitelisted non-contacts, and retractions.
      expect(support.software).toMatchObject({ name: 'ejabberd', version: expect.stringMatching(/^23\.01/) as string });
      expect(support.notifications).toEqual({
        remoteContacts: 'delivered',
        whitelistMembers: 'not-delivered',
        retractions: 'not-delivered',
        measuredOn: 'ejabberd 23.01',
      });
    } finally {
      await session.disconnect();
    }
  });

  it('refuses a login that does not trust the test CA', async () => {
    const s = server!;
    const session = new AccountSession({ events: new AppEvents(), log: silentLogger });
    const error = await session
      .connect({ jid: 'juliet@capulet.lit', password: 'pw', host: s.info.host, port: s.info.port })
      .catch((e: unknown) => e);
    await session.disconnect();
    expect((error as { code?: string }).code).toBe('tls-untrusted');
  });

  it('leaves nothing running after stop()', async () => {
    const s = server!;
    const node = nodeName(s);
    const t0 = performance.now();
    await s.stop();
    server = undefined;
    console.info(`ejabberd stopped in ${Math.round(performance.now() - t0)} ms`);
    expect(await processesOf(node)).toEqual([]);
  }, 60_000);
});
