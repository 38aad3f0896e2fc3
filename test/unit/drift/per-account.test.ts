/**
 * A drift report is about one account. Romeo's key node was opened to anyone by another app of his, and
 * the watch found it; then he signs out and mercutio is tried (password refused), connects, or comes
 * online. Under mercutio, romeo's report is never the answer nor announced, and Restore or Accept asked
 * from a window that still shows romeo's report changes nothing of mercutio's; romeo signed in again
 * has his own report back and is read again. Each account has its own PEP service in memory, behind one
 * session that switches account as the real one does (connection-state.ts: the account is the one tried
 * from sign-in on).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConnectionState, DriftReport, EventName } from '../../../contract/index.js';
import { KeyringError } from '../../../main/errors.js';
import { AppEvents } from '../../../main/events.js';
import { createDispatcher } from '../../../main/ipc/dispatcher.js';
import { silentLogger } from '../../../main/logger.js';
import { DriftWatch } from '../../../main/services/drift-watch.js';
import { OwnKeysStore } from '../../../main/vault/stores/own-keys-store.js';
import { PublishedNodesStore } from '../../../main/vault/stores/published-nodes-store.js';
import type { NodeState } from '../../../main/xmpp/node-state.js';
import { NS } from '../../../main/xmpp/namespaces.js';
import { publishPersistent, type PersistentNodeSpec } from '../../../main/xmpp/persistent-node.js';
import { pubkeyPayload } from '../../../main/xmpp/pubkey-items.js';
import { BASE_FIELDS, fakePep } from '../../support/fake-pep-service.js';
import { switchingSession, type SwitchingSession } from '../../support/switching-session.js';
import { stubHandlers } from '../../support/stub-handlers.js';
import { unlockedVaults } from '../../support/vaults.js';

const ROMEO = 'romeo@montague.lit';
const MERCUTIO = 'mercutio@verona.lit';
const KEYS = NS.pubkey;
const SPEC: PersistentNodeSpec = { node: KEYS, access: { model: 'presence' }, maxItems: 32 };

type Pep = ReturnType<typeof fakePep>;

/**
 * One session for both accounts, offline first: requests go to the PEP service of the account signed
 * in when they were sent (test/support/switching-session.ts).
 */
function sessionOver(peps: Record<string, Pep>): SwitchingSession {
  return switchingSession({
    initial: { status: 'offline' },
    answer: async ({ method, element, to, timeout, account }) => {
      const pep = account === undefined ? undefined : peps[account];
      if (!pep) throw new KeyringError('not-connected', 'Connect the account first.');
      return pep.ctx.iq[method](element, to, timeout);
    },
  });
}

/** Settles what the watch runs by itself (its sign-in check, reading memory-backed nodes). */
async function settle(): Promise<void> {
  for (let i = 0; i < 50; i++) await new Promise((resolve) => setImmediate(resolve));
}

function keyNode(report: DriftReport) {
  return report.nodes.find((n) => n.node === KEYS);
}

describe('a drift report is one account’s', () => {
  let dir: string;
  let drift: DriftWatch;
  let peps: Record<string, Pep>;
  let session: SwitchingSession;
  let published: PublishedNodesStore;
  let announced: { event: EventName; report: DriftReport; account: string | undefined }[];
  let keyNodeReads: { state: NodeState | undefined; account: string | undefined }[];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keyring-drift-account-'));
    peps = { [ROMEO]: fakePep({ fields: BASE_FIELDS, owner: ROMEO }), [MERCUTIO]: fakePep({ fields: BASE_FIELDS, owner: MERCUTIO }) };
    session = sessionOver(peps);
    const vaults = await unlockedVaults(dir);
    published = new PublishedNodesStore(vaults);
    // Each account published its key for contacts who see its presence, and the vault recorded it.
    for (const [account, pep] of Object.entries(peps)) {
      const id = `${account}-key`;
      const outcome = await publishPersistent(pep.ctx, SPEC, { id, payload: pubkeyPayload(Buffer.from(id)) });
      await published.recordPublish(account, KEYS, { access: SPEC.access, maxItems: SPEC.maxItems, config: outcome.config, item: { id } });
    }
    const events = new AppEvents();
    announced = [];
    events.subscribe((event, payload) => {
      if (event === 'drift:changed') announced.push({ event, report: payload as DriftReport, account: session.port.state.account });
    });
    keyNodeReads = [];
    drift = new DriftWatch({
      published,
      ownKeys: new OwnKeysStore(vaults),
      session: session.port,
      events,
      log: silentLogger,
      intervalMs: 3_600_000,
      settleMs: 3_600_000,
      onKeyNodeRead: (state) => keyNodeReads.push({ state, account: session.port.state.account }),
    });
    // Another app of romeo's opens his key node to anyone.
    peps[ROMEO]?.nodes.get(KEYS)?.config.set('pubsub#access_model', ['open']);
  });

  afterEach(async () => {
    drift.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** Romeo signs in: the watch's sign-in check finds his key node opened. */
  async function romeoWithAlarm(): Promise<void> {
    session.set({ status: 'online', account: ROMEO });
    drift.onOnline();
    await settle();
    expect(keyNode(drift.status())?.findings).toEqual([expect.objectContaining({ code: 'access-widened' })]);
  }

  it('romeo signed out keeps his report; mercutio tried, refused or connecting, has none of it', async () => {
    await romeoWithAlarm();
    session.set({ status: 'offline', account: ROMEO });
    expect(drift.status().severity).toBe('alarm');

    session.set({ status: 'connecting', account: MERCUTIO });
    expect(drift.status().nodes).toEqual([]);
    session.set({ status: 'failed', account: MERCUTIO, error: { code: 'auth-failed', message: 'The server rejected the address or password.' } });
    expect(drift.status().nodes).toEqual([]);
    expect(drift.status()).toEqual({ account: MERCUTIO, nodes: [] });
    expect(announced.filter((a) => a.account === MERCUTIO)).toEqual([]);
    // Romeo's own report is still his, while he is the one signed out.
    session.set({ status: 'offline', account: ROMEO });
    expect(drift.status()).toMatchObject({ account: ROMEO, severity: 'alarm' });
  });

  it('mercutio online: his own report is the answer and the news, never romeo’s', async () => {
    await romeoWithAlarm();
    session.set({ status: 'online', account: MERCUTIO });
    expect(drift.status().nodes).toEqual([]);
    drift.onOnline();
    await settle();
    expect(drift.status().severity).toBeUndefined();
    expect(drift.status()).toMatchObject({ account: MERCUTIO, nodes: [{ node: KEYS, findings: [] }] });
    expect(announced.map((a) => a.report.severity)).toEqual(['alarm', undefined]);
    for (const { report, account } of announced) expect(report.account).toBe(account);
  });

  it('Restore and Accept asked from romeo’s window under mercutio: refused in words, mercutio’s node untouched', async () => {
    await romeoWithAlarm();
    session.set({ status: 'online', account: MERCUTIO });
    // Mercutio's node was opened too: a Restore or Accept that went through would change his.
    peps[MERCUTIO]?.nodes.get(KEYS)?.config.set('pubsub#access_model', ['open']);
    const asked = () => peps[MERCUTIO]?.requests.length;
    const before = asked();
    // As the windows reach it: the window that still shows romeo's report names romeo beside the request.
    const dispatch = createDispatcher(
      stubHandlers({ drift: { restore: ({ node }) => drift.restore(node), accept: ({ node }) => drift.accept(node) } }),
      { logError: () => {}, workingAccount: () => session.port.state.account },
    );
    const refusal = { ok: false, error: { code: 'account-changed', message: `This was asked for ${ROMEO}, but the app now works for ${MERCUTIO}; nothing was done.` } };

    expect(await dispatch('drift:restore', { node: KEYS }, { account: ROMEO })).toEqual(refusal);
    expect(await dispatch('drift:accept', { node: KEYS }, { account: ROMEO })).toEqual(refusal);
    expect(await dispatch('drift:restore', {}, { account: ROMEO })).toEqual(refusal);
    expect(peps[MERCUTIO]?.value(KEYS, 'pubsub#access_model')).toBe('open');
    expect(asked()).toBe(before);
    expect(published.list(MERCUTIO)[KEYS]?.access).toEqual({ model: 'presence' });

    // Under romeo refused, the same: never mercutio's node, and no "sign in first" to mislead.
    session.set({ status: 'failed', account: MERCUTIO, error: { code: 'auth-failed', message: 'The server rejected the address or password.' } });
    expect(await dispatch('drift:restore', { node: KEYS }, { account: ROMEO })).toEqual(refusal);

    // Asked from mercutio's own window (any spelling of his address), Restore puts his node back.
    session.set({ status: 'online', account: MERCUTIO });
    const answer = await dispatch('drift:restore', { node: KEYS }, { account: MERCUTIO.toUpperCase() });
    expect(answer).toMatchObject({ ok: true, value: { repaired: [{ node: KEYS }], report: { account: MERCUTIO } } });
    expect(peps[MERCUTIO]?.value(KEYS, 'pubsub#access_model')).toBe('presence');
  });

  it.each([
    ['refused', { status: 'failed', account: MERCUTIO, error: { code: 'auth-failed', message: 'The server rejected the address or password.' } }],
    ['online', { status: 'online', account: MERCUTIO }],
  ] as const)('a check of romeo’s answered only once mercutio is %s: neither kept for mercutio nor announced', async (_, mercutio: ConnectionState) => {
    session.set({ status: 'online', account: ROMEO });
    const release = session.hold(ROMEO);
    drift.onOnline();
    await settle();
    // Romeo disconnects and mercutio is tried before romeo's server answered; its answers come late.
    session.set(mercutio);
    if (mercutio.status === 'online') drift.onOnline();
    release();
    await settle();
    expect(drift.status().severity).toBeUndefined();
    expect(drift.status().nodes).toEqual(mercutio.status === 'online' ? [expect.objectContaining({ node: KEYS, findings: [] })] : []);
    // Romeo's alarm was never announced: it was found only once mercutio was the account.
    expect(announced.filter((a) => a.report.severity !== undefined)).toEqual([]);
    // My keys' audience is mercutio's now: romeo's key node read is not handed on as his.
    expect(keyNodeReads.filter((r) => r.account === MERCUTIO && r.state?.accessModel === 'open')).toEqual([]);
    expect(drift.status().account).toBe(MERCUTIO);
    expect(announced.filter((a) => a.report.account !== MERCUTIO)).toEqual([]);
  });

  it('romeo, mercutio, romeo again during one check of romeo’s: what was read over mercutio’s connection is never romeo’s report', async () => {
    await romeoWithAlarm();
    // Mercutio's server knows no such node: asked over his connection, romeo's key node looks deleted.
    peps[MERCUTIO]?.nodes.delete(KEYS);
    let switched = false;
    session.hooks.onSend = () => {
      if (switched) return;
      switched = true;
      // Romeo signs out and mercutio in as the check's first request goes out: it goes over his connection…
      session.set({ status: 'online', account: MERCUTIO });
      // …and romeo is signed in again before its answer is read.
      session.hooks.onAnswer = () => {
        session.hooks.onAnswer = undefined;
        session.set({ status: 'online', account: ROMEO });
      };
    };
    const before = announced.length;

    await expect(drift.check()).rejects.toMatchObject({ code: 'signed-out-meanwhile' });
    expect(switched).toBe(true);
    // No false "deleted" alarm kept or announced as romeo's: his report is the one read on his own connection.
    expect(keyNode(drift.status())?.findings).toEqual([expect.objectContaining({ code: 'access-widened' })]);
    expect(announced.slice(before)).toEqual([]);
  });

  it('romeo’s Restore, mercutio tried before its last read: the answer is never mercutio’s report, nor kept as his', async () => {
    await romeoWithAlarm();
    // A revocation of romeo's is being applied as Restore puts his node back: its last read waits for it
    // (afterRevocations), and mercutio is tried meanwhile.
    let revoked = () => {};
    session.hooks.onAnswer = (method) => {
      if (method !== 'set') return;
      session.hooks.onAnswer = undefined;
      drift.afterRevocations(new Promise<void>((resolve) => (revoked = resolve)));
    };
    const restored = drift.restore(KEYS);
    restored.catch(() => undefined);
    await settle();
    expect(peps[ROMEO]?.value(KEYS, 'pubsub#access_model')).toBe('presence');
    session.set({ status: 'connecting', account: MERCUTIO });
    revoked();

    await expect(restored).rejects.toMatchObject({ code: 'signed-out-meanwhile' });
    // Mercutio has no report yet: none was read (every node "not connected") while he connects.
    expect(drift.status()).toEqual({ account: MERCUTIO, nodes: [] });
  });

  it('romeo signed in again: his own report back at once, and read again', async () => {
    await romeoWithAlarm();
    session.set({ status: 'failed', account: MERCUTIO, error: { code: 'auth-failed', message: 'The server rejected the address or password.' } });
    expect(drift.status().nodes).toEqual([]);

    // Kept per account: romeo's last report is his again as soon as he is tried, before it is read anew.
    session.set({ status: 'connecting', account: ROMEO });
    expect(drift.status()).toMatchObject({ account: ROMEO, severity: 'alarm' });
    const asked = peps[ROMEO]?.requests.length ?? 0;
    session.set({ status: 'online', account: ROMEO });
    drift.onOnline();
    await settle();
    expect(peps[ROMEO]?.requests.length).toBeGreaterThan(asked);
    expect(drift.status()).toMatchObject({ account: ROMEO, severity: 'alarm' });
    expect(keyNode(drift.status())?.findings).toEqual([expect.objectContaining({ code: 'access-widened' })]);
  });
});
