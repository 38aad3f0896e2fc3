/**
 * `keyring keys backup` and `keys restore` as child processes (issue 16, point 5), on Prosody: the
 * reminder in `keys list` until a backup holds the key; a backup to the account and a file, with the
 * code printed once; restoring on fresh data dirs from the account (code from --code-file) and from
 * the file (code typed on stdin, and at a terminal, where it is not shown); a wrong code fails in one line with exit 1 and restores nothing.
 * Needs the build.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { groupFingerprint } from '../../contract/format.js';
import { generateBackupCode } from '../../main/vault/backup-code.js';
import { connectActor, type Actor } from '../support/scenario.js';
import { BUILT_CLI, runCli, runCliOnTerminal } from '../support/cli.js';

const server = inject('prosody');

describe('keyring keys backup / restore', () => {
  let juliet: Actor;
  let work: string;

  beforeAll(async () => {
    expect(existsSync(BUILT_CLI), 'run `npm run build` before the CLI tests').toBe(true);
    juliet = await connectActor('juliet', 'capulet.lit', server);
    await juliet.session.disconnect();
    work = await mkdtemp(join(tmpdir(), 'keyring-cli-backup-'));
  }, 60_000);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  const env = { ...process.env, ACCOUNT_PW: '', KEYRING_PASSPHRASE: 'cli backup passphrase' };
  const run = (dir: string, args: string[], input?: string) =>
    runCli(
      ['--jid', juliet.jid, '--password-env', 'ACCOUNT_PW', '--server', `${server.host}:${server.port}`, '--ca-file', server.caFile, '--data-dir', join(work, dir), ...args],
      { ...env, ACCOUNT_PW: juliet.params.password },
      input,
    );

  it('backs up to the account and a file, and restores from each on a fresh data dir; a wrong code restores nothing', async () => {
    const generated = await run('laptop', ['keys', 'generate', '--bits', '2048', '--days', '30']);
    expect(generated.code).toBe(0);
    const fingerprint = generated.stdout.trim();
    expect((await run('laptop', ['keys', 'list'])).stdout).toContain('warning: 1 key is in no backup');

    expect(await run('laptop', ['keys', 'backup'])).toMatchObject({ code: 2, stderr: 'keyring: Say where the backup goes: --out FILE, --to-account, or both.\n' });
    const file = join(work, 'juliet.kxbackup');
    const page = join(work, 'page.html');
    const made = await run('laptop', ['keys', 'backup', '--to-account', '--out', file, '--page', page]);
    // The vault passphrase came from $KEYRING_PASSPHRASE, as for every command, and is printed nowhere.
    expect(made).toMatchObject({ code: 0, stderr: '' });
    expect(made.stdout).not.toContain(env.KEYRING_PASSPHRASE);
    const code = /^Backup code: ([0-9A-Z-]{34})$/m.exec(made.stdout)?.[1] ?? '';
    expect(code).not.toBe('');
    expect(made.stdout).toContain('shown only this once');
    expect(await readFile(page, 'utf8')).toContain(code.slice(0, 4));
    expect((await run('laptop', ['keys', 'list'])).stdout).not.toContain('in no backup');

    // From the account, the code from a file (never on the command line).
    const codeFile = join(work, 'code.txt');
    await writeFile(codeFile, `${code}\n`);
    const fromAccount = await run('phone', ['keys', 'restore', '--from-account', '--code-file', codeFile]);
    expect(fromAccount, fromAccount.stderr).toMatchObject({ code: 0 });
    expect(fromAccount.stdout).toContain(`${groupFingerprint(fingerprint)}  restored`);

    // From the file, the code typed at the prompt (lower case, spaces: forgiven).
    const fromFile = await run('tablet', ['keys', 'restore', '--in', file], `${code.toLowerCase().replaceAll('-', ' ')}\n`);
    expect(fromFile, fromFile.stderr).toMatchObject({ code: 0 });
    expect(fromFile.stdout).toContain(`${groupFingerprint(fingerprint)}  restored`);

    // At a terminal, the code typed is not shown (it would stay in the scrollback).
    const args = ['--jid', juliet.jid, '--password-env', 'ACCOUNT_PW', '--server', `${server.host}:${server.port}`, '--ca-file', server.caFile];
    const typed = await runCliOnTerminal([...args, '--data-dir', join(work, 'terminal'), 'keys', 'restore', '--in', file], { ...env, ACCOUNT_PW: juliet.params.password }, 'Backup code: ', `${code}\r`);
    expect(typed, typed.screen).toMatchObject({ code: 0 });
    expect(typed.screen).toContain('Backup code: ');
    expect(typed.screen).toContain(`${groupFingerprint(fingerprint)}  restored`);
    expect(typed.screen).not.toContain(code.slice(0, 9));

    // A wrong code: one line, exit 1, nothing restored.
    await writeFile(codeFile, generateBackupCode());
    const wrong = await run('desktop', ['keys', 'restore', '--in', file, '--code-file', codeFile]);
    expect(wrong).toMatchObject({ code: 1, stdout: '', stderr: 'keyring: This is not the code of this backup.\n' });
    expect((await run('desktop', ['--json', 'keys', 'list'])).stdout.trim()).toBe('[]');
    expect(await run('desktop', ['keys', 'restore', '--in', file, '--from-account'])).toMatchObject({ code: 2 });
  }, 150_000);

  it('the page and the file are the user’s alone even over files others could read; a place it cannot write says so in one line', async () => {
    const page = join(work, 'readable-page.html');
    const file = join(work, 'readable.kxbackup');
    await writeFile(page, 'an old page', { mode: 0o644 });
    await writeFile(file, 'an old file', { mode: 0o644 });
    await chmod(page, 0o644); // whatever the umask
    await chmod(file, 0o644);
    // Files that are there already are kept unless --force (one may be an earlier backup, its code written down).
    expect(await run('laptop', ['keys', 'backup', '--out', file, '--page', page])).toMatchObject({ code: 2, stdout: '' });
    expect(await readFile(file, 'utf8')).toBe('an old file');
    const made = await run('laptop', ['keys', 'backup', '--out', file, '--page', page, '--force']);
    expect(made, made.stderr).toMatchObject({ code: 0 });
    const code = /^Backup code: ([0-9A-Z-]{34})$/m.exec(made.stdout)?.[1] ?? '';
    expect(await readFile(page, 'utf8')).toContain(code.slice(0, 4));
    expect((await stat(page)).mode & 0o777).toBe(0o600);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readdir(work)).filter((name) => name.endsWith('.tmp'))).toEqual([]);

    const nowhere = join(work, 'no-such-dir', 'page.html');
    const refused = await run('laptop', ['keys', 'backup', '--out', join(work, 'other.kxbackup'), '--page', nowhere]);
    // Refused before the backup is made: no code printed for a backup that would not be written, no file left.
    expect(refused).toMatchObject({ code: 1, stdout: '', stderr: `keyring: Cannot write ${nowhere} (ENOENT).\n` });
    expect(await readdir(work)).not.toContain('other.kxbackup');

    // A backup file that could not be written is no backup: a new key stays in the reminder until one is.
    expect((await run('laptop', ['keys', 'generate', '--bits', '2048'])).code).toBe(0);
    expect((await run('laptop', ['keys', 'list'])).stdout).toContain('warning: 1 key is in no backup');
    const unwritten = await run('laptop', ['keys', 'backup', '--out', join(work, 'no-such-dir', 'laptop.kxbackup')]);
    expect(unwritten.code).toBe(1);
    expect((await run('laptop', ['keys', 'list'])).stdout).toContain('warning: 1 key is in no backup');
    expect((await run('laptop', ['keys', 'backup', '--out', join(work, 'laptop.kxbackup')])).code).toBe(0);
    expect((await run('laptop', ['keys', 'list'])).stdout).not.toContain('in no backup');
  }, 90_000);
});
