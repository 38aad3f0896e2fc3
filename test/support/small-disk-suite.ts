/**
 * For vitest suites on a real small disk (small-disk.ts): mounted as the test file loads, unmounted
 * after it, and the suite's title saying why it was skipped where this machine lets no tmpfs be mounted.
 */
import { afterAll } from 'vitest';
import { mountSmallDisk, type SmallDisk } from './small-disk.js';

export interface SmallDiskSuite {
  /** Undefined where it could not be mounted: skip the suite then (`describe.skipIf`). */
  disk: SmallDisk | undefined;
  /** The suite's title, with the reason where it is skipped. */
  title(name: string): string;
}

export function smallDiskSuite(size = '1m'): SmallDiskSuite {
  const mounted = mountSmallDisk(size);
  if ('problem' in mounted) return { disk: undefined, title: (name) => `${name} (skipped: ${mounted.problem})` };
  afterAll(() => mounted.unmount());
  return { disk: mounted, title: (name) => name };
}

/** What a request ended with: 'succeeded', or the message a person would read. */
export function outcomeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'succeeded',
    (error: unknown) => (error instanceof Error ? error.message : String(error)),
  );
}
