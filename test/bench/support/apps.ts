/**
 * The app as the benchmark drives it: a real core (main/core.ts) with its own vault folder, unlocked and
 * connected, exactly as the integration tests start one (test/support/app.ts).
 */
import type { ConnectParams } from '../../../contract/index.js';
import { connect, openCore, type OpenCore } from '../../support/app.js';

export const BENCH_PASSPHRASE = 'a long benchmark passphrase';

export type BenchApp = OpenCore;

/** A core with its vault unlocked (a new, empty one unless `dataDir` holds one), not connected yet. */
export function openApp(dataDir?: string): Promise<BenchApp> {
  return openCore({ passphrase: BENCH_PASSPHRASE, version: 'bench', ...(dataDir ? { dataDir } : {}) });
}

/** A core unlocked and connected. */
export async function startApp(params: ConnectParams, dataDir?: string): Promise<BenchApp> {
  const app = await openApp(dataDir);
  try {
    await connect(app.core, params);
  } catch (error) {
    await app.stop();
    throw error;
  }
  return app;
}
