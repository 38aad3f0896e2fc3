/**
 * One process at a time holds the vault (main/vault/vault-lock.ts): a second process is refused before
 * anything is read or written, a lock left by a process that is gone is taken over, of several starters
 * breaking the same stale lock exactly one wins, and closing (or exiting) gives the vault up. The other
 * processes are real ones, running the lock's own code compiled to JS.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { watch } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Vault, VAULT_FILE } from '../../../main/vault/vault.js';
import { breakerPathOf, breakStale, lockPathOf, lockVault, parseHolder, thisProcess, type LockHolder } from '../../../main/vault/vault-lock.js';
import { transpileModules } from '../../support/transpile.js';
import { codeOf, LIGHT_SCRYPT } from '../../support/vaults.js';
import { vaultFolderPerTest } from './vault-fixtures.js';

const repo = fileURLToPath(new URL('../../..', import.meta.url));
const folder = vaultFolderPerTest('keyring-lock-');
const PASSPHRASE = 'correct horse battery';
let work: string;

// Another process: takes the lock (at once, or busy-waiting until `goAt` so that racers start
// together), says what happened, and holds it until its stdin closes; `exit` ends without releasing.
const OTHER = `
import { lockVault } from './main/vault/vault-lock.js';
const [mode, vaultPath, kind, goAt] = process.argv.slice(2);
if (goAt) while (Date.now() < Number(goAt)) {}
try {
  await lockVault(vaultPath, kind);
  process.stdout.write('won\\n');
} catch (error) {
  process.stdout.write((error.code ?? String(error)) + ' ' + JSON.stringify(error.message) + '\\n');
}
if (mode === 'exit') process.exit(0);
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
`;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'keyring-lock-code-'));
  await transpileModules(repo, ['main/vault/vault-lock.ts', 'main/vault/atomic-file.ts', 'main/errors.ts'], work);
  await writeFile(join(work, 'other.mjs'), OTHER);
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

interface Other {
  child: ChildProcessWithoutNullStreams;
  /** Its first line: 'won', or the error code and message. */
  said: Promise<string>;
  /** Closes its stdin: it exits (releasing what it holds) and this resolves. */
  stop(): Promise<void>;
}

function otherProcess(vaultPath: string, options: { kind?: string; goAt?: number; mode?: 'hold' | 'exit' } = {}): Other {
  const child = spawn(process.execPath, [join(work, 'other.mjs'), options.mode ?? 'hold', vaultPath, options.kind ?? 'cli', String(options.goAt ?? '')]);
  let out = '';
  let err = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const said = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    void exited.then(() => reject(new Error(`the other process ended without a word: ${err}`)));
  });
  return {
    child,
    said,
    stop: async () => {
      child.stdin.end();
      await exited;
    },
  };
}

/** The pid of a process that has ended. */
function deadPid(): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', () => (child.pid === undefined ? reject(new Error('no pid')) : resolve(child.pid)));
  });
}

const vaultPath = () => join(folder.dir, VAULT_FILE);
const lockPath = () => lockPathOf(vaultPath());
const holderOnDisk = async (): Promise<LockHolder | undefined> => parseHolder(await readFile(lockPath(), 'utf8'));
const exists = (path: string) => stat(path).then(() => true, () => false);
const writeLock = (holder: Partial<LockHolder>) =>
  writeFile(lockPath(), JSON.stringify({ ...thisProcess('electron'), ...holder }), { mode: 0o600 });

describe('one process at a time', () => {
  it('a second process is refused while the first holds the vault, in words naming it', async () => {
    const vault = await Vault.open({ dir: folder.dir, passphrase: PASSPHRASE, scrypt: LIGHT_SCRYPT, processKind: 'browser' });
    await vault.update((d) => {
      d.accounts['juliet@capulet.lit'] = { jid: 'juliet@capulet.lit', settings: {}, ownKeys: [], contacts: {} };
    });
    const other = otherProcess(vaultPath());
    try {
      const said = await other.said;
      expect(said).toMatch(/^vault-in-use /);
      expect(said).toContain(`Keyring running in a browser (process ${process.pid}) has this vault open.`);
      expect(said).toContain('nothing was read or changed');
      expect(said).toContain('Stop it first');
    } finally {
      await other.stop();
    }
    await vault.close();
  });

  it('this process is refused while another holds it: before the vault file is read, written or even created', async () => {
    const other = otherProcess(vaultPath(), { kind: 'cli' });
    try {
      expect(await other.said).toBe('won');
      const opening = Vault.open({ dir: folder.dir, passphrase: PASSPHRASE, scrypt: LIGHT_SCRYPT });
      await expect(opening).rejects.toMatchObject({
        code: 'vault-in-use',
        message: expect.stringContaining(`A \`keyring\` command (process ${other.child.pid}) has this vault open.`) as unknown,
      });
      await expect(opening).rejects.toThrow('Wait for that `keyring` command to end (or stop it), then try again.');
      // Nothing made: a first open would have created the vault.
      expect(await exists(vaultPath())).toBe(false);
    } finally {
      await other.stop();
    }
    // Its process ended and gave the vault up: now it opens.
    const vault = await Vault.open({ dir: folder.dir, passphrase: PASSPHRASE, scrypt: LIGHT_SCRYPT });
    await vault.close();
  });

  it('closing gives the vault up (the lock file goes); a failed open gives it up too', async () => {
    const vault = await Vault.open({ dir: folder.dir, passphrase: PASSPHRASE, scrypt: LIGHT_SCRYPT, processKind: 'cli' });
    expect(await holderOnDisk()).toMatchObject({ pid: process.pid, hostname: hostname(), kind: 'cli' });
    const pending = vault.update((d) => {
      d.accounts['romeo@montague.lit'] = { jid: 'romeo@montague.lit', settings: {}, ownKeys: [], contacts: {} };
    });
    await vault.close();
    // What was asked before closing is saved; nothing after it is.
    await pending;
    expect(await codeOf(vault.update(() => undefined))).toBe('vault-locked');
    expect(await exists(lockPath())).toBe(false);

    expect(await codeOf(Vault.open({ dir: folder.dir, passphrase: 'not the passphrase', scrypt: LIGHT_SCRYPT }))).toBe('wrong-passphrase');
    expect(await exists(lockPath())).toBe(false);
    const other = otherProcess(vaultPath());
    try {
      expect(await other.said).toBe('won');
    } finally {
      await other.stop();
    }
  });

  it('a process that exits without closing leaves no lock behind', async () => {
    const other = otherProcess(vaultPath(), { mode: 'exit' });
    expect(await other.said).toBe('won');
    await other.stop();
    expect(await exists(lockPath())).toBe(false);
  });

  it('within one process the lock is counted: the vault stays held until every open of it is closed', async () => {
    const first = await Vault.open({ dir: folder.dir, passphrase: PASSPHRASE, scrypt: LIGHT_SCRYPT });
    const second = await Vault.open({ dir: folder.dir, passphrase: PASSPHRASE, scrypt: LIGHT_SCRYPT });
    await first.close();
    await first.close(); // twice is once
    expect((await holderOnDisk())?.pid).toBe(process.pid);
    await second.close();
    expect(await exists(lockPath())).toBe(false);
  });
});

describe('a lock left by a process that is gone', () => {
  it('is taken over: a dead pid, a pid reused by another process, a machine restarted since', async () => {
    for (const left of [{ pid: await deadPid() }, { pid: process.ppid, processStart: '1' }, { pid: process.ppid, bootId: 'another-boot' }]) {
      await writeLock(left);
      const vault = await Vault.open({ dir: folder.dir, passphrase: PASSPHRASE, scrypt: LIGHT_SCRYPT });
      expect((await holderOnDisk())?.pid, JSON.stringify(left)).toBe(process.pid);
      await vault.close();
    }
  });

  it('but one on another machine, or one being written right now, is not', async () => {
    await writeLock({ pid: await deadPid(), hostname: 'laptop.example' });
    const elsewhere = await codeOf(lockVault(vaultPath()));
    expect(elsewhere).toBe('vault-in-use');
    await expect(lockVault(vaultPath())).rejects.toThrow(`delete ${lockPath()} and try again`);
    await expect(lockVault(vaultPath())).rejects.toThrow(/^The Keyring desktop app \(process \d+\) on laptop\.example has this vault open\./);

    await writeFile(lockPath(), '');
    expect(await codeOf(lockVault(vaultPath()))).toBe('vault-in-use');
    // An unreadable lock file that old is what a crash left: taken over.
    const old = new Date(Date.now() - 60_000);
    const { utimes } = await import('node:fs/promises');
    await utimes(lockPath(), old, old);
    const lock = await lockVault(vaultPath());
    expect((await holderOnDisk())?.pid).toBe(process.pid);
    await lock.release();
  });

  it('a breaker that comes late, after another starter broke the stale lock and took the vault, leaves that lock where it is, not moved even for a moment', async () => {
    // The stale lock both judged, and the one the first breaker made after removing it (live: this process).
    const stale = `${JSON.stringify({ ...thisProcess('cli'), pid: await deadPid() })}\n`;
    await writeLock({ kind: 'browser' });
    const taken = await readFile(lockPath(), 'utf8');
    // Moved aside and put back, the live lock would be missing for a moment, and a third starter could
    // create its own then: two holders. Watched for any rename of the lock file itself.
    const touched: string[] = [];
    const watcher = watch(folder.dir, (event, name) => {
      if (name === basename(lockPath())) touched.push(event);
    });
    try {
      expect(await breakStale(lockPath(), stale, thisProcess('cli'))).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      watcher.close();
    }
    expect(touched).toEqual([]);
    expect(await readFile(lockPath(), 'utf8')).toBe(taken);
    expect((await readdir(folder.dir)).filter((name) => name.includes('.lock.'))).toEqual([]);
  });

  it('while another starter is breaking the stale lock, a second one waits and touches nothing; a breaker killed at work is cleared away', async () => {
    const stale = `${JSON.stringify({ ...thisProcess('cli'), pid: await deadPid() })}\n`;
    await writeFile(lockPath(), stale);
    // Another live breaker (this process stands for it) holds the breaker's lock.
    await writeFile(breakerPathOf(lockPath(), stale), `${JSON.stringify(thisProcess('browser'))}\n`);
    expect(await breakStale(lockPath(), stale, thisProcess('cli'))).toBe(false);
    expect(await readFile(lockPath(), 'utf8')).toBe(stale);
    // Its lock names a process that is gone: cleared away, and the next try breaks the stale lock.
    await writeFile(breakerPathOf(lockPath(), stale), `${JSON.stringify({ ...thisProcess('browser'), pid: await deadPid() })}\n`);
    expect(await breakStale(lockPath(), stale, thisProcess('cli'))).toBe(false);
    expect(await exists(breakerPathOf(lockPath(), stale))).toBe(false);
    const lock = await lockVault(vaultPath(), 'cli');
    expect((await holderOnDisk())?.pid).toBe(process.pid);
    await lock.release();
    expect((await readdir(folder.dir)).filter((name) => name.includes('.lock'))).toEqual([]);
  });

  it('a breaker still at work when the wait runs out: the refusal does not name the stale lock’s holder, who is gone, as having the vault open', async () => {
    const gone = await deadPid();
    const stale = `${JSON.stringify({ ...thisProcess('cli'), pid: gone })}\n`;
    await writeFile(lockPath(), stale);
    // A live breaker (this process stands for it) holds the breaker's lock throughout.
    await writeFile(breakerPathOf(lockPath(), stale), `${JSON.stringify(thisProcess('browser'))}\n`);
    const refused = lockVault(vaultPath(), 'cli');
    await expect(refused).rejects.toMatchObject({ code: 'vault-in-use' });
    const message = await refused.catch((error: unknown) => (error instanceof Error ? error.message : ''));
    expect(message).not.toContain(`process ${gone}`);
    expect(message).toContain('Another Keyring app or command is opening this vault right now.');
    expect(await readFile(lockPath(), 'utf8')).toBe(stale);
  });

  it('a breaker’s lock a dead breaker left once the stale lock was gone is tidied by the next holder', async () => {
    const stale = `${JSON.stringify({ ...thisProcess('cli'), pid: await deadPid() })}\n`;
    await writeFile(breakerPathOf(lockPath(), stale), `${JSON.stringify({ ...thisProcess('browser'), pid: await deadPid() })}\n`);
    const lock = await lockVault(vaultPath(), 'cli');
    expect((await readdir(folder.dir)).filter((name) => name.includes('.lock.'))).toEqual([]);
    await lock.release();
  });

  it('of several processes breaking the same stale lock at the same moment, exactly one wins', async () => {
    for (let round = 0; round < 8; round++) {
      await writeLock({ pid: await deadPid() });
      const goAt = Date.now() + 700;
      const racers = [0, 1, 2].map(() => otherProcess(vaultPath(), { goAt }));
      try {
        const said = await Promise.all(racers.map((r) => r.said));
        expect(said.filter((s) => s === 'won'), `round ${round}: ${said.join(' | ')}`).toHaveLength(1);
        expect(said.filter((s) => s.startsWith('vault-in-use')), `round ${round}`).toHaveLength(2);
        // The winner's lock is the one on disk.
        const winner = racers[said.indexOf('won')];
        expect((await holderOnDisk())?.pid).toBe(winner?.child.pid);
      } finally {
        await Promise.all(racers.map((r) => r.stop()));
      }
      expect(await exists(lockPath())).toBe(false);
      // Whatever the breakers moved aside is gone (a crash in between leaves what opening tidies).
      expect((await readdir(folder.dir)).filter((name) => name.includes('.lock'))).toEqual([]);
    }
  }, 60_000);
});

