/**
 * Juliet's device as drift tests start it: her own-key services and drift watch over a fresh vault in a
 * temp dir and an in-memory PEP service (own-keys-on-pep.ts, fake-pep-service.ts). Each device's temp
 * dir is removed and its drift watch stopped after each test. Call once, at the top of a test file.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { BASE_FIELDS, fakePep } from './fake-pep-service.js';
import { driftWatchOnPep, ownKeysOnPep } from './own-keys-on-pep.js';
import { unlockedVaults } from './vaults.js';

export function julietDriftDevices(tempPrefix: string) {
  const dirs: string[] = [];
  const stops: (() => void)[] = [];
  afterEach(async () => {
    for (const stop of stops.splice(0)) stop();
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });
  return async () => {
    const dir = await mkdtemp(join(tmpdir(), tempPrefix));
    dirs.push(dir);
    const pep = fakePep({ fields: BASE_FIELDS });
    const device = ownKeysOnPep(await unlockedVaults(dir), pep);
    const drift = driftWatchOnPep(device);
    stops.push(() => drift.stop());
    return { pep, device, drift };
  };
}
