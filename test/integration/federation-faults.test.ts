/**
 * What breaks across servers, on real Prosody servers federating over TLS (test/support/federation.ts):
 * a server whose certificate the test CA never signed is kept out both ways; a contact whose server is
 * down is "unreachable", not "no keys", in the app and the CLI; and a hung server (SIGSTOP: it accepts
 * connections and says nothing) holds up no other contact's fetch.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchItems } from '../../main/xmpp/fetch-items.js';
import { NS } from '../../main/xmpp/namespaces.js';
import type { ContactKeysView, ContactProfileView, Profile } from '../../contract/index.js';
import { startApp, type App } from '../support/app.js';
import { BUILT_CLI, runCli } from '../support/cli.js';
import { CAPULET, MONTAGUE, startFederation, type Federation } from '../support/federation.js';
import { announceInterest, befriend, connectActor, type Actor } from '../support/scenario.js';

const VERONA = 'verona.lit';
const ROMEO: Profile = { fullName: 'Romeo Montague', nickname: 'Romeo', emails: [], phones: [], urls: [] };

describe('federation faults: juliet on prosody (capulet.lit), romeo on prosody (montague.lit)', () => {
  let federation: Federation;
  let juliet: App;
  let nurse: App;
  let romeo: App;
  let mercutio: Actor;
  const apps: App[] = [];

  beforeAll(async () => {
    federation = await startFederation({ capulet: 'prosody', impostor: VERONA });
    [juliet, nurse, romeo] = await Promise.all([
      startApp('juliet', CAPULET, federation.capulet.info),
      startApp('nurse', CAPULET, federation.capulet.info),
      startApp('romeo', MONTAGUE, federation.montague.info),
    ]);
    apps.push(juliet, nurse, romeo);
    mercutio = await connectActor('mercutio', VERONA, federation.impostor?.info);
    await befriend(juliet.actor, romeo.actor, ['Friends']);
    await befriend(juliet.actor, nurse.actor, ['Servants']);
    await announceInterest(romeo.actor, CAPULET);
  }, 90_000);

  afterAll(async () => {
    await Promise.all(apps.map((a) => a.stop()));
    await mercutio?.session.disconnect();
    await federation?.stop();
  });

  it('a server whose certificate the test CA never signed is kept out both ways, and the app says why', async () => {
    // Capulet.lit connecting out to the impostor: it checks verona.lit's certificate and closes the link.
    const out = await juliet.core.dispatch('contacts:fetchKeys', { jid: mercutio.jid });
    expect(out).toMatchObject({ ok: true, value: { fetch: 'unreachable', keys: [] } });
    expect((out as { value: { detail?: string } }).value.detail).toMatch(/certificate is not trusted/);

    // The impostor connecting in: capulet.lit offers it no way in (no dialback, no trusted certificate).
    const back = await fetchItems(mercutio.session.client.iqCaller, juliet.actor.jid, NS.pubkey, 10_000);
    expect(back).toMatchObject({ status: 'unreachable' });
    expect((back as { detail: string }).detail).toMatch(/certificate is not trusted/);
  });

  it('romeo’s server down: juliet’s app says their server is unreachable (not "no keys") and keeps the key it knew; so does the CLI', async () => {
    const key = (await romeo.core.dispatch('keys:generate', { bits: 2048 })) as { value: { fingerprint: string } };
    const fingerprint = key.value.fingerprint;
    await romeo.core.dispatch('keys:publish', { fingerprint, access: { model: 'presence' } });
    await romeo.core.dispatch('profile:publish', { profile: ROMEO, access: { model: 'presence' } });
    expect(await juliet.core.dispatch('contacts:fetchKeys', { jid: romeo.actor.jid })).toMatchObject({
      ok: true,
      value: { fetch: 'ok', keys: [{ fingerprint }] },
    });

    await federation.montague.pause();
    try {
      const keys = await juliet.core.dispatch('contacts:fetchKeys', { jid: romeo.actor.jid });
      expect(keys).toMatchObject({ ok: true, value: { fetch: 'unreachable', keys: [{ fingerprint }] } });
      expect((keys as { value: { detail?: string } }).value.detail).toMatch(/^remote-server-not-found/);
      const profile = await juliet.core.dispatch('contacts:fetchProfile', { jid: romeo.actor.jid });
      expect(profile).toMatchObject({ ok: true });
      const sources = (profile as { value: ContactProfileView }).value.sources;
      expect(sources.map((s) => s.status)).toEqual(sources.map(() => 'unreachable'));

      expect(existsSync(BUILT_CLI), 'run `npm run build` before the CLI tests').toBe(true);
      const dataDir = await mkdtemp(join(tmpdir(), 'keyring-cli-'));
      try {
        const server = federation.capulet.info;
        const cli = (...args: string[]) =>
          runCli(
            ['--jid', juliet.actor.jid, '--password-env', 'ACCOUNT_PW', '--server', `${server.host}:${server.port}`,
              '--ca-file', server.caFile, '--data-dir', dataDir, ...args],
            { ...process.env, ACCOUNT_PW: juliet.actor.params.password, KEYRING_PASSPHRASE: 'cli test passphrase' },
          );
        const keysRun = await cli('contacts', 'keys', romeo.actor.jid);
        expect(keysRun.code).toBe(1);
        expect(keysRun.stderr).toMatch(/their server is unreachable: could not fetch romeo-\w+@montague\.lit's keys \(remote-server-not-found/i);
        expect(keysRun.stdout + keysRun.stderr).not.toMatch(/publishes no keys/);
        const profileRun = await cli('profile', 'show', romeo.actor.jid);
        expect(profileRun.code).toBe(1);
        expect(profileRun.stderr).toMatch(/their server is unreachable: could not fetch romeo-\w+@montague\.lit's profile/i);
      } finally {
        await rm(dataDir, { recursive: true, force: true });
      }
    } finally {
      await federation.montague.resume();
    }
    // Back up: the next fetch crosses a new link and finds the key again.
    expect(await juliet.core.dispatch('contacts:fetchKeys', { jid: romeo.actor.jid })).toMatchObject({
      ok: true,
      value: { fetch: 'ok', keys: [{ fingerprint }] },
    });
  });

  it('romeo’s server hung: 20 contacts there hold up none of juliet’s own; they say "unreachable" after one timeout', async () => {
    const key = (await nurse.core.dispatch('keys:generate', { bits: 2048 })) as { value: { fingerprint: string } };
    await nurse.core.dispatch('keys:publish', { fingerprint: key.value.fingerprint, access: { model: 'presence' } });
    const onMontague = [romeo.actor.jid, ...Array.from({ length: 19 }, (_, i) => `kinsman-${i}@${MONTAGUE}`)];
    const atHome = [nurse.actor.jid, `friar-laurence@${CAPULET}`, `balthasar@${CAPULET}`];
    const settled: string[] = [];
    const stop = juliet.core.events.subscribe((event, payload) => {
      if (event === 'contacts:keys') settled.push((payload as ContactKeysView).jid);
    });
    const timeoutMs = 3000;

    federation.montague.freeze();
    let views: ContactKeysView[];
    const started = Date.now();
    try {
      // The hung server's contacts first, more of them than there are lanes.
      views = await juliet.core.contactKeys.fetchMany([...onMontague, ...atHome], 16, timeoutMs);
    } finally {
      federation.montague.thaw();
      stop();
    }
    const elapsed = Date.now() - started;

    expect(settled.slice(0, atHome.length).sort()).toEqual([...atHome].sort());
    expect(views.slice(onMontague.length)[0]).toMatchObject({ jid: nurse.actor.jid, fetch: 'ok', keys: [{ fingerprint: key.value.fingerprint }] });
    expect(views.slice(0, onMontague.length).map((v) => v.fetch)).toEqual(onMontague.map(() => 'unreachable'));
    expect(views[0]?.detail).toBe('no answer within 3 s');
    expect(elapsed).toBeLessThan(2 * timeoutMs);
  });
});
