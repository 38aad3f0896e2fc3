/**
 * A write romeo queued offline runs once he is online again (the queue's drain). If mercutio signs in
 * while it runs (another window pressed Connect), the write stops (own-keys.ts refuses it in words) and
 * stays in romeo's queue for his next connection: it is neither dropped as failed nor reported to the
 * windows now showing mercutio, and mercutio's own queue runs in its turn.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConnectionStatus } from '../../contract/index.js';
import { KeyringError } from '../../main/errors.js';
import { AppEvents } from '../../main/events.js';
import { silentLogger } from '../../main/logger.js';
import { PublishQueue, type PublishQueueDeps } from '../../main/services/publish-queue.js';
import type { SessionPort } from '../../main/services/session-port.js';
import { QueueStore } from '../../main/vault/stores/queue-store.js';
import { unlockedVaults } from '../support/vaults.js';

const ROMEO = 'romeo@montague.lit';
const MERCUTIO = 'mercutio@montague.lit';
const FINGERPRINT = 'b'.repeat(64);
const dirs: string[] = [];
afterEach(async () => Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true }))));

describe('a queued write running as another account signs in', () => {
  it('stays in romeo’s queue, untold to mercutio’s windows; mercutio’s own queued write runs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'keyring-queue-switch-'));
    dirs.push(dir);
    let account = ROMEO;
    let status: ConnectionStatus = 'offline';
    let generation = 1;
    const session: SessionPort = {
      iq: { get: () => Promise.reject(new Error('not used')), set: () => Promise.reject(new Error('not used')) },
      get ownJid() {
        return account;
      },
      get state() {
        return { status, account };
      },
      get sessionGeneration() {
        return generation;
      },
      send: () => Promise.resolve(),
      requireXep0222Support: () => Promise.resolve(),
    };
    const published: string[] = [];
    const ownKeys = {
      has: () => true,
      // As OwnKeys does once another account signed in during the publish (own-keys.ts): refused in words.
      publish: () => {
        if (account === ROMEO) {
          account = MERCUTIO;
          generation++;
          return Promise.reject(new KeyringError('signed-out-meanwhile', `${ROMEO} was signed out (another account was signed in) while publishing your key.`));
        }
        published.push(account);
        return Promise.resolve({ deviations: [] } as never);
      },
    } as unknown as PublishQueueDeps['ownKeys'];
    const unused = () => Promise.reject(new Error('not used'));
    const store = new QueueStore(await unlockedVaults(dir));
    const events = new AppEvents();
    const ran: unknown[] = [];
    events.subscribe((event, payload) => {
      if (event === 'queue:ran') ran.push(payload);
    });
    const queue = new PublishQueue({ store, ownKeys, roster: { add: unused, setGroups: unused, remove: unused }, profile: { publish: unused }, session, events, log: silentLogger });

    // Queued offline, by romeo, then by mercutio.
    await queue.publish(FINGERPRINT, { model: 'presence' }, false);
    account = MERCUTIO;
    await queue.publish(FINGERPRINT, { model: 'presence' }, false);
    account = ROMEO;
    // Romeo is online: his queue runs, and mercutio signs in during his publish.
    status = 'online';
    generation++;
    await queue.drain();

    expect(store.list(ROMEO)).toHaveLength(1);
    expect(ran.filter((r) => (r as { ok: boolean }).ok === false)).toEqual([]);
    // Mercutio's own write ran, in its turn, for mercutio.
    expect(published).toEqual([MERCUTIO]);
    expect(store.list(MERCUTIO)).toEqual([]);
  });

  it('a queued write that completes across a reconnect of the same account is told to its windows', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'keyring-queue-reconnect-'));
    dirs.push(dir);
    let status: ConnectionStatus = 'offline';
    let generation = 1;
    const session: SessionPort = {
      iq: { get: () => Promise.reject(new Error('not used')), set: () => Promise.reject(new Error('not used')) },
      get ownJid() {
        return ROMEO;
      },
      get state() {
        return { status, account: ROMEO };
      },
      get sessionGeneration() {
        return generation;
      },
      send: () => Promise.resolve(),
      requireXep0222Support: () => Promise.resolve(),
    };
    // The publish went on over romeo's new stream (own-keys.ts: a write holds to the account, forWrite).
    const ownKeys = {
      has: () => true,
      publish: () => {
        generation++;
        return Promise.resolve({ deviations: [] } as never);
      },
    } as unknown as PublishQueueDeps['ownKeys'];
    const unused = () => Promise.reject(new Error('not used'));
    const store = new QueueStore(await unlockedVaults(dir));
    const events = new AppEvents();
    const ran: { ok: boolean }[] = [];
    events.subscribe((event, payload) => {
      if (event === 'queue:ran') ran.push(payload as { ok: boolean });
    });
    const queue = new PublishQueue({ store, ownKeys, roster: { add: unused, setGroups: unused, remove: unused }, profile: { publish: unused }, session, events, log: silentLogger });
    await queue.publish(FINGERPRINT, { model: 'presence' }, false);
    status = 'online';
    generation++;
    await queue.drain();

    expect(store.list(ROMEO)).toEqual([]);
    expect(ran).toMatchObject([{ ok: true }]);
  });
});
