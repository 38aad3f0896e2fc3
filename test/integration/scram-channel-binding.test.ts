/**
 * Channel binding on the real servers, and what it buys: a man in the middle holding a certificate for
 * the server's name from a CA the app trusts (test/support/starttls-mitm.ts) cannot sign in as us,
 * because the server compares our binding with the TLS connection *it* has, which is the attacker's.
 *
 * Servers started here besides the suite's two: a Prosody 0.12 limited to TLS 1.2, where it offers
 * SCRAM-SHA-1-PLUS with tls-unique (it offers no -PLUS on TLS 1.3), and an ejabberd 23.01 storing
 * SHA-512 keys (`auth_scram_hash: sha512`), which then offers SCRAM-SHA-512 and SCRAM-SHA-512-PLUS.
 *
 * Measured: ejabberd 23.01 does not refuse "y" (RFC 5802 §6 says a server that supports channel
 * binding MUST), so an attacker who strips -PLUS from its offer gets the app's "y" through unnoticed;
 * Prosody refuses it. The app cannot tell a stripped offer from an honest one.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { AppEvents } from '../../main/events.js';
import { KeyringError } from '../../main/errors.js';
import type { Logger } from '../../main/logger.js';
import { AccountSession } from '../../main/xmpp/session.js';
import type { ConnectParams } from '../../contract/index.js';
import { startEjabberd } from '../support/ejabberd.js';
import { startProsody } from '../support/prosody.js';
import { startStarttlsMitm, type StarttlsMitm } from '../support/starttls-mitm.js';
import { makeTestPki, type TestPki } from '../support/test-pki.js';
import { registerAccount, type ServerInfo, type XmppTestServer } from '../support/xmpp-server.js';

const DOMAIN = 'capulet.lit';
let dir: string;
let attacker: TestPki;
let prosodyTls12: XmppTestServer;
let ejabberdSha512: XmppTestServer;
const sessions: AccountSession[] = [];
const mitms: StarttlsMitm[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keyring-scram-cb-'));
  // The attacker's own CA, which the app is made to trust: a certificate for capulet.lit it mis-issued.
  attacker = await makeTestPki(dir, [DOMAIN]);
  [prosodyTls12, ejabberdSha512] = await Promise.all([
    startProsody({ domains: [DOMAIN], tlsProtocol: 'tlsv1_2' }),
    startEjabberd({ domains: [DOMAIN], scramHash: 'sha512' }),
  ]);
}, 120_000);
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.disconnect()));
  await Promise.all(mitms.splice(0).map((m) => m.close()));
});
afterAll(async () => {
  await Promise.all([prosodyTls12?.stop(), ejabberdSha512?.stop()]);
  await rm(dir, { recursive: true, force: true });
}, 60_000);

async function account(info: ServerInfo): Promise<ConnectParams> {
  const local = `juliet-${randomBytes(3).toString('hex')}`;
  const password = randomBytes(12).toString('base64url');
  await registerAccount(info, local, DOMAIN, password);
  return { jid: `${local}@${DOMAIN}`, password, host: info.host, port: info.port, caFile: info.caFile };
}

async function signIn(params: ConnectParams): Promise<{ error: unknown; online: boolean; logged: string[] }> {
  const logged: string[] = [];
  const log: Logger = { info: (m) => logged.push(m), warn: (m) => logged.push(m), error: (m) => logged.push(m) };
  const session = new AccountSession({ events: new AppEvents(), log });
  sessions.push(session);
  const error = await session.connect(params).then(() => undefined, (e: unknown) => e);
  return { error, online: session.state.status === 'online', logged };
}

/** The same account, reached through an attacker in the middle with a certificate the app trusts. */
async function throughMitm(params: ConnectParams, info: ServerInfo, rewrite?: (xml: string) => string): Promise<{ mitm: StarttlsMitm; params: ConnectParams }> {
  const mitm = await startStarttlsMitm({ target: info, domain: DOMAIN, pki: attacker, ...(rewrite ? { rewrite } : {}) });
  mitms.push(mitm);
  return { mitm, params: { ...params, host: mitm.host, port: mitm.port, caFile: attacker.caFile } };
}

/** The gs2-header of the client-first-message the client sent through the attacker. */
function gs2Header(mitm: StarttlsMitm): string {
  const auth = /<auth [^>]*>([^<]+)<\/auth>/.exec(mitm.clientSent().join(''))?.[1] ?? '';
  return /^[^,]*,[^,]*,/.exec(Buffer.from(auth, 'base64').toString('utf8'))?.[0] ?? '';
}

const stripPlus = (xml: string): string => xml.replace(/<mechanism>SCRAM-[A-Z0-9-]+-PLUS<\/mechanism>/g, '');

describe('the best the server offers, bound and verified by it', () => {
  it('Prosody 0.12 on TLS 1.2: SCRAM-SHA-1-PLUS with tls-unique', async () => {
    const { error, online, logged } = await signIn(await account(prosodyTls12.info));
    expect(error).toBeUndefined();
    expect(online).toBe(true);
    expect(logged).toContain('signed in to capulet.lit with SCRAM-SHA-1-PLUS, bound to this TLS connection (tls-unique)');
  });

  it('ejabberd 23.01 with SHA-512 keys: SCRAM-SHA-512-PLUS with tls-unique', async () => {
    const { error, online, logged } = await signIn(await account(ejabberdSha512.info));
    expect(error).toBeUndefined();
    expect(online).toBe(true);
    expect(logged).toContain('signed in to capulet.lit with SCRAM-SHA-512-PLUS, bound to this TLS connection (tls-unique)');
  });
});

describe('an attacker in the middle with a certificate the app trusts', () => {
  it.each([
    ['ejabberd 23.01 (TLS 1.3)', () => inject('ejabberd')],
    ['ejabberd 23.01, SHA-512 (TLS 1.3)', () => ejabberdSha512.info],
    ['Prosody 0.12 (TLS 1.2)', () => prosodyTls12.info],
  ])('%s: the server sees the binding is not its connection, and the login fails', async (_name, server) => {
    const info = server();
    const { mitm, params } = await throughMitm(await account(info), info);
    const { error, online } = await signIn(params);
    expect(mitm.clientSent().join('')).toContain('<auth ');
    expect(gs2Header(mitm)).toBe('p=tls-unique,,');
    expect(error).toBeInstanceOf(KeyringError);
    expect((error as KeyringError).code).toBe('auth-failed');
    expect(online).toBe(false);
  });

  it('strips -PLUS from the offer: the app says "y" (never "n"), and Prosody, which binds, refuses the login', async () => {
    const { mitm, params } = await throughMitm(await account(prosodyTls12.info), prosodyTls12.info, stripPlus);
    const { error, online } = await signIn(params);
    expect(gs2Header(mitm)).toBe('y,,');
    expect(error).toMatchObject({ code: 'auth-failed' });
    expect(online).toBe(false);
  });

  it('strips -PLUS from ejabberd 23.01\'s offer: the app says "y", which ejabberd does not check (measured)', async () => {
    const info = inject('ejabberd');
    const { mitm, params } = await throughMitm(await account(info), info, stripPlus);
    const { online } = await signIn(params);
    expect(gs2Header(mitm)).toBe('y,,');
    // ejabberd 23.01's xmpp_sasl_scram accepts "y" whatever it offered: the attacker is in.
    expect(online).toBe(true);
  });
});
