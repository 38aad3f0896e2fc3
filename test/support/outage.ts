/**
 * Server outages as a user lives them (issue 14): the account's own server killed (`kill -9`) or shut
 * down in order, for 3 s, 20 s and 60 s, several times in a row, with the app signed in throughout.
 * Each time: "online" is left within a few seconds, a write made during the outage is queued and runs
 * once the server is back, the app is online again within 15 s of the server's return, and no reply
 * the app gives meanwhile carries a library's words. Used by test/integration/outages.test.ts.
 */
import { expect } from 'vitest';
import type { ConnectionState, EventPayloads, IpcError, RequestChannel, RequestParams, Result } from '../../contract/index.js';
import type { KeyringCore } from '../../main/core.js';
import { fetchItems } from '../../main/xmpp/fetch-items.js';
import { NS } from '../../main/xmpp/namespaces.js';
import { freshAccount } from './accounts.js';
import { connect, openCore } from './app.js';
import { until } from './scenario.js';
import type { OutageControl, XmppTestServer } from './xmpp-server.js';

/** Words of Node, xmpp.js or ltx that must never reach a person. */
export const LIBRARY_WORDS = /Cannot read|of null|of undefined|TypeError|is not a function|write after end|Connection is closing|ERR_[A-Z_]+|\bat [\w.<>]+ \(/;

/** How long after the server is gone "online" may still be shown. */
export const LEAVE_ONLINE_MS = 3_000;
/** How long after the server is back the app may take to be online again. */
export const BACK_ONLINE_MS = 15_000;

export interface OutageCase {
  how: 'kill' | 'stop';
  seconds: number;
}

/** Every request's error, for the check that none carries a library's words. */
function recordingDispatch(core: KeyringCore, errors: IpcError[]) {
  return async <C extends RequestChannel>(channel: C, params: RequestParams<C>): Promise<Result<unknown>> => {
    const result = await core.dispatch(channel, params);
    if (!result.ok) errors.push(result.error);
    return result;
  };
}

export async function runOutages(
  server: XmppTestServer & OutageControl,
  domain: string,
  cases: OutageCase[],
  options: { afterRegistering?: () => Promise<void> } = {},
): Promise<void> {
  const opened = await openCore();
  const { core } = opened;
  const errors: IpcError[] = [];
  const states: { at: number; state: ConnectionState }[] = [];
  const ran: EventPayloads['queue:ran'][] = [];
  const unsubscribe = core.events.subscribe((event, payload) => {
    if (event === 'account:state') states.push({ at: Date.now(), state: payload as ConnectionState });
    if (event === 'queue:ran') ran.push(payload as EventPayloads['queue:ran']);
  });
  const dispatch = recordingDispatch(core, errors);
  const measured: string[] = [];
  try {
    const params = await freshAccount('juliet', domain, server.info);
    await options.afterRegistering?.();
    await connect(core, params);
    for (const [index, { how, seconds }] of cases.entries()) {
      const label = `${how} for ${seconds} s (#${index + 1})`;
      const { fingerprint } = await core.ownKeys.generate({ bits: 2048 });

      // Requests keep coming while the server goes down: each is answered or refused in the app's words.
      let hammering = true;
      const hammer = (async () => {
        while (hammering) {
          await dispatch('roster:list', undefined);
          await new Promise((r) => setTimeout(r, 10));
        }
      })();
      const goingDownAt = Date.now();
      await server.down(how);
      const downAt = Date.now();
      hammering = false;
      await hammer;
      await until(() => core.session.state.status !== 'online', `${label}: online left`, LEAVE_ONLINE_MS + 2_000);
      // The state pushed to every front end, timed: online is left within moments of the server going.
      const left = states.find((s) => s.state.status === 'reconnecting' && s.at >= goingDownAt);
      expect(left, `${label}: a 'reconnecting' state was pushed`).toBeDefined();
      const leftAfter = (left?.at ?? Infinity) - downAt;
      expect(leftAfter, `${label}: online left within ${LEAVE_ONLINE_MS} ms of the server going down`).toBeLessThanOrEqual(LEAVE_ONLINE_MS);
      expect(core.session.state).toMatchObject({ status: 'reconnecting', cause: { code: expect.any(String) as string } });

      // A write during the outage is kept for later; a question for the server is refused as 'not-connected';
      // the contact list answers from the copy main keeps (roster-service.ts).
      expect(await dispatch('keys:publish', { fingerprint, access: { model: 'open' } }), label).toMatchObject({ ok: true, value: { outcome: 'queued' } });
      expect(await dispatch('account:checkSupport', undefined), label).toMatchObject({ ok: false, error: { code: 'not-connected' } });
      expect(await dispatch('roster:list', undefined), label).toMatchObject({ ok: true });

      await new Promise((r) => setTimeout(r, Math.max(0, seconds * 1000 - (Date.now() - downAt))));
      expect(core.session.state.status, `${label}: still not online while the server is down`).toBe('reconnecting');
      await server.up();
      const upAt = Date.now();
      await until(() => core.session.state.status === 'online', `${label}: online again`, BACK_ONLINE_MS + 5_000).catch((error: unknown) => {
        throw new Error(`${String(error)}; last states: ${JSON.stringify(states.slice(-4).map((s) => s.state))}`);
      });
      const backAfter = Date.now() - upAt;
      expect(backAfter, `${label}: online within ${BACK_ONLINE_MS} ms of the server's return`).toBeLessThanOrEqual(BACK_ONLINE_MS);
      measured.push(`${how} ${seconds} s: online left ${leftAfter < 0 ? `${-leftAfter} ms before the server's processes were gone` : `${leftAfter} ms after the server was gone`}, back ${backAfter} ms after it returned`);

      // The write made during the outage ran, and the key is on the server.
      await until(() => ran.some((r) => r.action.kind === 'publish' && r.action.fingerprint === fingerprint), `${label}: the queued publish ran`, 20_000);
      expect(ran.find((r) => r.action.kind === 'publish' && r.action.fingerprint === fingerprint), label).toMatchObject({ ok: true });
      const items = await fetchItems(core.session.client.iqCaller, params.jid, NS.pubkey);
      expect(items.status === 'ok' && items.items.map((i) => i.id), label).toContain(fingerprint);
      expect(await dispatch('roster:list', undefined), label).toMatchObject({ ok: true });
    }
    console.info(`${server.info.kind}: ${measured.join('; ')}`);
    for (const error of errors) expect(error.message, `reply ${error.code}`).not.toMatch(LIBRARY_WORDS);
    for (const { state } of states) {
      for (const e of [state.error, state.cause]) if (e) expect(e.message, `state ${state.status}`).not.toMatch(LIBRARY_WORDS);
    }
  } finally {
    unsubscribe();
    await opened.stop();
  }
}
