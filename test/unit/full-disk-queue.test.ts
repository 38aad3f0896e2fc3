/**
 * What waited for the connection runs at sign-in while the disk is full (a real full tmpfs under the
 * vault: test/support/small-disk.ts). The action runs, but the vault cannot take it off the queue: the
 * run must end quietly (a rejection nobody handles ends the browser host's process), the screens hear
 * that it ran (and that it stays listed), it is no longer shown as waiting, and it never runs again in
 * this process, even after the user undid it. A leftover from an earlier run of the app (the vault kept
 * it) runs again only while it is still wanted.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventPayloads } from '../../contract/index.js';
import { AppEvents } from '../../main/events.js';
import { PublishQueue, type PublishQueueDeps } from '../../main/services/publish-queue.js';
import type { Logger } from '../../main/logger.js';
import { silentLogger } from '../../main/logger.js';
import { QueueStore } from '../../main/vault/stores/queue-store.js';
import type { VaultHolder } from '../../main/vault/vault-holder.js';
import { fakeSession, type FakeSession } from '../support/fake-session.js';
import { smallDiskSuite } from '../support/small-disk-suite.js';
import type { SmallDisk } from '../support/small-disk.js';
import { unlockedVaults } from '../support/vaults.js';

const ACCOUNT = 'juliet@capulet.lit';
const FINGERPRINT = 'a'.repeat(64);
const small = smallDiskSuite();
const disk = small.disk;
const OPEN = { model: 'open' } as const;

/** A queue over `vaults` whose services only note what they were asked to do. */
function queueOver(vaults: VaultHolder, session: FakeSession, keys: { has: boolean; revoked: boolean } = { has: true, revoked: false }) {
  const did: string[] = [];
  const ran: EventPayloads['queue:ran'][] = [];
  const pending: number[] = [];
  const warnings: string[] = [];
  const log: Logger = { ...silentLogger, warn: (message: string) => warnings.push(message) };
  const unused = () => Promise.reject(new Error('not used here'));
  const events = new AppEvents();
  events.subscribe((name, payload) => {
    if (name === 'queue:ran') ran.push(payload as EventPayloads['queue:ran']);
    if (name === 'queue:changed') pending.push((payload as EventPayloads['queue:changed']).length);
  });
  const ownKeys = {
    has: () => keys.has,
    revokedHere: () => Promise.resolve(keys.revoked),
    publish: (fingerprint: string) => {
      did.push(`publish ${fingerprint.slice(0, 4)}`);
      // A configuration read back with nothing to warn of (queue:ran passes its deviations on).
      return Promise.resolve({ deviations: [] });
    },
    retract: (fingerprint: string) => {
      did.push(`retract ${fingerprint.slice(0, 4)}`);
      return Promise.resolve();
    },
  } as unknown as PublishQueueDeps['ownKeys'];
  const deps: PublishQueueDeps = {
    store: new QueueStore(vaults),
    ownKeys,
    roster: {
      add: (contact) => {
        did.push(`add ${contact.jid}`);
        return Promise.resolve([]);
      },
      setGroups: unused,
      remove: unused,
    },
    profile: { publish: unused },
    session,
    events,
    log,
  };
  return { queue: new PublishQueue(deps), store: deps.store, did, ran, pending, warnings };
}

describe.skipIf(disk === undefined)(small.title('the queue on a full disk'), () => {
  let vaults: VaultHolder | undefined;
  afterEach(async () => {
    await disk?.free();
    await vaults?.close();
  });

  it('a queued action that ran but could not be taken off the queue: the run ends quietly, the screens hear it ran and is listed no more, and it is not run twice', async () => {
    vaults = await unlockedVaults(join((disk as SmallDisk).dir, 'queue-ran'));
    const session = fakeSession({ account: ACCOUNT, status: 'offline' });
    const { queue, store, did, ran, pending, warnings } = queueOver(vaults, session);
    await queue.addContact({ jid: 'nurse@capulet.lit', groups: [] });

    await disk?.fill();
    session.state.status = 'online';
    await expect(queue.drain()).resolves.toBeUndefined();
    expect(did).toEqual(['add nurse@capulet.lit']);
    expect(warnings.join('\n')).toMatch(/the disk is full/);
    // It ran: the screens hear it (no more "Waiting for the connection…"), with words that it is still listed.
    expect(ran).toEqual([
      expect.objectContaining({ ok: true, action: expect.objectContaining({ kind: 'roster-add', jid: 'nurse@capulet.lit' }) as unknown, stillListed: expect.stringContaining('could not be taken off the list') as unknown }),
    ]);
    expect(queue.list()).toEqual([]);
    expect(pending.at(-1)).toBe(0);

    await disk?.free();
    await queue.drain();
    // Taken off now, not run again.
    expect(did).toEqual(['add nurse@capulet.lit']);
    expect(store.list(ACCOUNT)).toEqual([]);
    expect(ran).toHaveLength(1);
  });

  it('a key publish that ran and stayed queued is not published again after the user withdrew the key', async () => {
    vaults = await unlockedVaults(join((disk as SmallDisk).dir, 'queue-withdrawn'));
    const session = fakeSession({ account: ACCOUNT, status: 'offline' });
    const { queue, store, did } = queueOver(vaults, session);
    await queue.publish(FINGERPRINT, OPEN, false);

    await disk?.fill();
    session.state.status = 'online';
    await queue.drain();
    expect(did).toEqual(['publish aaaa']);

    // Room again; the user withdraws the key, then the connection comes back.
    await disk?.free();
    await queue.retract(FINGERPRINT);
    await queue.drain();
    session.state.status = 'offline';
    session.state.status = 'online';
    await queue.drain();
    expect(did).toEqual(['publish aaaa', 'retract aaaa']);
    expect(store.list(ACCOUNT)).toEqual([]);
  });
});

describe('a leftover from an earlier run of the app', () => {
  let dir: string | undefined;
  let vaults: VaultHolder | undefined;
  afterEach(async () => {
    await vaults?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  // A key revoked since is refused by OwnKeys.publish itself (test/integration/own-revocations-queued.test.ts).
  for (const [since, keys] of [['deleted', { has: false, revoked: false }]] as const) {
    it(`a queued publish of a key ${since} since is not run: it is taken off, and the screens hear why`, async () => {
      dir = await mkdtemp(join(tmpdir(), 'keyring-queue-'));
      vaults = await unlockedVaults(dir);
      const session = fakeSession({ account: ACCOUNT, status: 'offline' });
      // Queued (and, say, run in an earlier run of the app that could not take it off).
      await queueOver(vaults, session).queue.publish(FINGERPRINT, OPEN, false);
      const now = queueOver(vaults, session, keys);
      session.state.status = 'online';
      await now.queue.drain();
      expect(now.did).toEqual([]);
      expect(now.ran).toEqual([expect.objectContaining({ ok: true, skipped: `the key was ${since} since` })]);
      expect(now.store.list(ACCOUNT)).toEqual([]);
    });
  }
});
