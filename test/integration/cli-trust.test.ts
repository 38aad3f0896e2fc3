/**
 * Trust through the real `keyring` command on a real Prosody (issue 13, point 6): `contacts verify`
 * with a fingerprint or a verification link verifies only a current key (a mismatch exits 1 with one
 * line and verifies nothing; a link for someone else is refused naming whose it is), `contacts
 * unverify` takes it back (a changed key verified and taken back warns again), `contacts trust` and `contacts trust-default` set the policy, and `contacts keys` shows verification,
 * policy and a withdrawn key; `keys revoke` reaches romeo's `contacts keys`. The same commands take
 * other apps' keys (OMEMO devices, OpenPGP keys) by the fingerprints those apps print, `contacts
 * accept` clears a changed device's warning and `contacts unverify` takes a device's verification back. Needs the build (npm test builds first).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Element } from '@xmpp/xml';
import { groupFingerprint, shortFingerprint, verificationUri } from '../../contract/format.js';
import type { ContactKeysView, OtherKeysView } from '../../contract/index.js';
import { NS } from '../../main/xmpp/namespaces.js';
import { publishRequest } from '../../main/xmpp/pubsub.js';
import { expected, fixtureItem } from '../unit/protocols/fixtures.js';
import { befriend, connectActor, type Actor } from '../support/scenario.js';
import { BUILT_CLI, runCli } from '../support/cli.js';

const server = inject('prosody');

describe('trust through the keyring CLI', () => {
  let juliet: Actor;
  let romeo: Actor;
  const dataDirs = new Map<string, string>();

  beforeAll(async () => {
    expect(existsSync(BUILT_CLI), 'run `npm run build` before the CLI tests').toBe(true);
    [juliet, romeo] = await Promise.all([connectActor('juliet', 'capulet.lit', server), connectActor('romeo', 'montague.lit', server)]);
    await befriend(juliet, romeo, ['Friends']);
    for (const a of [juliet, romeo]) dataDirs.set(a.jid, await mkdtemp(join(tmpdir(), 'keyring-cli-trust-')));
    await Promise.all([juliet, romeo].map((a) => a.session.disconnect()));
  }, 60_000);

  afterAll(async () => {
    await Promise.all([...dataDirs.values()].map((d) => rm(d, { recursive: true, force: true })));
  });

  const cli = (actor: Actor, ...args: string[]) =>
    runCli(
      ['--jid', actor.jid, '--password-env', 'ACCOUNT_PW', '--server', `${server.host}:${server.port}`, '--ca-file', server.caFile, '--data-dir', dataDirs.get(actor.jid) ?? '', ...args],
      { ...process.env, ACCOUNT_PW: actor.params.password, KEYRING_PASSPHRASE: 'cli test passphrase' },
    );
  const keysOf = async (): Promise<ContactKeysView> => {
    const run = await cli(romeo, '--json', 'contacts', 'keys', juliet.jid);
    expect(run.code).toBe(0);
    return JSON.parse(run.stdout) as ContactKeysView;
  };
  const newKey = async () => {
    const generated = await cli(juliet, 'keys', 'generate', '--bits', '2048', '--days', '30');
    expect(generated.code).toBe(0);
    const fingerprint = generated.stdout.trim();
    expect((await cli(juliet, 'keys', 'publish', fingerprint, '--access', 'presence')).code).toBe(0);
    return fingerprint;
  };

  it('verify, mismatch, unverify, trust policy, and a withdrawn key, as a person at a terminal sees them', async () => {
    const first = await newKey();
    const wrong = `${first.slice(0, 60)}${first.endsWith('0000') ? 'ffff' : '0000'}`;

    // A mismatch: exit 1, one line, nothing verified, the mismatch recorded.
    const mismatch = await cli(romeo, 'contacts', 'verify', juliet.jid, wrong.toUpperCase());
    expect(mismatch.code).toBe(1);
    expect(mismatch.stderr.trim().split('\n')).toHaveLength(1);
    expect(mismatch.stderr).toMatch(/matches none of .*'s current keys: nothing was verified/);
    // A near miss is quoted whole (its first 60 digits are her key's), the differing group named.
    expect(mismatch.stderr).toContain(`${groupFingerprint(wrong)} matches none of`);
    expect(mismatch.stderr.trim()).toMatch(new RegExp(`It differs from their key ${shortFingerprint(first)} in group 16 of 16\\.$`));
    let view = await keysOf();
    expect(view.keys).toMatchObject([{ fingerprint: first, trust: 'unverified', decision: 'trusted' }]);
    expect(view.mismatches).toMatchObject([{ offered: wrong, via: 'typed' }]);
    expect((await cli(romeo, 'contacts', 'keys', juliet.jid)).stdout).toContain(
      `!! MISMATCH: ${groupFingerprint(wrong)} (typed, `,
    );
    expect((await cli(romeo, 'contacts', 'keys', juliet.jid)).stdout).toContain(`It differs from their key ${shortFingerprint(first)} in group 16 of 16.`);

    // An empty comparison and a link for someone else are refused before anything is compared.
    const empty = await cli(romeo, 'contacts', 'verify', juliet.jid, '  ');
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/Type or paste their fingerprint first/);
    const someoneElse = await cli(romeo, 'contacts', 'verify', juliet.jid, verificationUri(romeo.jid, first));
    expect(someoneElse.code).toBe(2);
    expect(someoneElse.stderr).toContain(`This verification link is for ${romeo.jid}, not for ${juliet.jid}.`);

    // Her link verifies her key; `contacts keys` says so, with the policy in one sentence.
    const verified = await cli(romeo, 'contacts', 'verify', juliet.jid, verificationUri(juliet.jid, first));
    expect(verified).toMatchObject({ code: 0, stderr: '' });
    expect(verified.stdout).toMatch(/^Verified .*'s key /);
    const human = (await cli(romeo, 'contacts', 'keys', juliet.jid)).stdout;
    expect(human).toMatch(/trust: verified \(verified on \d{4}-\d\d-\d\d\)/);
    expect(human).toMatch(/^policy: tofu \(Trust on first use, the account’s\): Keys are trusted when first seen/m);
    expect(human).not.toMatch(/MISMATCH/);

    // Taken back, and verified again by the fingerprint typed in blocks; and in capital blocks joined by
    // dashes (the README says dashes are ignored; they were taken for an OMEMO fingerprint and refused).
    expect((await cli(romeo, 'contacts', 'unverify', juliet.jid, first)).code).toBe(0);
    expect((await keysOf()).keys[0]).toMatchObject({ trust: 'unverified' });
    expect((await cli(romeo, 'contacts', 'verify', juliet.jid, first.match(/.{4}/g)?.join(' ') ?? '')).code).toBe(0);
    expect((await cli(romeo, 'contacts', 'unverify', juliet.jid, first)).code).toBe(0);
    const dashed = await cli(romeo, 'contacts', 'verify', juliet.jid, (first.match(/.{4}/g)?.join('-') ?? '').toUpperCase());
    expect(dashed).toMatchObject({ code: 0, stderr: '' });
    expect((await keysOf()).keys[0]).toMatchObject({ trust: 'verified' });

    // Blind trust before verification: her next key is not trusted until verified.
    const policy = await cli(romeo, 'contacts', 'trust', juliet.jid, 'btbv');
    expect(policy.code).toBe(0);
    expect(policy.stdout).toContain('Blind trust before verification');
    expect((await cli(romeo, 'contacts', 'trust', juliet.jid, 'sometimes')).code).toBe(2);
    const second = await newKey();
    view = await keysOf();
    expect(view).toMatchObject({ policy: 'btbv', policySource: 'contact' });
    expect(view.keys.find((k) => k.fingerprint === second)).toMatchObject({ trust: 'unverified', decision: 'untrusted' });

    // She withdraws the verified key: it shows withdrawn, the key after it as changed, and it can no
    // longer be verified.
    expect((await cli(juliet, 'keys', 'retract', first)).code).toBe(0);
    view = await keysOf();
    expect(view.keys.find((k) => k.fingerprint === first)).toMatchObject({ trust: 'retracted', decision: 'withdrawn' });
    expect(view.keys.find((k) => k.fingerprint === second)).toMatchObject({ trust: 'changed', replaces: [first] });
    expect((await cli(romeo, 'contacts', 'keys', juliet.jid)).stdout).toMatch(/trust: withdrawn \(withdrawn by its owner\)/);
    const gone = await cli(romeo, 'contacts', 'verify', juliet.jid, first);
    expect(gone.code).toBe(1);
    expect(gone.stderr.trim().split('\n')).toHaveLength(1);

    // The changed key verified (by mistake) and the verification taken back: the change was never
    // accepted, so it warns again, naming the key it replaced, and is not trusted.
    expect((await cli(romeo, 'contacts', 'verify', juliet.jid, second)).code).toBe(0);
    expect((await keysOf()).keys.find((k) => k.fingerprint === second)).toMatchObject({ trust: 'verified', decision: 'verified' });
    const takenBack = await cli(romeo, 'contacts', 'unverify', juliet.jid, second);
    expect(takenBack).toMatchObject({ code: 0, stderr: '' });
    expect(takenBack.stdout).toMatch(/is no longer verified\.\n!! KEY CHANGED: it replaced a key you had seen and the change was never accepted/);
    expect((await keysOf()).keys.find((k) => k.fingerprint === second)).toMatchObject({ trust: 'changed', decision: 'changed', replaces: [first] });

    // The account's default, for contacts without a policy of their own.
    const byDefault = await cli(romeo, 'contacts', 'trust-default', 'manual');
    expect(byDefault).toMatchObject({ code: 0, stdout: 'Your default: Manual. Only keys you have verified by comparing fingerprints are trusted.\n' });
  }, 120_000);

  it('keys revoke: a reason outside the list or a key already revoked is a usage error, an unknown key a failure; revoked, the key shows REVOKED at romeo', async () => {
    const key = await newKey();
    expect((await cli(romeo, 'contacts', 'keys', juliet.jid)).code).toBe(0);
    const badReason = await cli(juliet, 'keys', 'revoke', key, '--reason', 'bored');
    expect(badReason.code).toBe(2);
    expect(badReason.stderr).toMatch(/compromised/);
    expect((await cli(juliet, 'keys', 'revoke', 'ab'.repeat(32))).code).toBe(1);

    const revoked = await cli(juliet, 'keys', 'revoke', key, '--reason', 'retired');
    expect(revoked).toMatchObject({ code: 0, stderr: '' });
    expect(revoked.stdout).toContain('The revocation was published where the key was: contacts who see your presence; the key was withdrawn.');
    expect((await cli(juliet, 'keys', 'list')).stdout).toMatch(/\(REVOKED\)\n.*\n {2}revoked: no longer used \(retired\)/);
    const human = (await cli(romeo, 'contacts', 'keys', juliet.jid)).stdout;
    expect(human).toMatch(/!! REVOKED by its owner: never use it/);
    expect(human).toMatch(/revoked: no longer used \(retired\), statement dated \d{4}-\d\d-\d\d/);

    // Asking for what cannot be (a key already revoked) is refused like any bad argument.
    const again = await cli(juliet, 'keys', 'revoke', key);
    expect(again.code).toBe(2);
    expect(again.stderr.trim()).toMatch(/This key was revoked: it is never published again\./);
  }, 120_000);

  it('other apps’ keys: trust shown by `contacts devices`, verified as Profanity prints them, a changed device accepted, a verification taken back', async () => {
    // Juliet's Profanity published an OMEMO device (the items real clients made, test/fixtures/interop).
    await juliet.session.connect(juliet.params);
    const publish = async (node: string, fixture: string) => {
      const item = fixtureItem(fixture);
      await juliet.session.iq.set(publishRequest(node, { id: item.id, payload: item.payload as Element }), juliet.jid);
    };
    const bundleNode = `${NS.omemoAxolotlBundles}:${expected.profanityDeviceId}`;
    await publish(bundleNode, 'profanity-axolotl-bundle');
    await publish(NS.omemoAxolotlDevices, 'profanity-axolotl-devicelist');
    const devices = async () => (await cli(romeo, 'contacts', 'devices', juliet.jid)).stdout;
    // The same policy as her X.509 keys (the test before may have left another): trust on first use.
    expect((await cli(romeo, 'contacts', 'trust', juliet.jid, 'tofu')).code).toBe(0);
    expect(await devices()).toMatch(new RegExp(`OMEMO device ${expected.profanityDeviceId}.*\n.*\n  first seen .*\n  trust: trusted\n`));

    // An OpenPGP fingerprint she has no key for: exit 1, one line, recorded, shown red.
    const wrong = await cli(romeo, 'contacts', 'verify', juliet.jid, expected.profanityOxFingerprint);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr.trim().split('\n')).toHaveLength(1);
    expect(wrong.stderr).toMatch(/matches none of .*'s current OMEMO devices or OpenPGP keys: nothing was verified/);
    expect(wrong.stderr).toContain(`${expected.profanityOxFingerprint} matches none of`);
    expect(wrong.stderr).toContain('It has no group of four in common with any of their keys.');
    expect(await devices()).toMatch(/!! MISMATCH: DB9D 478D/);

    // Another identity key under the same device id: changed, until accepted.
    await publish(bundleNode, 'nbxmpp-axolotl-bundle-1717');
    await juliet.session.disconnect();
    expect(await devices()).toMatch(/!! CHANGED[\s\S]*trust: changed \(compare it/);
    const accepted = await cli(romeo, 'contacts', 'accept', juliet.jid, expected.nbxmppBundle1717Fingerprint);
    expect(accepted.code).toBe(0);
    expect(accepted.stdout).toContain(`Accepted ${juliet.jid}'s changed OMEMO device ${expected.profanityDeviceId} without comparing.`);
    expect(accepted.stdout).toMatch(/trust: trusted \(accepted without comparing on \d{4}-\d\d-\d\d\)/);

    // The new key, typed as Profanity prints fingerprints (groups of 8 joined by dashes): verified.
    const dashed = expected.nbxmppBundle1717Fingerprint.match(/.{8}/g)?.join('-') ?? '';
    const verified = await cli(romeo, 'contacts', 'verify', juliet.jid, dashed);
    expect(verified).toMatchObject({ code: 0, stderr: '' });
    expect(verified.stdout).toContain(`Verified ${juliet.jid}'s OMEMO device ${expected.profanityDeviceId} `);
    const json = JSON.parse((await cli(romeo, '--json', 'contacts', 'devices', juliet.jid)).stdout) as OtherKeysView;
    expect(json.keys.find((k) => k.deviceId === expected.profanityDeviceId)).toMatchObject({ decision: 'verified' });
    expect(await devices()).not.toMatch(/MISMATCH/);

    // Taken back, typed as 64 plain digits (X.509-sized: none of her X.509 keys has them, her device does):
    // accepted before it was verified, so trusted again as accepted; a second time is a usage error.
    const unverified = await cli(romeo, 'contacts', 'unverify', juliet.jid, expected.nbxmppBundle1717Fingerprint);
    expect(unverified).toMatchObject({ code: 0, stderr: '' });
    expect(unverified.stdout).toContain(`Took back the verification of ${juliet.jid}'s OMEMO device ${expected.profanityDeviceId}.`);
    expect(unverified.stdout).toMatch(/trust: trusted \(accepted without comparing on \d{4}-\d\d-\d\d\)/);
    const twice = await cli(romeo, 'contacts', 'unverify', juliet.jid, dashed);
    expect(twice.code).toBe(2);
    expect(twice.stderr.trim().split('\n')).toHaveLength(1);
    expect(twice.stderr).toMatch(/is not verified: nothing to take back/);
  }, 120_000);
});
