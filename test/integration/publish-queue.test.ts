/**
 * keys:publish while offline is kept (the core decides, and answers 'queued'), shown as pending,
 * survives an app restart, and runs on reconnect, here across a real Prosody restart; a pending action
 * can be cancelled.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyringCore } from '../../main/core.js';
import { fetchItems } from '../../main/xmpp/fetch-items.js';
import { NS } from '../../main/xmpp/namespaces.js';
import type { ConnectParams, EventPayloads, QueuedActionView } from '../../contract/index.js';
import { startProsody, type RestartableServer } from '../support/prosody.js';
import { freshAccount } from '../support/accounts.js';
import { openCore } from '../support/app.js';
import { nextEvent, until } from '../support/scenario.js';

const PASSPHRASE = 'queue test passphrase';

let server: RestartableServer;
const cleanup: (() => Promise<void>)[] = [];

beforeAll(async () => {
  // A Prosody of this file's own: the test takes it down, which the shared one must never be.
  server = await startProsody();
}, 30_000);
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
  await server.stop();
});

/** The app with a vault of its own; `dataDir` starts it again on an earlier one (a restart). */
async function app(dataDir?: string): Promise<{ core: KeyringCore; dataDir: string }> {
  const opened = await openCore({ passphrase: PASSPHRASE, ...(dataDir ? { dataDir } : {}) });
  cleanup.push(() => opened.stop());
  return opened;
}

function ran(core: KeyringCore): Promise<EventPayloads['queue:ran']> {
  return nextEvent(
    (l: (v: EventPayloads['queue:ran']) => void) =>
      core.events.subscribe((event, payload) => {
        if (event === 'queue:ran') l(payload as EventPayloads['queue:ran']);
      }),
    () => true,
    'the queued action to run',
    30_000,
  );
}

async function generate(core: KeyringCore): Promise<string> {
  return (await core.ownKeys.generate({ bits: 2048 })).fingerprint;
}

describe('publishing while offline', () => {
  it('queues while the server is down and publishes when it comes back', async () => {
    const params: ConnectParams = await freshAccount('juliet', 'capulet.lit', server.info);
    const { core } = await app();
    expect((await core.dispatch('account:connect', params)).ok).toBe(true);
    const fingerprint = await generate(core);

    await server.pause();
    await expect.poll(() => core.session.state.status, { timeout: 10_000 }).not.toBe('online');
    // Offline, the core keeps the publish for later and says so, with the key list as it stands.
    expect(await core.dispatch('keys:publish', { fingerprint, access: { model: 'open' } })).toMatchObject({
      ok: true,
      value: { outcome: 'queued', action: { kind: 'publish', fingerprint, access: { model: 'open' } }, keys: [{ fingerprint, publications: [] }] },
    });
    expect(await core.dispatch('queue:list', undefined)).toMatchObject({ ok: true, value: [{ kind: 'publish', fingerprint }] });

    const outcome = ran(core);
    await server.resume();
    expect(await outcome).toMatchObject({ ok: true, action: { kind: 'publish', fingerprint } });
    expect(await core.dispatch('queue:list', undefined)).toEqual({ ok: true, value: [] });
    const published = await fetchItems(core.session.client.iqCaller, params.jid, NS.pubkey);
    expect(published.status === 'ok' && published.items.map((i) => i.id)).toEqual([fingerprint]);
  }, 60_000);

  it('survives an app restart, and a cancelled action never runs', async () => {
    const params = await freshAccount('romeo', 'montague.lit', server.info);
    const first = await app();
    expect((await first.core.dispatch('account:connect', params)).ok).toBe(true);
    const keep = await generate(first.core);
    const drop = await generate(first.core);
    await first.core.dispatch('account:disconnect', undefined);

    await first.core.dispatch('keys:publish', { fingerprint: keep, access: { model: 'presence' } });
    const queued = await first.core.dispatch('keys:publish', { fingerprint: drop, access: { model: 'presence' } });
    const dropId = queued.ok ? (queued.value as { action: QueuedActionView }).action.id : undefined;
    expect(await first.core.dispatch('queue:cancel', { id: dropId ?? '' })).toMatchObject({ ok: true, value: [{ fingerprint: keep }] });
    await first.core.dispose();

    // The app starts again with the same vault: the pending publish is still there and runs on connect.
    const second = await app(first.dataDir);
    const outcome = ran(second.core);
    expect((await second.core.dispatch('account:connect', params)).ok).toBe(true);
    expect(await outcome).toMatchObject({ ok: true, action: { fingerprint: keep } });
    const items = await fetchItems(second.core.session.client.iqCaller, params.jid, NS.pubkey);
    expect(items.status === 'ok' && items.items.map((i) => i.id)).toEqual([keep]);
    expect(await second.core.dispatch('queue:cancel', { id: dropId ?? '' })).toMatchObject({ ok: false, error: { code: 'not-found' } });
  }, 60_000);

  it('every write made while reconnecting (key publish and retract, profile, contact add, regroup, remove) waits and runs in the order asked', async () => {
    const params = await freshAccount('nurse', 'capulet.lit', server.info);
    const romeo = await freshAccount('romeo', 'capulet.lit', server.info);
    const benvolio = await freshAccount('benvolio', 'capulet.lit', server.info);
    const { core } = await app();
    expect((await core.dispatch('account:connect', params)).ok).toBe(true);
    const [kept, withdrawn] = [await generate(core), await generate(core)];
    expect(await core.dispatch('keys:publish', { fingerprint: withdrawn, access: { model: 'open' } })).toMatchObject({ ok: true, value: { outcome: 'published' } });
    expect(await core.dispatch('roster:add', { jid: benvolio.jid, groups: [] })).toMatchObject({ ok: true, value: { outcome: 'done' } });
    const ranInOrder: EventPayloads['queue:ran'][] = [];
    core.events.subscribe((event, payload) => event === 'queue:ran' && ranInOrder.push(payload as EventPayloads['queue:ran']));

    await server.pause();
    await expect.poll(() => core.session.state.status, { timeout: 10_000 }).toBe('reconnecting');
    const asked = [
      await core.dispatch('keys:publish', { fingerprint: kept, access: { model: 'open' } }),
      await core.dispatch('keys:retract', { fingerprint: withdrawn }),
      await core.dispatch('profile:publish', { profile: { nickname: 'Nurse', emails: [], phones: [], urls: [] }, access: { model: 'presence' } }),
      await core.dispatch('roster:add', { jid: romeo.jid, name: 'Romeo', groups: ['Friends'] }),
      await core.dispatch('roster:setGroups', { jid: romeo.jid, groups: ['Friends', 'Montagues'] }),
      await core.dispatch('roster:remove', { jid: benvolio.jid }),
    ];
    for (const answer of asked) expect(answer).toMatchObject({ ok: true, value: { outcome: 'queued' } });
    const kinds = ['publish', 'retract', 'profile-publish', 'roster-add', 'roster-groups', 'roster-remove'];
    expect(await core.dispatch('queue:list', undefined)).toMatchObject({ ok: true, value: kinds.map((kind) => ({ kind })) });

    await server.resume();
    await until(() => ranInOrder.length === kinds.length, 'every queued write ran', 30_000);
    expect(ranInOrder.map((r) => [r.action.kind, r.ok])).toEqual(kinds.map((kind) => [kind, true]));
    const keys = await fetchItems(core.session.client.iqCaller, params.jid, NS.pubkey);
    expect(keys.status === 'ok' && keys.items.map((i) => i.id)).toEqual([kept]);
    const nick = await fetchItems(core.session.client.iqCaller, params.jid, NS.nick);
    expect(nick.status === 'ok' && nick.items.length).toBe(1);
    const roster = await core.api.roster.list();
    expect(roster.ok && roster.value.map((c) => [c.jid, c.name, [...c.groups].sort()])).toEqual([[romeo.jid, 'Romeo', ['Friends', 'Montagues']]]);
  }, 60_000);
});
