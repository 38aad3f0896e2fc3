/**
 * The keyring command names its own options where the window would name a screen (review-cli finding 8),
 * on a real Prosody: asking for one's own keys as a contact's points at `keyring keys list`; a change of
 * who may read asks for --reconfigure; 40 digits offered for a contact whose keys are X.509 are said to be
 * an X.509 fingerprint cut short, not "read them first". Needs the build.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Element } from '@xmpp/xml';
import { NS } from '../../main/xmpp/namespaces.js';
import { publishRequest } from '../../main/xmpp/pubsub.js';
import { fixtureItem } from '../unit/protocols/fixtures.js';
import { befriend, connectActor, type Actor } from '../support/scenario.js';
import { BUILT_CLI, runCli } from '../support/cli.js';

const server = inject('prosody');

describe('the keyring command’s own words', () => {
  let juliet: Actor;
  let romeo: Actor;
  const dataDirs = new Map<string, string>();

  beforeAll(async () => {
    expect(existsSync(BUILT_CLI), 'run `npm run build` before the CLI tests').toBe(true);
    [juliet, romeo] = await Promise.all([connectActor('juliet', 'capulet.lit', server), connectActor('romeo', 'montague.lit', server)]);
    await befriend(juliet, romeo, ['Friends']);
    for (const a of [juliet, romeo]) dataDirs.set(a.jid, await mkdtemp(join(tmpdir(), 'keyring-cli-words-')));
    await Promise.all([juliet, romeo].map((a) => a.session.disconnect()));
  }, 60_000);

  afterAll(async () => {
    await Promise.all([...dataDirs.values()].map((d) => rm(d, { recursive: true, force: true })));
  });

  const cli = (actor: Actor, ...args: string[]) =>
    runCli(
      ['--jid', actor.jid, '--password-env', 'ACCOUNT_PW', '--server', `${server.host}:${server.port}`, '--ca-file', server.caFile, '--data-dir', dataDirs.get(actor.jid) ?? '', ...args],
      { ...process.env, ACCOUNT_PW: actor.params.password, KEYRING_PASSPHRASE: 'cli words passphrase' },
    );

  it('--reconfigure, keyring keys list, and 64 digits for an X.509 fingerprint', async () => {
    const generated = await cli(juliet, 'keys', 'generate', '--bits', '2048', '--days', '30');
    expect(generated.code).toBe(0);
    const fingerprint = generated.stdout.trim();
    expect((await cli(juliet, 'keys', 'publish', fingerprint, '--access', 'presence')).code).toBe(0);

    const conflict = await cli(juliet, 'keys', 'publish', fingerprint, '--access', 'open');
    expect(conflict.code).toBe(1);
    expect(conflict.stderr.trim()).toMatch(/must be confirmed\. Run again with --reconfigure to change it\.$/);

    const own = await cli(juliet, 'contacts', 'keys', juliet.jid);
    expect(own).toMatchObject({ code: 2, stderr: 'keyring: jid: That is your own address. Your own keys: keyring keys list.\n' });

    const cutShort = await cli(romeo, 'contacts', 'verify', juliet.jid, fingerprint.slice(0, 40));
    expect(cutShort.code).toBe(1);
    expect(cutShort.stderr).toBe(
      `keyring: ${juliet.jid} has no OpenPGP key with these 40 digits, and nothing was verified. Their keys here are X.509: an X.509 fingerprint has 64 digits; compare all of them.\n`,
    );
  });

  it('`contacts devices` with what they publish refused exits 1, as `contacts keys` does', async () => {
    // Juliet's OMEMO device list, on a node only she may read (whitelist, nobody on it).
    await juliet.session.connect(juliet.params);
    const item = fixtureItem('profanity-axolotl-devicelist');
    await juliet.session.iq.set(publishRequest(NS.omemoAxolotlDevices, { id: item.id, payload: item.payload as Element }, { 'pubsub#access_model': 'whitelist' }), juliet.jid);
    await juliet.session.disconnect();
    const devices = await cli(romeo, 'contacts', 'devices', juliet.jid);
    expect(devices.code).toBe(1);
    expect(devices.stderr).toMatch(new RegExp(`^keyring: ${juliet.jid} does not let you read their OMEMO devices or OpenPGP keys \\(.+\\)\\.\n$`));
  });
});
