/**
 * The SCRAM -PLUS pin (issue 14.5, XEP-0440's idea): once an account's server offered a -PLUS
 * mechanism, the app remembers it, and a later sign-in whose offer lacks one (what someone stripping
 * it on the way would cause) is refused with 'channel-binding-stripped' before any login is sent. An
 * account whose server never offered -PLUS is not affected. Played by the fake server, which checks
 * channel bindings the way a real server does.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createKeyringCore, type KeyringCore } from '../../main/core.js';
import { silentLogger } from '../../main/logger.js';
import { startScramServer } from '../support/fake-xmpp-server.js';
import { makeTestPki, type TestPki } from '../support/test-pki.js';
import { LIGHT_SCRYPT } from '../support/vaults.js';

const DOMAIN = 'capulet.lit';
const PASSWORD = 'balcony-secret-4711';

let dir: string;
let pki: TestPki;
const cleanup: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keyring-plus-pin-'));
  pki = await makeTestPki(dir, [DOMAIN]);
});
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

type FakeXmppServer = Awaited<ReturnType<typeof startScramServer>>;

async function fake(mechanisms: string[]): Promise<FakeXmppServer> {
  const server = await startScramServer({ domain: DOMAIN, pki, password: PASSWORD, mechanisms });
  cleanup.push(() => server.close());
  return server;
}

async function app(dataDir: string): Promise<KeyringCore> {
  const core = createKeyringCore({ host: 'browser', version: 'test', log: silentLogger, dataDir, scrypt: LIGHT_SCRYPT, connection: { retryDelay: () => 200 } });
  cleanup.push(() => core.dispose());
  const unlocked = await core.api.vault.unlock({ passphrase: 'a passphrase here' });
  if (!unlocked.ok) throw new Error(unlocked.error.message);
  return core;
}

const signIn = (core: KeyringCore, server: FakeXmppServer) =>
  core.api.account.connect({ jid: `juliet@${DOMAIN}`, password: PASSWORD, host: server.host, port: server.port, caFile: pki.caFile });

describe('a server that offered SCRAM -PLUS once', () => {
  it('is refused when a later offer lacks -PLUS, after a restart too, and no login is sent', async () => {
    const dataDir = await mkdtemp(join(dir, 'vault-'));
    const honest = await fake(['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256']);
    const first = await app(dataDir);
    expect(await signIn(first, honest)).toMatchObject({ ok: true, value: { status: 'online' } });
    expect(honest.scramTranscripts().map((t) => t.mechanism)).toEqual(['SCRAM-SHA-256-PLUS']);
    await first.dispose();

    const stripped = await fake(['SCRAM-SHA-256', 'PLAIN']);
    const second = await app(dataDir);
    const refused = await signIn(second, stripped);
    expect(refused).toMatchObject({ ok: false, error: { code: 'channel-binding-stripped' } });
    expect(!refused.ok && refused.error.message).toMatch(/used to offer a login tied to the encrypted connection \(SCRAM -PLUS\)/);
    expect(stripped.scramTranscripts()).toEqual([]);
    expect(stripped.received().join('')).not.toMatch(/<auth /);
    expect(second.session.state.status).toBe('failed');
  });

  it('signs in without -PLUS only when the user accepts it, then asks no more until -PLUS comes back', async () => {
    const dataDir = await mkdtemp(join(dir, 'vault-'));
    const honest = await fake(['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256']);
    const core = await app(dataDir);
    expect(await signIn(core, honest)).toMatchObject({ ok: true });
    await core.api.account.disconnect();

    // The admin moved the server behind something that cannot bind channels: refused, then accepted.
    const changed = await fake(['SCRAM-SHA-256']);
    expect(await signIn(core, changed)).toMatchObject({ ok: false, error: { code: 'channel-binding-stripped' } });
    const accepted = await core.api.account.connect({
      jid: `juliet@${DOMAIN}`,
      password: PASSWORD,
      host: changed.host,
      port: changed.port,
      caFile: pki.caFile,
      acceptNoChannelBinding: true,
    });
    expect(accepted).toMatchObject({ ok: true, value: { status: 'online' } });
    await core.api.account.disconnect();
    // The requirement is forgotten: an ordinary sign-in to the changed server works.
    expect(await signIn(core, changed)).toMatchObject({ ok: true });
    await core.api.account.disconnect();

    // -PLUS offered again pins it again, so a stripped offer after that is refused once more.
    expect(await signIn(core, honest)).toMatchObject({ ok: true });
    await core.api.account.disconnect();
    expect(await signIn(core, changed)).toMatchObject({ ok: false, error: { code: 'channel-binding-stripped' } });
    expect(changed.scramTranscripts().map((t) => t.mechanism)).toEqual(['SCRAM-SHA-256', 'SCRAM-SHA-256']);
  });

  it('an account whose server never offered -PLUS signs in as before', async () => {
    const dataDir = await mkdtemp(join(dir, 'vault-'));
    const plain = await fake(['SCRAM-SHA-256']);
    const core = await app(dataDir);
    expect(await signIn(core, plain)).toMatchObject({ ok: true });
    await core.api.account.disconnect();
    expect(await signIn(core, plain)).toMatchObject({ ok: true });
    expect(plain.scramTranscripts().map((t) => t.mechanism)).toEqual(['SCRAM-SHA-256', 'SCRAM-SHA-256']);
  });
});

/** What a client sent that would carry the password: a PLAIN <auth/>, or the password in any form. */
function passwordSent(server: FakeXmppServer): boolean {
  const sent = server.received().join('');
  const plain = Buffer.from(`\0juliet\0${PASSWORD}`, 'utf8').toString('base64');
  return sent.includes(plain) || sent.includes(PASSWORD) || /mechanism=['"]PLAIN/.test(sent);
}

describe('an account that signed in with SCRAM once', () => {
  it('is refused an offer of PLAIN alone, after a restart too, and the password is not sent', async () => {
    const dataDir = await mkdtemp(join(dir, 'vault-'));
    const honest = await fake(['SCRAM-SHA-256', 'PLAIN']);
    const first = await app(dataDir);
    expect(await signIn(first, honest)).toMatchObject({ ok: true, value: { status: 'online' } });
    expect(honest.scramTranscripts().map((t) => t.mechanism)).toEqual(['SCRAM-SHA-256']);
    await first.dispose();

    const stripped = await fake(['PLAIN']);
    const second = await app(dataDir);
    const refused = await signIn(second, stripped);
    expect(refused).toMatchObject({ ok: false, error: { code: 'scram-stripped' } });
    expect(!refused.ok && refused.error.message).toMatch(/used to take a login that does not send your password \(SCRAM\)/);
    expect(stripped.received().join('')).not.toMatch(/<auth /);
    expect(passwordSent(stripped)).toBe(false);
    expect(second.session.state.status).toBe('failed');
  });

  it('signs in with PLAIN only when the user accepts it, then asks no more until SCRAM is used again', async () => {
    const dataDir = await mkdtemp(join(dir, 'vault-'));
    const honest = await fake(['SCRAM-SHA-256']);
    const core = await app(dataDir);
    expect(await signIn(core, honest)).toMatchObject({ ok: true });
    await core.api.account.disconnect();

    // The admin moved the server to an authentication backend that takes only the password itself.
    const changed = await fake(['PLAIN']);
    expect(await signIn(core, changed)).toMatchObject({ ok: false, error: { code: 'scram-stripped' } });
    expect(passwordSent(changed)).toBe(false);
    const accepted = await core.api.account.connect({
      jid: `juliet@${DOMAIN}`,
      password: PASSWORD,
      host: changed.host,
      port: changed.port,
      caFile: pki.caFile,
      acceptPlainLogin: true,
    });
    expect(accepted).toMatchObject({ ok: true, value: { status: 'online' } });
    expect(passwordSent(changed)).toBe(true);
    await core.api.account.disconnect();
    // The requirement is forgotten: an ordinary sign-in to the changed server works.
    expect(await signIn(core, changed)).toMatchObject({ ok: true });
    await core.api.account.disconnect();

    // SCRAM used again pins it again.
    expect(await signIn(core, honest)).toMatchObject({ ok: true });
    await core.api.account.disconnect();
    expect(await signIn(core, changed)).toMatchObject({ ok: false, error: { code: 'scram-stripped' } });
  });

  it('a -PLUS account offered PLAIN alone is told the password was asked for, and accepting no binding does not send it', async () => {
    const dataDir = await mkdtemp(join(dir, 'vault-'));
    const honest = await fake(['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256']);
    const core = await app(dataDir);
    expect(await signIn(core, honest)).toMatchObject({ ok: true });
    await core.api.account.disconnect();

    const stripped = await fake(['PLAIN']);
    expect(await signIn(core, stripped)).toMatchObject({ ok: false, error: { code: 'scram-stripped' } });
    const noBinding = await core.api.account.connect({
      jid: `juliet@${DOMAIN}`,
      password: PASSWORD,
      host: stripped.host,
      port: stripped.port,
      caFile: pki.caFile,
      acceptNoChannelBinding: true,
    });
    expect(noBinding).toMatchObject({ ok: false, error: { code: 'scram-stripped' } });
    expect(passwordSent(stripped)).toBe(false);
  });

  it('a reconnect of the same session is refused PLAIN alone, before anything was remembered', async () => {
    const dataDir = await mkdtemp(join(dir, 'vault-'));
    const server = await fake(['SCRAM-SHA-256', 'PLAIN']);
    const core = await app(dataDir);
    expect(await signIn(core, server)).toMatchObject({ ok: true, value: { status: 'online' } });

    // Someone cuts the connection and answers the reconnect with PLAIN alone.
    server.offer(['PLAIN']);
    const transport = core.session.client.entity.socket as { socket?: { destroy(): void } };
    transport.socket?.destroy();
    await expect.poll(() => core.session.state.cause?.code, { timeout: 10_000 }).toBe('scram-stripped');
    expect(server.connections()).toBeGreaterThan(1);
    expect(passwordSent(server)).toBe(false);
  });

  it('an account that only ever signed in with PLAIN signs in as before', async () => {
    const dataDir = await mkdtemp(join(dir, 'vault-'));
    const plain = await fake(['PLAIN']);
    const core = await app(dataDir);
    expect(await signIn(core, plain)).toMatchObject({ ok: true });
    await core.api.account.disconnect();
    expect(await signIn(core, plain)).toMatchObject({ ok: true });
  });
});
