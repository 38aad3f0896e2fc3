/**
 * The real `keyring` command, run as child processes against the real servers: generate → publish →
 * a second CLI `watch` as romeo prints the event → `contacts keys` as romeo shows the key valid, while a
 * contact outside the access model is refused with a clear one-line message. Needs the build (npm test
 * builds before it runs the suites).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { befriend, connectActor, nextEvent, type Actor } from '../support/scenario.js';
import type { ServerInfo } from '../support/xmpp-server.js';
import { BUILT_CLI, CLI, runCli } from '../support/cli.js';
import { readBackDeviations } from '../support/read-back.js';



for (const server of [inject('ejabberd'), inject('prosody')]) {
  describe(`the keyring CLI on ${server.kind}`, () => {
    let juliet: Actor;
    let romeo: Actor;
    let nurse: Actor;
    let benvolio: Actor;
    const dataDirs = new Map<string, string>();
    const children: ChildProcess[] = [];

    beforeAll(async () => {
      expect(existsSync(BUILT_CLI), 'run `npm run build` before the CLI tests').toBe(true);
      [juliet, romeo, nurse, benvolio] = await Promise.all([
        connectActor('juliet', 'capulet.lit', server),
        connectActor('romeo', 'montague.lit', server),
        connectActor('nurse', 'capulet.lit', server),
        connectActor('benvolio', 'montague.lit', server),
      ]);
      await befriend(juliet, romeo, ['Friends']);
      await befriend(juliet, nurse, ['Servants']);
      for (const a of [juliet, romeo, nurse, benvolio]) dataDirs.set(a.jid, await mkdtemp(join(tmpdir(), 'keyring-cli-')));
      // Juliet's balcony stays online (her PEP service then holds her contacts' interest); the
      // others' test sessions go, and the CLI connects as them.
      await Promise.all([romeo, nurse, benvolio].map((a) => a.session.disconnect()));
    }, 60_000);

    afterAll(async () => {
      for (const child of children) child.kill('SIGKILL');
      await juliet?.session.disconnect();
      await Promise.all([...dataDirs.values()].map((d) => rm(d, { recursive: true, force: true })));
    });

    const as = (actor: Actor, ...args: string[]) => [
      '--jid', actor.jid, '--password-env', 'ACCOUNT_PW', '--server', `${server.host}:${server.port}`,
      '--ca-file', server.caFile, '--data-dir', dataDirs.get(actor.jid) ?? '', ...args,
    ];
    const envOf = (actor: Actor) => ({ ...process.env, ACCOUNT_PW: actor.params.password, KEYRING_PASSPHRASE: 'cli test passphrase' });
    const cli = (actor: Actor, ...args: string[]) => runCli(as(actor, ...args), envOf(actor));

    it('generate → publish → romeo’s watch prints it → romeo finds it valid; an outsider is refused', async () => {
      const access = server.kind === 'ejabberd' ? ['--access', 'roster', '--group', 'Friends'] : ['--access', 'presence'];
      const outsider = server.kind === 'ejabberd' ? nurse : benvolio;

      const generated = await cli(juliet, 'keys', 'generate', '--bits', '2048', '--days', '30');
      expect(generated).toMatchObject({ code: 0, stderr: '' });
      const fingerprint = generated.stdout.trim();
      expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);

      // Romeo watches from another process, online before juliet publishes. Juliet's PEP service
      // learns his +notify interest from his presence, which reaches her online resource.
      const romeoPresent = nextEvent(
        (l: (p: { bare: string; available: boolean }) => void) => juliet.session.events.on('presence', l),
        (p) => p.bare === romeo.jid && p.available,
        'romeo’s watch presence at juliet',
      );
      const watch = spawn(process.execPath, [CLI, ...as(romeo, '--json', 'watch', '--for', '40')], { env: envOf(romeo) });
      children.push(watch);
      let watched = '';
      watch.stdout.on('data', (d: Buffer) => (watched += d.toString()));
      await romeoPresent;

      const published = await cli(juliet, '--json', 'keys', 'publish', fingerprint, ...access);
      expect(published.code).toBe(0);
      expect(JSON.parse(published.stdout)).toMatchObject({
        outcome: 'published',
        config: { accessModel: access[1], persistItems: true, sendLastPublishedItem: 'never', deviations: readBackDeviations(server.kind, access[1] ?? '') },
        keys: [{ fingerprint, publications: [{ accessModel: access[1] }] }],
      });

      await until(() => watched.includes(fingerprint), 'romeo’s watch prints juliet’s key');
      const event = watched
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { event: string; payload: { jid: string; keys: { fingerprint: string; status: string }[] } })
        .find((e) => e.event === 'contacts:keys' && e.payload.keys.some((k) => k.fingerprint === fingerprint));
      expect(event?.payload.jid).toBe(juliet.jid);

      // One process holds a vault at a time (main/vault/vault-lock.ts): while romeo's watch runs, his
      // other commands on the same vault are refused, saying by what; once it stops, they run.
      const whileWatching = await cli(romeo, 'contacts', 'keys', juliet.jid);
      expect(whileWatching).toMatchObject({ code: 1, stdout: '' });
      expect(whileWatching.stderr).toBe(
        `keyring: A \`keyring\` command (process ${watch.pid}) has this vault open. Only one Keyring app or command can use the vault at a time, so nothing was read or changed. Wait for that \`keyring\` command to end (or stop it), then try again.\n`,
      );
      const watchEnded = new Promise<number | null>((resolve) => watch.once('exit', (code) => resolve(code)));
      watch.kill('SIGTERM');
      expect(await watchEnded).toBe(0);

      const romeoSees = await cli(romeo, '--json', 'contacts', 'keys', juliet.jid);
      expect(romeoSees.code).toBe(0);
      expect(JSON.parse(romeoSees.stdout)).toMatchObject({
        fetch: 'ok',
        keys: [{ fingerprint, status: 'valid', trust: 'unverified' }],
      });
      const human = await cli(romeo, 'contacts', 'keys', juliet.jid);
      expect(human.stdout).toContain(fingerprint.slice(0, 4) + ' ' + fingerprint.slice(4, 8));
      expect(human.stdout).toMatch(/valid: /);

      const refused = await cli(outsider, 'contacts', 'keys', juliet.jid);
      expect(refused.code).toBe(1);
      expect(refused.stderr.trim().split('\n')).toHaveLength(1);
      expect(refused.stderr).toMatch(new RegExp(`^keyring: ${juliet.jid.replace('.', '\\.')} does not let you read their keys`));

      const listed = await cli(juliet, 'keys', 'list');
      expect(listed.stdout).toMatch(/published to urn:xmpp:tmp:pubkey/);
    }, 90_000);

    it('bad arguments exit 2; a wrong password and an unreachable server exit 1 with one clear line', async () => {
      const badBits = await cli(juliet, 'keys', 'generate', '--bits', '1024');
      expect(badBits.code).toBe(2);
      expect(badBits.stderr).toMatch(/Allowed choices are 2048, 3072, 4096/);
      const badFingerprint = await cli(juliet, 'keys', 'retract', 'abcd');
      expect(badFingerprint).toMatchObject({ code: 2 });
      expect(badFingerprint.stderr).toMatch(/^keyring: fingerprint: A fingerprint is 64 hexadecimal digits/);
      expect((await runCli(['keys', 'frobnicate'], process.env)).code).toBe(2);
      expect((await runCli(['contacts', 'keys', juliet.jid], process.env)).code).toBe(2);

      const wrongPassword = await runCli(as(juliet, 'account', 'check'), { ...envOf(juliet), ACCOUNT_PW: 'not it' });
      expect(wrongPassword.code).toBe(1);
      expect(wrongPassword.stderr).toBe('keyring: The server rejected the address or password.\n');

      const dead = await runCli(
        ['--jid', juliet.jid, '--password-env', 'ACCOUNT_PW', '--server', '127.0.0.1:1', '--data-dir', dataDirs.get(juliet.jid) ?? '', 'account', 'check'],
        envOf(juliet),
      );
      expect(dead.code).toBe(1);
      expect(dead.stderr).toBe('keyring: Cannot reach 127.0.0.1:1: the connection was refused (no server listens on that port, or a firewall turns it away).\n');

      const help = await runCli(['keys', 'publish', '--help'], process.env);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/--access <model>/);
    }, 60_000);
  });
}


async function until(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export type { ServerInfo };
