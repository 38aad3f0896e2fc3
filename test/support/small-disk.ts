/**
 * A real small disk for tests of a full or read-only disk: a tmpfs of its own (needs root, as CI has),
 * filled up with a filler file so that the next file written fails with ENOSPC, or remounted read-only
 * (EROFS). Where mounting is not permitted, `problem` says why and the suite is skipped under that name.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { open, rm, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SmallDisk {
  /** Where it is mounted. */
  dir: string;
  /** Fills what is left, to the last block. */
  fill(): Promise<void>;
  /** Removes the filler. */
  free(): Promise<void>;
  readOnly(on: boolean): void;
  /** Bytes still free. */
  available(): Promise<number>;
  unmount(): void;
}

/** Mounts a tmpfs of `size` (mount's syntax: 1m); `{ problem }` when this machine does not let us. */
export function mountSmallDisk(size = '1m'): SmallDisk | { problem: string } {
  const dir = mkdtempSync(join(tmpdir(), 'keyring-small-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const said = error instanceof Error && 'stderr' in error ? String((error as { stderr: unknown }).stderr).trim() : String(error);
    return { problem: `a tmpfs cannot be mounted here (needs root): ${said}` };
  }
  const filler = join(dir, 'filler');
  const available = async () => {
    const s = await statfs(dir);
    return s.bavail * s.bsize;
  };
  return {
    dir,
    available,
    fill: async () => {
      const handle = await open(filler, 'a');
      try {
        const rest = await available();
        if (rest > 0) await handle.write(Buffer.alloc(rest)).catch(() => undefined);
        // Whatever the count missed (metadata, rounding): a page at a time until the disk says no.
        for (;;) {
          const wrote = await handle.write(Buffer.alloc(4096)).then(() => true, () => false);
          if (!wrote) break;
        }
      } finally {
        await handle.close();
      }
    },
    free: () => rm(filler, { force: true }),
    readOnly: (on) => {
      execFileSync('mount', ['-o', on ? 'remount,ro' : 'remount,rw', dir]);
    },
    unmount: () => {
      // Lazy: a file a failed test left open must not keep the mount (and the next run's) alive.
      execFileSync('umount', ['-l', dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
