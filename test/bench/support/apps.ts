/**
 * The app as the benchmark drives it: a real core (main/core.ts) with its own vault folder, unlocked and
 * connected, exactly as the integration tests start one.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKeyringCore, type KeyringCore } from '../../../main/core.js';
import { silentLogger } from '../../../main/logger.js';
import type { ConnectParams } from '../../../preload/contract.js';

export const BENCH_PASSPHRASE = 'a long benchmark passphrase';
/** The tests' light scrypt: unlocking is not what is measured. */
export const LIGHT_SCRYPT = { name: 'scrypt' as const, N: 2 ** 12, r: 8, p: 1 };

export interface BenchApp {
  core: KeyringCore;
  dataDir: string;
  stop(): Promise<void>;
}

/** A core with its vault unlocked (a new, empty one unless `dataDir` holds one), not connected yet. */
export async function openApp(dataDir?: string): Promise<BenchApp> {
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), 'keyring-bench-app-')));
  const core = createKeyringCore({ host: 'browser', version: 'bench', log: silentLogger, dataDir: dir, scrypt: LIGHT_SCRYPT });
  const unlocked = await core.dispatch('vault:unlock', { passphrase: BENCH_PASSPHRASE });
  if (!unlocked.ok) throw new Error(unlocked.error.message);
  return {
    core,
    dataDir: dir,
    stop: async () => {
      await core.dispose();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A core unlocked and connected, exactly as the integration tests start one. */
export async function startApp(params: ConnectParams, dataDir?: string): Promise<BenchApp> {
  const app = await openApp(dataDir);
  const connected = await app.core.dispatch('account:connect', params);
  if (!connected.ok) {
    await app.stop();
    throw new Error(connected.error.message);
  }
  return app;
}
