/**
 * `keyring doctor` and `keyring doctor --repair` as child processes against the real servers: juliet
 * publishes a key and her profile with the CLI; doctor says every node is as published (exit 0);
 * slixmpp, signed in as juliet on another resource, opens the key node; doctor names the change in
 * words and exits 1; --repair puts it back and prints the read-back, and benvolio, outside the
 * audience, is refused again. Needs the build (`npx electron-vite build`).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DriftReport } from '../../contract/index.js';
import { fetchItems } from '../../main/xmpp/fetch-items.js';
import { NS } from '../../main/xmpp/namespaces.js';
import { BUILT_CLI, runCli } from '../support/cli.js';
import { driverSteps } from '../support/interop/python-driver.js';
import { connectActor, type Actor } from '../support/scenario.js';

for (const server of [inject('prosody'), inject('ejabberd')]) {
  describe(`keyring doctor on ${server.kind}`, () => {
    let juliet: Actor;
    let benvolio: Actor;
    let dataDir: string;

    beforeAll(async () => {
      expect(existsSync(BUILT_CLI), 'run `npx electron-vite build` before the CLI tests').toBe(true);
      [juliet, benvolio] = await Promise.all([connectActor('juliet', 'capulet.lit', server), connectActor('benvolio', 'montague.lit', server)]);
      dataDir = await mkdtemp(join(tmpdir(), 'keyring-doctor-'));
      await juliet.session.disconnect();
    }, 60_000);

    afterAll(async () => {
      await benvolio?.session.disconnect();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    });

    const cli = (...args: string[]) =>
      runCli(['--jid', juliet.jid, '--password-env', 'ACCOUNT_PW', '--server', `${server.host}:${server.port}`, '--ca-file', server.caFile, '--data-dir', dataDir, ...args], {
        ...process.env,
        ACCOUNT_PW: juliet.params.password,
        KEYRING_PASSPHRASE: 'cli test passphrase',
      });
    const benvolioReads = async () => (await fetchItems(benvolio.session.client.iqCaller, juliet.jid, NS.pubkey)).status === 'ok';

    it('says what another app changed, exits 1, and --repair puts it back with the read-back', async () => {
      const fingerprint = (await cli('keys', 'generate', '--bits', '2048')).stdout.trim();
      expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
      expect(await cli('keys', 'publish', fingerprint, '--access', 'presence')).toMatchObject({ code: 0 });
      expect(await cli('profile', 'set', '--access', 'presence', '--field', 'nickname=Jules', '--field', 'name=Juliet')).toMatchObject({ code: 0 });

      const clean = await cli('doctor');
      expect(clean).toMatchObject({ code: 0, stderr: '' });
      expect(clean.stdout).toMatch(/^ok +your keys \(urn:xmpp:tmp:pubkey\): published for Contacts who see your presence, 1 item; now Contacts who see your presence, 1 item$/m);
      expect(clean.stdout).toMatch(/^ok +your profile card /m);
      expect(clean.stdout).toMatch(/^ok +your nickname /m);

      await driverSteps('slixmpp', { jid: juliet.jid, password: juliet.params.password, server }, [
        { op: 'configure', node: NS.pubkey, fields: { 'pubsub#access_model': 'open' } },
      ]);
      expect(await benvolioReads()).toBe(true);

      const drifted = await cli('doctor');
      expect(drifted.code).toBe(1);
      expect(drifted.stdout).toMatch(/^CHANGED your keys .*; now Anyone, 1 item$/m);
      expect(drifted.stdout).toContain('Another app changed who can read your keys: now Anyone (was Contacts who see your presence).');
      expect(drifted.stderr).toBe('keyring: Another app changed your keys since you published them: `keyring doctor --repair` puts them back.\n');
      const asJson = await cli('--json', 'doctor');
      expect(JSON.parse(asJson.stdout) as DriftReport).toMatchObject({ severity: 'alarm', nodes: expect.arrayContaining([expect.objectContaining({ node: NS.pubkey, severity: 'alarm' })]) as unknown });

      const repaired = await cli('doctor', '--repair');
      expect(repaired).toMatchObject({ code: 0, stderr: '' });
      expect(repaired.stdout).toContain('Restored your keys; access now Contacts who see your presence.');
      expect(repaired.stdout).toMatch(/^Read back:\nok +your keys .*; now Contacts who see your presence, 1 item$/m);
      expect(await benvolioReads()).toBe(false);
    }, 90_000);
  });
}
