/**
 * What waited for the connection runs at sign-in while the disk is full (a real full tmpfs under the
 * vault: test/support/small-disk.ts). The action runs, but the vault cannot take it off the queue:
 * the run must end quietly (a rejection nobody handles ends the browser host's process), the action
 * stays queued, and it runs again at the next connection once there is space.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppEvents } from '../../main/events.js';
import { PublishQueue, type PublishQueueDeps } from '../../main/services/publish-queue.js';
import type { Logger } from '../../main/logger.js';
import { silentLogger } from '../../main/logger.js';
import { QueueStore } from '../../main/vault/stores/queue-store.js';
import type { VaultHolder } from '../../main/vault/vault-holder.js';
import { fakeSession } from '../support/fake-session.js';
import { smallDiskSuite } from '../support/small-disk-suite.js';
import type { SmallDisk } from '../support/small-disk.js';
import { unlockedVaults } from '../support/vaults.js';

const ACCOUNT = 'juliet@capulet.lit';
const small = smallDiskSuite();
const disk = small.disk;

describe.skipIf(disk === undefined)(small.title('the queue on a full disk'), () => {
  let vaults: VaultHolder | undefined;
  afterEach(async () => {
    await disk?.free();
    await vaults?.close();
  });

  it('a queued action that ran but could not be taken off the queue stays, ends the run quietly, and runs again later', async () => {
    vaults = await unlockedVaults(join((disk as SmallDisk).dir, 'queue'));
    const session = fakeSession({ account: ACCOUNT, status: 'offline' });
    const added: string[] = [];
    const warnings: string[] = [];
    const log: Logger = { ...silentLogger, warn: (message: string) => warnings.push(message) };
    const unused = () => Promise.reject(new Error('not used here'));
    const deps: PublishQueueDeps = {
      store: new QueueStore(vaults),
      ownKeys: {} as PublishQueueDeps['ownKeys'],
      roster: {
        add: (contact) => {
          added.push(contact.jid);
          return Promise.resolve([]);
        },
        setGroups: unused,
        remove: unused,
      },
      profile: { publish: unused },
      session,
      events: new AppEvents(),
      log,
    };
    const queue = new PublishQueue(deps);
    await queue.addContact({ jid: 'nurse@capulet.lit', groups: [] });

    await disk?.fill();
    session.state.status = 'online';
    await expect(queue.drain()).resolves.toBeUndefined();
    expect(added).toEqual(['nurse@capulet.lit']);
    expect(queue.list()).toEqual([expect.objectContaining({ kind: 'roster-add', jid: 'nurse@capulet.lit' })]);
    expect(warnings.join('\n')).toMatch(/the disk is full/);

    await disk?.free();
    await queue.drain();
    expect(added).toEqual(['nurse@capulet.lit', 'nurse@capulet.lit']);
    expect(queue.list()).toEqual([]);
  });
});
