/**
 * A server (or anyone in the path) that skips encryption or login must get nothing from us: no login
 * bytes, no binding, no stanza, and nothing it says reaches the vault. Each attack runs against a fake
 * server (test/support/fake-xmpp-server.ts) that records every byte the client sent; the same attacks
 * run through the real `keyring` command as a child process. A genuine TLS + SASL server, played by
 * the same fake, signs in, so the refusals are not the fake's doing.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Element } from '@xmpp/xml';
import { AppEvents } from '../../main/events.js';
import { KeyringError } from '../../main/errors.js';
import { createSelfSignedCertificate } from '../../main/keys/certificate.js';
import { generateRsaKeyPair } from '../../main/keys/generate.js';
import { silentLogger } from '../../main/logger.js';
import { VaultHolder } from '../../main/vault/vault-holder.js';
import { NS } from '../../main/xmpp/namespaces.js';
import { AccountSession } from '../../main/xmpp/session.js';
import { BUILT_CLI, runCli } from '../support/cli.js';
import { FEATURES, startFakeXmppServer, type FakeXmppServer, type FakeXmppServerOptions } from '../support/fake-xmpp-server.js';
import { makeTestPki, type TestPki } from '../support/test-pki.js';

const DOMAIN = 'capulet.lit';
const JULIET = `juliet@${DOMAIN}`;
const ROMEO = 'romeo@montague.lit';
const PASSWORD = 'balcony-secret-4711';

let dir: string;
let pki: TestPki;
let romeoCertificate: string;
const servers: FakeXmppServer[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keyring-hostile-'));
  pki = await makeTestPki(dir, [DOMAIN]);
  // The attacker's certificate for romeo, which a fooled client would store as first seen.
  const { privateKey } = await generateRsaKeyPair(2048);
  romeoCertificate = (await createSelfSignedCertificate({ bareJid: ROMEO, privateKey })).toString('base64');
});

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A server that answers whatever it is asked like romeo's PEP service would, with the attacker's key. */
async function fakeServer(options: Omit<FakeXmppServerOptions, 'domain' | 'pki' | 'answer' | 'password'>): Promise<FakeXmppServer> {
  const server = await startFakeXmppServer({
    domain: DOMAIN,
    pki,
    password: PASSWORD,
    answer: (stanza: Element) => {
      if (stanza.name !== 'iq' || stanza.attrs.type !== 'get') return undefined;
      return (
        `<iq type='result' id='${stanza.attrs.id}' from='${stanza.attrs.to ?? ''}'>` +
        `<pubsub xmlns='${NS.pubsub}'><items node='${NS.pubkey}'><item id='k1'>` +
        `<key xmlns='${NS.pubkey}'><x509cert>${romeoCertificate}</x509cert></key></item></items></pubsub></iq>`
      );
    },
    ...options,
  });
  servers.push(server);
  return server;
}

async function connectTo(server: FakeXmppServer): Promise<{ error: unknown; session: AccountSession; states: string[] }> {
  const events = new AppEvents();
  const states: string[] = [];
  events.subscribe((event, payload) => {
    if (event === 'account:state') states.push((payload as { status: string }).status);
  });
  const session = new AccountSession({ events, log: silentLogger });
  const error = await session
    .connect({ jid: JULIET, password: PASSWORD, host: server.host, port: server.port, caFile: pki.caFile })
    .then(() => undefined, (e: unknown) => e);
  return { error, session, states };
}

/** What the client sent on the one connection, minus the stream headers (and the closing tag). */
function sentBeyondHeaders(server: FakeXmppServer): string {
  expect(server.connections()).toBe(1);
  return (server.received()[0] ?? '')
    .replace(/<\?xml[^>]*\?>/g, '')
    .replace(/<stream:stream [^>]*>/g, '')
    .replace('</stream:stream>', '');
}

describe('a server that skips encryption or login gets nothing', () => {
  it('features with only <bind/> on a plain stream: tls-required, and only the stream header was sent', async () => {
    const server = await fakeServer({ plainFeatures: FEATURES.bind });
    const { error, session, states } = await connectTo(server);
    expect(error).toBeInstanceOf(KeyringError);
    expect(error).toMatchObject({ code: 'tls-required', message: expect.stringMatching(/did not offer encryption \(STARTTLS\)/) as string });
    expect(sentBeyondHeaders(server)).toBe('');
    expect(states).not.toContain('online');
    expect(session.state.status).toBe('failed');
  });

  it('SASL offered without STARTTLS: tls-required, and no <auth/> (no password) was sent', async () => {
    const server = await fakeServer({ plainFeatures: FEATURES.plain + FEATURES.bind });
    const { error } = await connectTo(server);
    expect(error).toMatchObject({ code: 'tls-required' });
    expect(sentBeyondHeaders(server)).toBe('');
  });

  it('STARTTLS offered, then <failure/>: tls-required, and nothing but <starttls/> was sent', async () => {
    const server = await fakeServer({ plainFeatures: FEATURES.starttls, starttls: 'failure' });
    const { error } = await connectTo(server);
    expect(error).toMatchObject({ code: 'tls-required', message: expect.stringMatching(/refused to start it/) as string });
    expect(sentBeyondHeaders(server)).toBe(`<starttls xmlns="${NS.tls}"/>`);
  });

  it('after TLS, features with only <bind/>: auth-required, and no binding, session or stanza was sent', async () => {
    const server = await fakeServer({ plainFeatures: FEATURES.starttls, starttls: 'proceed', tlsFeatures: FEATURES.bind });
    const { error, states } = await connectTo(server);
    expect(error).toMatchObject({ code: 'auth-required', message: expect.stringMatching(/did not ask for a login \(SASL\)/) as string });
    expect(sentBeyondHeaders(server)).toBe(`<starttls xmlns="${NS.tls}"/>`);
    expect(states).not.toContain('online');
  });

  it('after TLS, SASL with no mechanism we use: auth-required naming what was offered', async () => {
    const server = await fakeServer({
      plainFeatures: FEATURES.starttls,
      starttls: 'proceed',
      tlsFeatures: `<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>X-OAUTH2</mechanism></mechanisms>${FEATURES.bind}`,
    });
    const { error } = await connectTo(server);
    expect(error).toMatchObject({ code: 'auth-required', message: expect.stringMatching(/it offers X-OAUTH2/) as string });
    expect(sentBeyondHeaders(server)).toBe(`<starttls xmlns="${NS.tls}"/>`);
  });

  it('stanzas pushed before login are neither answered nor heard', async () => {
    // A roster push, a PEP notification with a key for romeo and an SM ack request, all before login.
    const server = await fakeServer({
      plainFeatures: FEATURES.starttls,
      starttls: 'proceed',
      tlsFeatures: FEATURES.plain,
      beforeLogin:
        `<iq type='set' id='push1'><query xmlns='${NS.roster}'><item jid='${ROMEO}' subscription='both'/></query></iq>` +
        `<message from='${ROMEO}'><event xmlns='${NS.pubsubEvent}'><items node='${NS.pubkey}'><item id='k1'>` +
        `<key xmlns='${NS.pubkey}'><x509cert>${romeoCertificate}</x509cert></key></item></items></event></message>` +
        `<r xmlns='urn:xmpp:sm:3'/>`,
    });
    const heard: string[] = [];
    const session = new AccountSession({ events: new AppEvents(), log: silentLogger });
    session.events.on('roster', () => heard.push('roster'));
    session.events.on('pep', () => heard.push('pep'));
    await session.connect({ jid: JULIET, password: PASSWORD, host: server.host, port: server.port, caFile: pki.caFile });
    await session.disconnect();
    expect(heard).toEqual([]);
    const sent = sentBeyondHeaders(server);
    expect(sent).not.toMatch(/id="push1"/);
    expect(sent).not.toMatch(/<a /);
  });

  it('a server with TLS, SASL and binding signs in (the refusals above are not the fake’s doing)', async () => {
    for (const login of [FEATURES.plain, FEATURES.sasl2Plain]) {
      const server = await fakeServer({ plainFeatures: FEATURES.starttls, starttls: 'proceed', tlsFeatures: login });
      const { error, session } = await connectTo(server);
      expect(error).toBeUndefined();
      expect(session.state.status).toBe('online');
      await session.disconnect();
    }
  });
});

describe('the keyring command against such servers', () => {
  it.each([
    ['only <bind/> on a plain stream', { plainFeatures: FEATURES.bind }, 'tls-required', /did not offer encryption/],
    ['STARTTLS, then only <bind/>', { plainFeatures: FEATURES.starttls, starttls: 'proceed' as const, tlsFeatures: FEATURES.bind }, 'auth-required', /did not ask for a login/],
  ])('%s: `contacts keys romeo@…` exits 1 with one line, and the vault holds no key for romeo', async (_name, features, _code, message) => {
    expect(existsSync(BUILT_CLI), 'run `npm run build` before the CLI tests').toBe(true);
    const server = await fakeServer(features);
    const dataDir = await mkdtemp(join(dir, 'cli-'));
    const run = await runCli(
      ['--jid', JULIET, '--server', `${server.host}:${server.port}`, '--ca-file', pki.caFile, '--data-dir', dataDir, 'contacts', 'keys', ROMEO],
      { ...process.env, KEYRING_PASSWORD: PASSWORD, KEYRING_PASSPHRASE: 'hostile test passphrase' },
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(message);
    expect(sentBeyondHeaders(server)).not.toMatch(/<(iq|presence|message|auth|authenticate|enable|bind)\b/);

    const vault = await new VaultHolder({ dir: dataDir }).unlock('hostile test passphrase');
    expect(vault.document.accounts[JULIET]?.contacts[ROMEO] ?? []).toEqual([]);
  }, 60_000);
});
