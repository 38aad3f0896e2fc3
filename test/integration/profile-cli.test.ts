/**
 * `keyring profile set` / `profile show` as child processes against the real servers: juliet publishes
 * fields and an avatar and gets every node's configuration read back; romeo's `profile show` prints
 * them (the avatar checked); someone outside the access model gets one clear line; bad arguments exit 2.
 * Needs the build (`npm run build` / `npx electron-vite build`).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ContactProfileView, EffectiveNodeConfig, OwnProfileView } from '../../contract/index.js';
import { makePng } from '../support/images.js';
import { BUILT_CLI, runCli } from '../support/cli.js';
import { befriend, connectActor, type Actor } from '../support/scenario.js';
import { readBackDeviations } from '../support/read-back.js';



for (const server of [inject('prosody'), inject('ejabberd')]) {
  describe(`keyring profile on ${server.kind}`, () => {
    let juliet: Actor;
    let romeo: Actor;
    let outsider: Actor;
    let work: string;
    const dataDirs = new Map<string, string>();

    beforeAll(async () => {
      expect(existsSync(BUILT_CLI), 'run `npx electron-vite build` before the CLI tests').toBe(true);
      [juliet, romeo, outsider] = await Promise.all([
        connectActor('juliet', 'capulet.lit', server),
        connectActor('romeo', 'montague.lit', server),
        server.kind === 'ejabberd' ? connectActor('nurse', 'capulet.lit', server) : connectActor('benvolio', 'montague.lit', server),
      ]);
      await befriend(juliet, romeo, ['Friends']);
      if (server.kind === 'ejabberd') await befriend(juliet, outsider, ['Servants']);
      work = await mkdtemp(join(tmpdir(), 'keyring-profile-cli-'));
      for (const a of [juliet, romeo, outsider]) dataDirs.set(a.jid, await mkdtemp(join(work, 'data-')));
      await Promise.all([juliet, romeo, outsider].map((a) => a.session.disconnect()));
    }, 60_000);

    afterAll(async () => {
      if (work) await rm(work, { recursive: true, force: true });
    });

    const as = (actor: Actor, ...args: string[]) => [
      '--jid', actor.jid, '--password-env', 'ACCOUNT_PW', '--server', `${server.host}:${server.port}`,
      '--ca-file', server.caFile, '--data-dir', dataDirs.get(actor.jid) ?? '', ...args,
    ];
    const cli = (actor: Actor, ...args: string[]) =>
      runCli(as(actor, ...args), { ...process.env, ACCOUNT_PW: actor.params.password, KEYRING_PASSPHRASE: 'cli test passphrase' });
    const access = () => (server.kind === 'ejabberd' ? ['--access', 'roster', '--group', 'Friends'] : ['--access', 'presence']);

    it('set publishes fields and avatar with every node configuration read back; show prints them to romeo', async () => {
      const avatarFile = join(work, 'juliet.png');
      await writeFile(avatarFile, makePng(512, 512));
      const set = await cli(
        juliet, '--json', 'profile', 'set', ...access(),
        '--field', 'name=Juliet Capulet', '--field', 'nickname=Jules', '--field', 'email=juliet@capulet.lit',
        '--field', 'email=balcony@capulet.lit', '--field', 'url=https://capulet.lit/juliet', '--field', 'locality=Verona',
        '--avatar', avatarFile,
      );
      expect(set).toMatchObject({ code: 0, stderr: '' });
      const result = JSON.parse(set.stdout) as { configs: EffectiveNodeConfig[]; avatar: { width: number; height: number; type: string } };
      expect(result.configs.map((c) => c.node)).toEqual(['urn:xmpp:vcard4', 'http://jabber.org/protocol/nick', 'urn:xmpp:avatar:data', 'urn:xmpp:avatar:metadata']);
      for (const config of result.configs) {
        expect(config).toMatchObject({ accessModel: access()[1], persistItems: true, sendLastPublishedItem: 'never', maxItems: '1', deviations: readBackDeviations(server.kind, access()[1] ?? '') });
      }
      expect(result.avatar).toMatchObject({ type: 'image/png', width: 256, height: 256 });

      // A second set changes one field; on Prosody the others are kept (read back first). ejabberd refuses
      // the owner's own read of a roster-access node, so there the CLI says so and --replace is needed.
      const note = await cli(juliet, 'profile', 'set', ...access(), '--field', 'note=Wherefore art thou');
      if (server.kind === 'prosody') {
        expect(note.code).toBe(0);
        expect(note.stdout.match(/send_last_published_item: {2}never/g)).toHaveLength(2);
      } else {
        expect(note.code).toBe(1);
        expect(note.stderr).toMatch(/^keyring: Cannot read your published vCard .*not-in-roster-group.*--replace\.\n$/);
        const replaced = await cli(
          juliet, 'profile', 'set', ...access(), '--replace', '--field', 'name=Juliet Capulet', '--field', 'nickname=Jules',
          '--field', 'email=juliet@capulet.lit', '--field', 'email=balcony@capulet.lit', '--field', 'url=https://capulet.lit/juliet',
          '--field', 'locality=Verona', '--field', 'note=Wherefore art thou',
        );
        expect(replaced.code).toBe(0);
      }

      const shown = await cli(romeo, '--json', 'profile', 'show', juliet.jid);
      expect(shown.code).toBe(0);
      const view = JSON.parse(shown.stdout) as ContactProfileView;
      expect(view.vcard).toEqual({
        fullName: 'Juliet Capulet',
        nickname: 'Jules',
        emails: ['juliet@capulet.lit', 'balcony@capulet.lit'],
        phones: [],
        urls: ['https://capulet.lit/juliet'],
        note: 'Wherefore art thou',
        address: { locality: 'Verona' },
      });
      expect(view.avatar?.dataBase64).toBeDefined();
      const human = await cli(romeo, 'profile', 'show', juliet.jid);
      expect(human.stdout).toContain('name:         Juliet Capulet');
      expect(human.stdout).toContain('web:          https://capulet.lit/juliet  (link, not opened)');
      expect(human.stdout).toMatch(/avatar: {7}image\/png 256×256, \d+ bytes, id [0-9a-f]{40} \(checked\)/);

      const own = await cli(juliet, '--json', 'profile', 'show');
      expect(own.code).toBe(0);
      expect((JSON.parse(own.stdout) as OwnProfileView).configs).toHaveLength(4);
      const ownHuman = await cli(juliet, 'profile', 'show');
      expect(ownHuman.stdout.match(/persist_items: {13}true/g)).toHaveLength(4);

      const refused = await cli(outsider, 'profile', 'show', juliet.jid);
      expect(refused.code).toBe(1);
      expect(refused.stderr.trim().split('\n')).toHaveLength(1);
      expect(refused.stderr).toMatch(/^keyring: .* does not let you read their profile/);

      // --crop: the square given, not the centre one (a 100-pixel square stays 100 pixels: never scaled up).
      const cropped = await cli(juliet, '--json', 'profile', 'set', ...access(), '--avatar', avatarFile, '--crop', '0,0,100');
      expect(cropped).toMatchObject({ code: 0, stderr: '' });
      expect((JSON.parse(cropped.stdout) as { avatar: { width: number; height: number } }).avatar).toMatchObject({ width: 100, height: 100 });
    }, 90_000);

    it('bad arguments exit 2 before connecting', async () => {
      const notImage = join(work, 'not-an-image.png');
      await writeFile(notImage, '<svg onload="alert(1)"/>');
      const cases: string[][] = [
        ['profile', 'set', '--access', 'open', '--field', 'bogus=1'],
        ['profile', 'set', '--access', 'open', '--field', 'no-equals-sign'],
        ['profile', 'set', '--access', 'open'],
        ['profile', 'set', '--field', 'name=x'],
        ['profile', 'set', '--access', 'open', '--avatar', join(work, 'missing.png')],
        ['profile', 'set', '--access', 'open', '--avatar', notImage],
      ];
      for (const args of cases) {
        const result = await cli(juliet, ...args);
        expect(result.code, args.join(' ')).toBe(2);
      }
      expect((await cli(juliet, 'profile', 'set', '--access', 'open', '--avatar', notImage)).stderr).toMatch(/not a PNG or JPEG image/);
      expect((await cli(juliet, 'profile', 'show', 'not a jid')).code).toBe(2);
    }, 60_000);
  });
}

