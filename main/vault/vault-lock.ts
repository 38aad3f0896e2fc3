/**
 * One process at a time holds the vault open. The vault (vault.ts) reads its file once, at open, and
 * each write replaces the whole file with the state it holds: a second process writing the same file
 * (the app and a `keyring` command, or two browser hosts on one folder) would silently undo the other's
 * changes — a key made, its private half included, or a trust decision taken back. So opening takes a
 * lock file beside the vault (`vault.json.lock`) first, before the vault is read or written, and refuses
 * with 'vault-in-use' while another live process holds it.
 *
 * The lock is per process and counted: the same process may open the same vault more than once (tests
 * reopen a vault to see what was saved); it is released when the last of them is closed, and on exit.
 * The app itself opens its vault once per run (VaultHolder), so two vaults on one file in one process
 * never happen outside tests.
 *
 * A lock left by a process that is gone (killed, crashed, a machine that restarted) is stale and taken
 * over. Two starters breaking the same stale lock must not both win: see takeLock.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, open, readdir, readFile, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { KeyringError } from '../errors.js';
import { isAlive } from './atomic-file.js';

/** Which front end holds the vault, for telling the person what to close. */
export type VaultProcessKind = 'electron' | 'browser' | 'cli';

/** What the lock file says of its holder. */
export interface LockHolder {
  pid: number;
  hostname: string;
  /** When the holder took the lock (ISO 8601). */
  startedAt: string;
  /** This taking of the lock, so that a release removes only its own lock file. */
  token: string;
  kind?: VaultProcessKind;
  /** Linux: the boot the holder ran in (/proc/sys/kernel/random/boot_id); another boot means it is gone. */
  bootId?: string;
  /** Linux: when the holder's process started (clock ticks since boot); another value means its pid was reused. */
  processStart?: string;
}

export const lockPathOf = (vaultPath: string): string => `${vaultPath}.lock`;

/**
 * A lock file that says nothing readable was still being written only if it is this new (the fallback
 * without hard links writes it after creating it); older, it is what a crash left, and stale.
 */
const UNREADABLE_GRACE_MS = 10_000;
/** Takeovers lost in a row before giving up (each loss means another starter took the vault). */
const MAX_ATTEMPTS = 5;
/** How long a starter waits while another breaks the stale lock (that takes a read and an unlink). */
const BREAKER_WAIT_MS = 20;
/** ...and at most this long in all (a breaker on a machine under load), before saying the vault is in use. */
const BREAKER_WAIT_LIMIT_MS = 3_000;

/** Another live process holds the vault: nothing was read or written. */
export class VaultInUseError extends KeyringError {
  constructor(
    readonly holder: LockHolder | undefined,
    readonly lockPath: string,
  ) {
    super('vault-in-use', inUseMessage(holder, lockPath));
    this.name = 'VaultInUseError';
  }
}

export interface VaultLock {
  /** Gives the lock up (once; later calls do nothing). The file goes when the process's last holder releases. */
  release(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------
// This process's locks

const held = new Map<string, { holder: LockHolder; count: number }>();
/** Per lock path: the last taking or release of this process, so that they run one after the other. */
const queues = new Map<string, Promise<unknown>>();
let exitHandlerSet = false;

/** Takes the lock of the vault file at `vaultPath` for this process; throws VaultInUseError while another holds it. */
export function lockVault(vaultPath: string, kind?: VaultProcessKind): Promise<VaultLock> {
  const path = lockPathOf(vaultPath);
  return inTurn(path, async () => {
    const entry = held.get(path);
    if (entry) entry.count += 1;
    else {
      const me = thisProcess(kind);
      await takeLock(path, me);
      held.set(path, { holder: me, count: 1 });
      releaseOnExit();
    }
    let released = false;
    return {
      release: () => {
        if (released) return Promise.resolve();
        released = true;
        return inTurn(path, async () => {
          const current = held.get(path);
          if (!current || --current.count > 0) return;
          held.delete(path);
          await removeIfMine(path, current.holder.token);
        });
      },
    };
  });
}

function inTurn<T>(path: string, work: () => Promise<T>): Promise<T> {
  const turn = (queues.get(path) ?? Promise.resolve()).then(work, work);
  queues.set(path, turn.catch(() => undefined));
  return turn;
}

/**
 * A process that ends without closing its vault (process.exit, an uncaught error) still leaves no lock
 * behind. Synchronous: nothing asynchronous runs during 'exit'. A process killed outright (SIGKILL, a
 * crash) leaves its lock, which the next opener finds stale.
 */
function releaseOnExit(): void {
  if (exitHandlerSet) return;
  exitHandlerSet = true;
  process.once('exit', () => {
    for (const [path, { holder }] of held) {
      try {
        if (parseHolder(readFileSync(path, 'utf8'))?.token === holder.token) unlinkSync(path);
      } catch {
        // Gone already, or unreadable: nothing of ours to remove.
      }
    }
    held.clear();
  });
}

async function removeIfMine(path: string, token: string): Promise<void> {
  try {
    if (parseHolder(await readFile(path, 'utf8'))?.token === token) await rm(path, { force: true });
  } catch {
    // Gone already: someone removed it by hand.
  }
}

export function thisProcess(kind?: VaultProcessKind): LockHolder {
  const bootId = readBootId();
  const processStart = processStartOf(process.pid);
  return {
    pid: process.pid,
    hostname: hostname(),
    startedAt: new Date().toISOString(),
    token: randomBytes(16).toString('hex'),
    ...(kind ? { kind } : {}),
    ...(bootId ? { bootId } : {}),
    ...(processStart ? { processStart } : {}),
  };
}

// ---------------------------------------------------------------------------------------------------
// The lock file

/**
 * Creates the lock file at `path` for `me`, taking over a stale one; throws VaultInUseError while a live
 * process holds it. Exported for tests, which play several processes in one.
 *
 * The file is written whole under a name of its own, then linked to `path`: link() fails if `path`
 * exists, so exactly one starter creates it, and nobody ever reads a half-written lock.
 *
 * Breaking a stale lock happens under a second lock file, a breaker's lock, taken the same way (link:
 * one breaker at a time). Under it the breaker reads the lock again and removes it only if it is still
 * the very lock judged stale (the same bytes, still stale): nobody else removes a stale lock meanwhile,
 * and a dead holder releases nothing, so what was judged is what goes. A lock file is never moved away,
 * not even for a moment: an earlier way (rename it aside, put it back if it was live) let a third starter
 * create its own lock in that moment, and two starters then both held the vault. A starter that finds
 * another breaker at work waits a little and looks again; by then the lock is the winner's.
 *
 * A breaker killed at work leaves its breaker's lock behind, and that one is broken the same way, under
 * a breaker's lock of its own (breakerPathOf): each breaker's lock is named after the file it breaks and
 * the content judged stale there, so breaking a dead breaker's lock never touches a live breaker's, and
 * "one at a time" holds at every step, however many breakers crashed. (Before, a dead breaker's lock was
 * moved aside and put back if it had changed, the very way refused above for the vault's lock: two
 * starters could then both hold the breaker's lock, and one could remove the other's fresh vault lock.)
 */
export async function takeLock(path: string, me: LockHolder): Promise<void> {
  const text = `${JSON.stringify(me)}\n`;
  const waitUntil = Date.now() + BREAKER_WAIT_LIMIT_MS;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; ) {
    if (await create(path, text, me.pid)) {
      await tidyBreakers(path, me);
      return;
    }
    const seen = await readLock(path);
    if (seen === undefined) {
      attempt += 1; // released meanwhile: try again
      continue;
    }
    if (!isStale(seen)) throw new VaultInUseError(seen.holder, path);
    if (await breakStale(path, seen.text, me)) attempt += 1;
    // Another starter is breaking it: its lock will be there in a moment, and named then.
    else if (Date.now() < waitUntil) await delay(BREAKER_WAIT_MS);
    else break;
  }
  // Each try lost to another starter, or a breaker still at work: someone has it now, or is taking it.
  // A lock still stale names a holder that is gone, not one that "has this vault open".
  const seen = await readLock(path);
  throw new VaultInUseError(seen && !isStale(seen) ? seen.holder : undefined, path);
}

/** True if this call created the lock file; false if one is there. */
async function create(path: string, text: string, pid: number): Promise<boolean> {
  const tmp = uniqueName(path, pid);
  try {
    const handle = await open(tmp, 'wx', 0o600);
    try {
      await handle.writeFile(text);
    } finally {
      await handle.close();
    }
    try {
      await link(tmp, path);
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return false;
      // A file system without hard links: create it in place (a reader may then briefly see it empty,
      // which UNREADABLE_GRACE_MS allows for).
      return await createInPlace(path, text);
    }
  } finally {
    await rm(tmp, { force: true });
  }
}

async function createInPlace(path: string, text: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    await handle.writeFile(text);
  } finally {
    await handle.close();
  }
  return true;
}

/**
 * Removes the lock at `path` if it still is `staleText` (see takeLock), under the breaker's lock for it;
 * false if another breaker holds that (the caller waits and looks again). `path` may itself be a dead
 * breaker's lock. Exported for tests.
 */
export async function breakStale(path: string, staleText: string, me: LockHolder): Promise<boolean> {
  const guard = breakerPathOf(path, staleText);
  if (!(await create(guard, `${JSON.stringify(me)}\n`, me.pid))) {
    // A breaker killed while at work left its lock: broken in turn, under a breaker's lock of its own.
    const seen = await readLock(guard);
    if (seen && isStale(seen)) await breakStale(guard, seen.text, me);
    return false;
  }
  try {
    // Nobody else can remove `path` while it holds `staleText` (only the holder of this breaker's lock
    // may, and its holder is gone), so what is read here is what rm removes. Stale once more: a lock
    // that says nothing readable may be another's being written now, with the same (empty) text.
    const now = await readLock(path);
    if (now?.text === staleText && isStale(now)) await rm(path, { force: true });
    return true;
  } finally {
    await removeIfMine(guard, me.token);
  }
}

/**
 * The breaker's lock for removing the stale `path` that holds `staleText`: `<vault lock>.breaking.<16 hex>`,
 * the hex from both. Breakers of the same stale file meet at the same name; a file broken later (another
 * stale lock, a dead breaker's lock) has another. All sit beside the vault's lock, under one pattern,
 * for tidyBreakers.
 */
export function breakerPathOf(path: string, staleText: string): string {
  const root = path.replace(BREAKER_SUFFIX, '');
  const hash = createHash('sha256').update(path).update('\0').update(staleText).digest('hex').slice(0, 16);
  return `${root}.breaking.${hash}`;
}

const BREAKER_SUFFIX = /\.breaking\.[0-9a-f]{16}$/;

/**
 * Removes the breaker's locks that dead breakers left once the lock they broke was gone (nobody would
 * look at them again), each under a breaker's lock of its own like any other. Called by the holder of
 * the vault's lock. Never throws: tidying must not stand between the user and the vault.
 */
async function tidyBreakers(path: string, me: LockHolder): Promise<void> {
  try {
    const dir = dirname(path);
    const prefix = `${basename(path)}.breaking.`;
    for (const name of await readdir(dir)) {
      if (!name.startsWith(prefix) || !BREAKER_SUFFIX.test(name)) continue;
      const file = join(dir, name);
      const seen = await readLock(file);
      if (seen && isStale(seen)) await breakStale(file, seen.text, me);
    }
  } catch {
    // A folder that cannot be listed, a file gone meanwhile: nothing to tidy that we could reach.
  }
}

/** `<lock>.<pid>.<12 hex>.tmp`: a name no other process uses, which removeDeadWritersLeftovers tidies once its process is gone. */
function uniqueName(path: string, pid: number): string {
  return `${path}.${pid}.${randomBytes(6).toString('hex')}.tmp`;
}

interface SeenLock {
  text: string;
  holder: LockHolder | undefined;
  modifiedMs: number;
}

async function readLock(path: string): Promise<SeenLock | undefined> {
  try {
    const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    return { text, holder: parseHolder(text), modifiedMs: info.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** The holder a lock file names, or undefined if it names none (empty, damaged, not ours). */
export function parseHolder(text: string): LockHolder | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const shortText = (x: unknown): x is string => typeof x === 'string' && x.length > 0 && x.length <= 255;
  if (!Number.isSafeInteger(v.pid) || (v.pid as number) <= 0) return undefined;
  if (!shortText(v.hostname) || !shortText(v.startedAt) || !shortText(v.token)) return undefined;
  const kind = v.kind === 'electron' || v.kind === 'browser' || v.kind === 'cli' ? v.kind : undefined;
  return {
    pid: v.pid as number,
    hostname: v.hostname,
    startedAt: v.startedAt,
    token: v.token,
    ...(kind ? { kind } : {}),
    ...(shortText(v.bootId) ? { bootId: v.bootId } : {}),
    ...(shortText(v.processStart) ? { processStart: v.processStart } : {}),
  };
}

/**
 * Whether the process that holds the lock is gone. Only a holder on this machine can be checked; one on
 * another (a vault folder shared over the network) counts as live. Here: gone if the machine restarted
 * since (Linux's boot id), if no process has its pid (as removeDeadWritersLeftovers decides), or if the
 * process with that pid started at another time than the holder (the pid was reused since, as after a
 * restart where there is no boot id to tell).
 */
export function isStale(seen: Pick<SeenLock, 'holder' | 'modifiedMs'>, now = Date.now()): boolean {
  const holder = seen.holder;
  if (!holder) return now - seen.modifiedMs > UNREADABLE_GRACE_MS;
  if (holder.hostname !== hostname()) return false;
  const bootId = readBootId();
  if (holder.bootId && bootId && holder.bootId !== bootId) return true;
  if (!isAlive(holder.pid)) return true;
  const started = holder.processStart ? processStartOf(holder.pid) : undefined;
  return started !== undefined && started !== holder.processStart;
}

function readBootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined;
  } catch {
    return undefined; // not Linux
  }
}

/** Field 22 of /proc/<pid>/stat (after the command name, which may hold spaces and parentheses). */
function processStartOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------
// Words

const WHO: Record<VaultProcessKind, (pid: number) => string> = {
  electron: (pid) => `The Keyring desktop app (process ${pid})`,
  browser: (pid) => `Keyring running in a browser (process ${pid})`,
  cli: (pid) => `A \`keyring\` command (process ${pid})`,
};
const WHAT_TO_DO: Record<VaultProcessKind, string> = {
  electron: 'Quit the Keyring desktop app first, then try again.',
  browser: 'Stop it first (close its app window, or press Ctrl+C where it runs), then try again.',
  cli: 'Wait for that `keyring` command to end (or stop it), then try again.',
};
const ONLY_ONE = 'Only one Keyring app or command can use the vault at a time, so nothing was read or changed.';
const CLOSE_EITHER = 'Close the Keyring app (or the other `keyring` command) first, then try again.';

/** Who holds the vault, why that stops this one, and what to do: the CLI prints it as is, the unlock screen shows it. */
function inUseMessage(holder: LockHolder | undefined, lockPath: string): string {
  if (!holder) return `Another Keyring app or command is opening this vault right now. ${ONLY_ONE} ${CLOSE_EITHER}`;
  const who = holder.kind ? WHO[holder.kind](holder.pid) : `Another Keyring app or command (process ${holder.pid})`;
  if (holder.hostname !== hostname()) {
    // The host name comes from a file: shown only if it looks like one.
    const host = /^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$/.test(holder.hostname) ? holder.hostname : 'another computer';
    return `${who} on ${host} has this vault open. ${ONLY_ONE} Close it there first. If nothing of Keyring runs there any more, delete ${lockPath} and try again.`;
  }
  return `${who} has this vault open. ${ONLY_ONE} ${holder.kind ? WHAT_TO_DO[holder.kind] : CLOSE_EITHER}`;
}
