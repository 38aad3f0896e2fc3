/**
 * The app as the benchmark drives it: a real core (main/core.ts) with its own vault folder, unlocked and
 * connected, exactly as the integration tests start one.
 */
import type { ConnectParams } from '../../../contract/index.js';
import { connect, openCore, type OpenCore } from '../../support/app.js';

export const BENCH_PASSPHRASE = 'a long benchmark passphrase';

export type BenchApp = OpenCore;

export async function startApp(params: ConnectParams, dataDir?: string): Promise<BenchApp> {
  const app = await openCore({ passphrase: BENCH_PASSPHRASE, version: 'bench', ...(dataDir ? { dataDir } : {}) });
  await connect(app.core, params);
  return app;
}
