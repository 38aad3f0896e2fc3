/**
 * "Add contact…" through the queue (now, or kept for the connection): the address is checked and put
 * in its one form before anything is kept, so the own address in capitals is refused at once, in words,
 * and a queued add never fails later, out of sight, on an address it could have refused.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppEvents } from '../../main/events.js';
import { silentLogger } from '../../main/logger.js';
import { PublishQueue, type PublishQueueDeps } from '../../main/services/publish-queue.js';
import { QueueStore } from '../../main/vault/stores/queue-store.js';
import { fakeSession } from '../support/fake-session.js';
import { unlockedVaults } from '../support/vaults.js';

const ACCOUNT = 'juliet@capulet.lit';
const dirs: string[] = [];
afterEach(async () => Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true }))));

async function offlineQueue(): Promise<PublishQueue> {
  const dir = await mkdtemp(join(tmpdir(), 'keyring-queue-'));
  dirs.push(dir);
  const unused = () => Promise.reject(new Error('not used offline'));
  const deps: PublishQueueDeps = {
    store: new QueueStore(await unlockedVaults(dir)),
    ownKeys: {} as PublishQueueDeps['ownKeys'],
    roster: { add: unused, setGroups: unused, remove: unused },
    profile: { publish: unused },
    session: fakeSession({ account: ACCOUNT, status: 'offline' }),
    events: new AppEvents(),
    log: silentLogger,
  };
  return new PublishQueue(deps);
}

describe('adding a contact while offline', () => {
  it('refuses the own address in any case, and keeps nothing', async () => {
    const queue = await offlineQueue();
    await expect(queue.addContact({ jid: 'JULIET@CAPULET.LIT', groups: [] })).rejects.toMatchObject({ code: 'invalid-argument', message: 'That is your own address.' });
    expect(queue.list()).toEqual([]);
  });

  it('keeps the address in its one form', async () => {
    const queue = await offlineQueue();
    const answer = await queue.addContact({ jid: 'Benvolio@Capulet.LIT', groups: ['Friends'] });
    expect(answer.outcome === 'queued' && answer.action).toMatchObject({ kind: 'roster-add', jid: 'benvolio@capulet.lit', groups: ['Friends'] });
  });
});
