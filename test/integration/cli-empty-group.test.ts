/**
 * A key published to a roster group no contact is in, through the real `keyring` command on a real
 * ejabberd (Prosody 0.12 has no roster access, docs/servers.md): the server takes it, and nobody can
 * read the key, nor later its revocation. The CLI says so in a `warning:` line (exit 0: the publish
 * stands, the person may add someone to the group), names the group in quotes, and the revocation's
 * line says where it went instead of "to your contacts". Needs the build (`npx electron-vite build`).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { EffectiveNodeConfig } from '../../contract/index.js';
import { BUILT_CLI, runCli } from '../support/cli.js';
import { befriend, connectActor, type Actor } from '../support/scenario.js';

const server = inject('ejabberd');

describe('keys published to an empty roster group, through the keyring CLI on ejabberd', () => {
  let juliet: Actor;
  let romeo: Actor;
  let work: string;
  const dataDirs = new Map<string, string>();

  beforeAll(async () => {
    expect(existsSync(BUILT_CLI), 'run `npx electron-vite build` before the CLI tests').toBe(true);
    [juliet, romeo] = await Promise.all([connectActor('juliet', 'capulet.lit', server), connectActor('romeo', 'montague.lit', server)]);
    await befriend(juliet, romeo, ['Friends']);
    work = await mkdtemp(join(tmpdir(), 'keyring-empty-group-'));
    for (const a of [juliet, romeo]) dataDirs.set(a.jid, await mkdtemp(join(work, 'data-')));
    await Promise.all([juliet, romeo].map((a) => a.session.disconnect()));
  }, 60_000);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  const cli = (actor: Actor, ...args: string[]) =>
    runCli(
      ['--jid', actor.jid, '--password-env', 'ACCOUNT_PW', '--server', `${server.host}:${server.port}`, '--ca-file', server.caFile, '--data-dir', dataDirs.get(actor.jid) ?? '', ...args],
      { ...process.env, ACCOUNT_PW: actor.params.password, KEYRING_PASSPHRASE: 'cli test passphrase' },
    );

  it('publish to "NoSuchGroup" warns that nobody can read the key (exit 0); romeo is refused; the revocation names where it went', async () => {
    const generated = await cli(juliet, 'keys', 'generate', '--bits', '2048', '--days', '30');
    expect(generated.code).toBe(0);
    const key = generated.stdout.trim();

    const published = await cli(juliet, 'keys', 'publish', key, '--access', 'roster', '--group', 'NoSuchGroup');
    expect(published).toMatchObject({ code: 0, stderr: '' });
    expect(published.stdout).toMatch(/^access: +roster group "NoSuchGroup"$/m);
    expect(published.stdout).toContain('warning: No contact of yours is in the group "NoSuchGroup": nobody can read your keys until you add someone to it.\n');
    // The same in the JSON the window and scripts read.
    const json = await cli(juliet, '--json', 'keys', 'publish', key, '--access', 'roster', '--group', 'NoSuchGroup');
    expect(json.code).toBe(0);
    expect((JSON.parse(json.stdout) as { config: EffectiveNodeConfig }).config.emptyGroups).toEqual(['NoSuchGroup']);

    // What the warning says is what the server does: romeo, a contact in Friends, cannot read it.
    const refused = await cli(romeo, 'contacts', 'keys', juliet.jid);
    expect(refused.stdout + refused.stderr).toMatch(/does not let you read/);

    // Friends beside it: romeo reads it now; the empty group is still named, as reaching no one.
    const widened = await cli(juliet, 'keys', 'publish', key, '--access', 'roster', '--group', 'Friends', '--group', 'NoSuchGroup', '--reconfigure');
    expect(widened).toMatchObject({ code: 0, stderr: '' });
    expect(widened.stdout).toMatch(/^access: +roster groups "Friends", "NoSuchGroup"$/m);
    expect(widened.stdout).toContain('warning: No contact of yours is in the group "NoSuchGroup": nobody reads your keys through it until you add someone to it.\n');

    // Back to the empty group alone, then revoked: the revocation went there, and reaches nobody either.
    expect((await cli(juliet, 'keys', 'publish', key, '--access', 'roster', '--group', 'NoSuchGroup', '--reconfigure')).code).toBe(0);
    const revoked = await cli(juliet, 'keys', 'revoke', key, '--reason', 'compromised');
    expect(revoked).toMatchObject({ code: 0, stderr: '' });
    expect(revoked.stdout).not.toContain('your contacts');
    expect(revoked.stdout).toContain('The revocation was published where the key was: roster group "NoSuchGroup"; the key was withdrawn.');
    expect(revoked.stdout).toContain('warning: No contact of yours is in the group "NoSuchGroup": nobody can read the revocation until you add someone to it.');
  }, 120_000);

  it('publish to "Friends", where romeo is: no warning', async () => {
    const generated = await cli(juliet, 'keys', 'generate', '--bits', '2048', '--days', '30');
    const published = await cli(juliet, 'keys', 'publish', generated.stdout.trim(), '--access', 'roster', '--group', 'Friends', '--reconfigure');
    expect(published).toMatchObject({ code: 0, stderr: '' });
    expect(published.stdout).toMatch(/^access: +roster group "Friends"$/m);
    expect(published.stdout).not.toContain('No contact of yours');
  }, 60_000);
});
