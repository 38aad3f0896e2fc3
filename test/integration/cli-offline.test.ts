/**
 * The CLI's offline commands (issue 14.6), as child processes: juliet's vault first learns her roster
 * and romeo's key from a real server; then, with her server down (nothing listens where --server
 * points), `keys generate`, `keys list`, `keys export`, `contacts list` and `contacts keys --cached`
 * all work and never try to connect, each cached answer says so on stderr, and a command that needs
 * the network fails with one clear line that points at --cached. Needs the build.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { befriend, connectActor, type Actor } from '../support/scenario.js';
import { BUILT_CLI, runCli } from '../support/cli.js';

const server = inject('prosody');

/** A loopback port where nothing listens: the account's server, down. */
async function deadPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('the keyring CLI with the server down', () => {
  let juliet: Actor;
  let romeo: Actor;
  let dataDir: string;
  let romeoDir: string;

  beforeAll(async () => {
    expect(existsSync(BUILT_CLI), 'run `npm run build` before the CLI tests').toBe(true);
    [juliet, romeo] = await Promise.all([connectActor('juliet', 'capulet.lit', server), connectActor('romeo', 'montague.lit', server)]);
    await befriend(juliet, romeo, ['Friends']);
    await Promise.all([juliet.session.disconnect(), romeo.session.disconnect()]);
    [dataDir, romeoDir] = await Promise.all([mkdtemp(join(tmpdir(), 'keyring-cli-offline-')), mkdtemp(join(tmpdir(), 'keyring-cli-offline-'))]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([dataDir, romeoDir].filter(Boolean).map((d) => rm(d, { recursive: true, force: true })));
  });

  const env = (actor: Actor) => ({ ...process.env, ACCOUNT_PW: actor.params.password, KEYRING_PASSPHRASE: 'cli offline passphrase' });
  const online = (actor: Actor, dir: string, ...args: string[]) =>
    runCli(['--jid', actor.jid, '--password-env', 'ACCOUNT_PW', '--server', `${server.host}:${server.port}`, '--ca-file', server.caFile, '--data-dir', dir, ...args], env(actor));

  it('generate, list, export, contacts list and contacts keys --cached run offline; publish fails clearly', async () => {
    // Online once: romeo publishes a key; juliet's vault learns her roster and romeo's key.
    const romeoKey = await online(romeo, romeoDir, 'keys', 'generate', '--bits', '2048', '--days', '30');
    expect(romeoKey.code).toBe(0);
    const romeoFingerprint = romeoKey.stdout.trim();
    expect((await online(romeo, romeoDir, 'keys', 'publish', romeoFingerprint, '--access', 'presence')).code).toBe(0);
    expect(await online(juliet, dataDir, 'contacts', 'list', '--refresh')).toMatchObject({ code: 0, stderr: '' });
    expect((await online(juliet, dataDir, 'contacts', 'keys', romeo.jid)).code).toBe(0);

    // The server is down from here on. No password either: nothing here may sign in.
    const dead = `127.0.0.1:${await deadPort()}`;
    const offlineEnv = { ...process.env, KEYRING_PASSPHRASE: 'cli offline passphrase' };
    const offline = (...args: string[]) => runCli(['--jid', juliet.jid, '--server', dead, '--data-dir', dataDir, ...args], offlineEnv);

    const generated = await offline('keys', 'generate', '--bits', '2048', '--days', '30');
    expect(generated).toMatchObject({ code: 0, stderr: '' });
    const fingerprint = generated.stdout.trim();
    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);

    const listed = await offline('keys', 'list');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(fingerprint.slice(0, 4));

    const out = join(dataDir, 'exported.pem');
    expect(await offline('keys', 'export', fingerprint, '--out', out)).toMatchObject({ code: 0 });
    expect(await readFile(out, 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----/);

    const contacts = await offline('--json', 'contacts', 'list');
    expect(contacts.code).toBe(0);
    expect(JSON.parse(contacts.stdout)).toMatchObject([{ jid: romeo.jid, groups: ['Friends'], subscription: 'both' }]);
    // --json: the note is a JSON line too, so stderr parses whole.
    expect((JSON.parse(contacts.stderr) as { note: string }).note).toMatch(/^showing your contact list as saved on \d{4}-\d\d-\d\d at \d\d:\d\d UTC \(not signed in/);

    const known = await offline('contacts', 'keys', romeo.jid, '--cached');
    expect(known.code).toBe(0);
    expect(known.stdout).toContain(romeoFingerprint.slice(0, 4) + ' ' + romeoFingerprint.slice(4, 8));
    expect(known.stdout).toMatch(/last seen \d{4}-\d\d-\d\d/);
    expect(known.stderr).toMatch(/^keyring: showing the keys known from before \(not fetched now/);

    // What needs the network says so in one line, and what still works.
    const fetch = await runCli(['--jid', juliet.jid, '--password-env', 'ACCOUNT_PW', '--server', dead, '--data-dir', dataDir, 'contacts', 'keys', romeo.jid], env(juliet));
    expect(fetch.code).toBe(1);
    expect(fetch.stderr).toMatch(/^keyring: Cannot reach 127\.0\.0\.1:\d+: the connection was refused \(no server listens on that port, or a firewall turns it away\)\. \(--cached shows the keys known from before\)\n$/);
  }, 90_000);

  it('contacts list before any roster was saved says how to get one', async () => {
    const fresh = await mkdtemp(join(tmpdir(), 'keyring-cli-offline-'));
    try {
      const run = await runCli(['--jid', juliet.jid, '--data-dir', fresh, 'contacts', 'list'], { ...process.env, KEYRING_PASSPHRASE: 'x passphrase' });
      expect(run.code).toBe(1);
      expect(run.stderr).toBe('keyring: No contact list saved for this account yet: run `keyring contacts list --refresh` once online.\n');
    } finally {
      await rm(fresh, { recursive: true, force: true });
    }
  });

  it('with --json, a note then a failure are JSON lines a script reads whole', async () => {
    const fresh = await mkdtemp(join(tmpdir(), 'keyring-cli-offline-'));
    try {
      const dead = `127.0.0.1:${await deadPort()}`;
      const run = await runCli(['--jid', juliet.jid, '--password-env', 'ACCOUNT_PW', '--server', dead, '--data-dir', fresh, '--json', 'contacts', 'list'], env(juliet));
      expect(run.code).toBe(1);
      const lines = run.stderr.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines).toMatchObject([{ note: 'no contact list saved for this account yet: signing in to fetch it.' }, { error: { code: 'server-unreachable' }, exitCode: 1 }]);
    } finally {
      await rm(fresh, { recursive: true, force: true });
    }
  });

  it('contacts list before any roster was saved, with the password at hand, fetches it and saves it', async () => {
    const fresh = await mkdtemp(join(tmpdir(), 'keyring-cli-offline-'));
    try {
      const first = await online(juliet, fresh, '--json', 'contacts', 'list');
      expect(first.code, first.stderr).toBe(0);
      expect(first.stderr).toBe(`${JSON.stringify({ note: 'no contact list saved for this account yet: signing in to fetch it.' })}\n`);
      expect(JSON.parse(first.stdout)).toMatchObject([{ jid: romeo.jid, groups: ['Friends'], subscription: 'both' }]);
      // Saved: the next run, with the server gone and no password, shows that copy.
      const dead = `127.0.0.1:${await deadPort()}`;
      const again = await runCli(['--jid', juliet.jid, '--server', dead, '--data-dir', fresh, '--json', 'contacts', 'list'], { ...process.env, KEYRING_PASSPHRASE: 'cli offline passphrase' });
      expect(again.code, again.stderr).toBe(0);
      expect(JSON.parse(again.stdout)).toMatchObject([{ jid: romeo.jid }]);
      expect(again.stderr).toMatch(/^\{"note":"showing your contact list as saved on /);
    } finally {
      await rm(fresh, { recursive: true, force: true });
    }
  });
});
