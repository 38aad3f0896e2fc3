/**
 * For vitest suites on a real small disk (small-disk.ts): mounted as the test file loads, unmounted
 * after it, and the suite's title saying why it was skipped where this machine lets no tmpfs be mounted.
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach } from 'vitest';
import type { VaultHolder } from '../../main/vault/vault-holder.js';
import { mountSmallDisk, type SmallDisk } from './small-disk.js';
import { unlockedVaults } from './vaults.js';

export interface SmallDiskSuite {
  /** Undefined where it could not be mounted: skip the suite then (`describe.skipIf`). */
  disk: SmallDisk | undefined;
  /** The suite's title, with the reason where it is skipped. */
  title(name: string): string;
  /**
   * Call at the top of a describe, before its own hooks: each test gets a new unlocked vault on the disk
   * (a folder of its own, `folder`-1, -2…), the vault the function returned gives. After the test, once
   * the describe's own afterEach ran, the disk is freed and the vault closed, so a test that filled the
   * disk leaves the next one space.
   */
  vaultPerTest(folder?: string): () => VaultHolder;
}

export function smallDiskSuite(size = '1m'): SmallDiskSuite {
  const mounted = mountSmallDisk(size);
  if ('problem' in mounted) {
    return {
      disk: undefined,
      title: (name) => `${name} (skipped: ${mounted.problem})`,
      vaultPerTest: () => () => {
        throw new Error('no small disk: the suite should have been skipped');
      },
    };
  }
  afterAll(() => mounted.unmount());
  return { disk: mounted, title: (name) => name, vaultPerTest: (folder) => vaultPerTest(mounted, folder) };
}

function vaultPerTest(disk: SmallDisk, folder = 'vault'): () => VaultHolder {
  let vaults: VaultHolder | undefined;
  let run = 0;
  beforeEach(async () => {
    vaults = await unlockedVaults(join(disk.dir, `${folder}-${++run}`));
  });
  // Registered first, so run last (vitest runs after-hooks as a stack): the describe's own clean-up runs with the vault open.
  afterEach(async () => {
    await disk.free();
    await vaults?.close();
    vaults = undefined;
  });
  return () => {
    if (!vaults) throw new Error('a vault per test is there only inside a test or its hooks');
    return vaults;
  };
}

/** What a request ended with: 'succeeded', or the message a person would read. */
export function outcomeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'succeeded',
    (error: unknown) => (error instanceof Error ? error.message : String(error)),
  );
}
