/**
 * One holder at a time, even when a breaker crashed (main/vault/vault-lock.ts). A starter that breaks a
 * stale vault lock does it under a breaker's lock; one killed at that work leaves its breaker's lock
 * behind, and the next starters clear it away. Several starters doing so at once must still end with
 * exactly one of them holding the vault.
 *
 * The starters are played in this process (takeLock takes the holder it stands for), and every file
 * operation the lock makes waits a random moment first, so that their steps interleave in many orders;
 * a real machine under load does the same, only more rarely.
 */
import { randomInt } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type * as FsPromises from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { breakerPathOf, lockPathOf, parseHolder, takeLock, thisProcess } from '../../../main/vault/vault-lock.js';

/** What a test plays in between: called before each file operation the lock makes, with its name and paths. */
const between = vi.hoisted(() => ({ jitter: false, before: undefined as undefined | ((op: string, paths: string[]) => void) }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof FsPromises>();
  const { setTimeout: wait } = await import('node:timers/promises');
  const { randomInt: anInt } = await import('node:crypto');
  const jittered =
    <A extends unknown[], R>(f: (...args: A) => Promise<R>, op: string) =>
    async (...args: A): Promise<R> => {
      if (between.jitter) await wait(anInt(0, 4));
      between.before?.(op, args.filter((a): a is string => typeof a === 'string'));
      return f(...args);
    };
  return {
    ...real,
    readFile: jittered(real.readFile as (...args: unknown[]) => Promise<unknown>, 'readFile'),
    rm: jittered(real.rm, 'rm'),
    rename: jittered(real.rename, 'rename'),
    link: jittered(real.link, 'link'),
    open: jittered(real.open as (...args: unknown[]) => Promise<unknown>, 'open'),
  };
});

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keyring-crashed-breaker-'));
});
afterEach(async () => {
  between.jitter = false;
  between.before = undefined;
  await rm(dir, { recursive: true, force: true });
});

/** A pid no process has (far above Linux's pid_max). */
const GONE = 2 ** 30 + 17;

describe('a breaker killed at work', () => {
  it('several starters clearing away its lock at once: exactly one holds the vault, and its lock is the one on disk', async () => {
    const path = lockPathOf(join(dir, 'vault.json'));
    between.jitter = true;
    for (let round = 0; round < 40; round++) {
      // A holder that is gone, and a breaker of its lock that was killed before it removed it.
      const stale = `${JSON.stringify({ ...thisProcess('cli'), pid: GONE })}\n`;
      await writeFile(path, stale);
      await writeFile(breakerPathOf(path, stale), `${JSON.stringify({ ...thisProcess('browser'), pid: GONE })}\n`);

      const starters = Array.from({ length: 5 }, () => thisProcess('cli'));
      const results = await Promise.all(
        starters.map(async (me) => {
          await delay(randomInt(0, 3));
          return takeLock(path, me).then(
            () => 'won',
            (error: unknown) => (error instanceof Error && 'code' in error ? String(error.code) : String(error)),
          );
        }),
      );
      const winners = starters.filter((_, i) => results[i] === 'won');
      expect(winners, `round ${round}: ${results.join(' | ')}`).toHaveLength(1);
      expect(results.filter((r) => r === 'vault-in-use'), `round ${round}`).toHaveLength(4);
      expect(parseHolder(await readFile(path, 'utf8'))?.token, `round ${round}`).toBe(winners[0]?.token);
      await rm(path);
      // Nothing left but what a later opener tidies (a breaker's lock is not among it).
      expect((await readdir(dir)).filter((name) => name.includes('breaking')), `round ${round}`).toEqual([]);
    }
  }, 120_000);

  it('a starter that judged its lock stale, late, leaves alone the live breaker who took over meanwhile: no third one gets in', async () => {
    const path = lockPathOf(join(dir, 'vault.json'));
    const stale = `${JSON.stringify({ ...thisProcess('cli'), pid: GONE })}\n`;
    const guard = breakerPathOf(path, stale);
    const crashed = `${JSON.stringify({ ...thisProcess('browser'), pid: GONE })}\n`;
    writeFileSync(path, stale);
    writeFileSync(guard, crashed);
    // Live breakers (this process stands for them): the one who takes over, and a third who takes the
    // breaker's lock the moment it is missing.
    const taker = `${JSON.stringify(thisProcess('browser'))}\n`;
    const third = `${JSON.stringify(thisProcess('electron'))}\n`;
    let guardAtFinish = '';
    let judged = false;
    let swapped = false;
    let stolen = false;
    between.before = (_op, paths) => {
      if (!paths.includes(guard) && !swapped) return;
      if (!swapped) {
        // The late starter read the crashed breaker's lock; before it acts on it, another starter clears
        // it away and a live one takes it and starts breaking.
        if (!judged) {
          judged = _op === 'readFile';
          return;
        }
        swapped = true;
        rmSync(guard);
        writeFileSync(guard, taker, { flag: 'wx' });
        return;
      }
      // From now on, before each step of the late starter: were the breaker's lock missing, a third
      // starter would create its own, and two would then break the vault's lock at once.
      if (!stolen && guardAtFinish === '' && !existsSync(guard)) {
        writeFileSync(guard, third, { flag: 'wx' });
        stolen = true;
      }
    };
    const late = thisProcess('cli');
    // The live breaker finishes its work a moment later: removes the stale lock and takes the vault.
    const winner = thisProcess('browser');
    const finishing = delay(300).then(() => {
      guardAtFinish = readFileSync(guard, 'utf8');
      rmSync(path);
      writeFileSync(path, `${JSON.stringify(winner)}\n`, { flag: 'wx' });
      rmSync(guard);
    });
    const said = await takeLock(path, late).then(
      () => 'won',
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
    await finishing;
    expect(swapped).toBe(true);
    expect(guardAtFinish, 'the breaker’s lock is still the one who took it').toBe(taker);
    expect(stolen, 'the breaker’s lock was missing for a moment').toBe(false);
    expect(said).toContain(`Keyring running in a browser (process ${process.pid}) has this vault open.`);
    expect(parseHolder(readFileSync(path, 'utf8'))?.token).toBe(winner.token);
  });
});
