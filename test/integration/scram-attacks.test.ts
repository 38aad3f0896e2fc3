/**
 * SCRAM against a server that lies, played by the fake server (test/support/fake-xmpp-server.ts with
 * fake-scram.ts, which checks proofs and channel bindings the way a real server does):
 * - one that does not know the password cannot get us online, over SASL or SASL2, however it words
 *   its success, and nothing it sends after that success reaches the app;
 * - the offer decides the channel binding, and the server verifies it: tls-exporter, tls-server-end-
 *   point, tls-unique (TLS 1.2, and TLS 1.3 as ejabberd checks it);
 * - an offer with -PLUS is never answered without binding ("n" or "y"): when no binding the server
 *   lists can be computed, nothing is sent at all;
 * - a challenge that is not an answer to us, or asks for too little work, gets no proof.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AppEvents } from '../../main/events.js';
import { KeyringError } from '../../main/errors.js';
import type { Logger } from '../../main/logger.js';
import { AccountSession } from '../../main/xmpp/session.js';
import type { FakeScramOptions } from '../support/fake-scram.js';
import { FEATURES, NS_SASL, NS_SASL2, saslOffer, startFakeXmppServer, type FakeXmppServer, type FakeXmppServerOptions } from '../support/fake-xmpp-server.js';
import { makeTestPki, type TestPki } from '../support/test-pki.js';

const DOMAIN = 'capulet.lit';
const PASSWORD = 'balcony-secret-4711';

let dir: string;
let pki: TestPki;
const servers: FakeXmppServer[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keyring-scram-'));
  pki = await makeTestPki(dir, [DOMAIN]);
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const mechanisms = (ns: string, names: string[]): string => saslOffer(names, ns);
const channelBindings = (types: string[]): string =>
  `<sasl-channel-binding xmlns='urn:xmpp:sasl-cb:0'>${types.map((t) => `<channel-binding type='${t}'/>`).join('')}</sasl-channel-binding>`;

/** The attacker's roster push, sent right after its <success/>: the app must never see it. */
const ROSTER_PUSH = `<iq type='set' id='push-1'><query xmlns='jabber:iq:roster'><item jid='mallory@evil.lit' subscription='both'/></query></iq>`;

async function fake(
  tlsFeatures: string,
  scram: FakeScramOptions = { password: PASSWORD },
  extra: Partial<FakeXmppServerOptions> = {},
): Promise<FakeXmppServer> {
  const server = await startFakeXmppServer({
    domain: DOMAIN,
    pki,
    password: PASSWORD,
    plainFeatures: FEATURES.starttls,
    starttls: 'proceed',
    tlsFeatures,
    scram,
    afterSuccess: ROSTER_PUSH,
    ...extra,
  });
  servers.push(server);
  return server;
}

interface Attempt {
  error: unknown;
  states: string[];
  rosterPushes: number;
  logged: string[];
  session: AccountSession;
}

async function signIn(server: FakeXmppServer): Promise<Attempt> {
  const events = new AppEvents();
  const states: string[] = [];
  events.subscribe((event, payload) => {
    if (event === 'account:state') states.push((payload as { status: string }).status);
  });
  const logged: string[] = [];
  const log: Logger = { info: (m) => logged.push(m), warn: (m) => logged.push(m), error: (m) => logged.push(m) };
  const session = new AccountSession({ events, log });
  let rosterPushes = 0;
  session.events.on('roster', () => rosterPushes++);
  const error = await session
    .connect({ jid: `juliet@${DOMAIN}`, password: PASSWORD, host: server.host, port: server.port, caFile: pki.caFile })
    .then(() => undefined, (e: unknown) => e);
  await session.disconnect();
  return { error, states, rosterPushes, logged, session };
}

/** The gs2-header (channel binding flag) of each SCRAM exchange the client started. */
const gs2Headers = (server: FakeXmppServer): string[] => server.scramTranscripts().map((t) => /^[^,]*,[^,]*,/.exec(t.clientFirst)?.[0] ?? '');

/** Everything the client sent after its last SASL element. */
function sentAfterLogin(server: FakeXmppServer): string {
  const sent = server.received().join('');
  const last = Math.max(sent.lastIndexOf('</response>'), sent.lastIndexOf('</auth>'), sent.lastIndexOf('</authenticate>'));
  return sent.slice(last).replace(/^<\/[a-z]+>/, '').replace('</stream:stream>', '');
}

describe.each([
  ['SASL (RFC 6120)', NS_SASL],
  ['SASL2 (XEP-0388)', NS_SASL2],
])('a server that does not know the password, over %s', (_name, ns) => {
  // SCRAM-SHA-1, the one mechanism xmpp.js's SCRAM spoke: it took each of these lies for a login.
  const offer = mechanisms(ns, ['SCRAM-SHA-1', 'PLAIN']);

  it('signs with a key of its own: refused, never online, and what it sends after its success never reaches the app', async () => {
    const server = await fake(offer, { password: PASSWORD, role: 'impostor' });
    const { error, states, rosterPushes } = await signIn(server);
    expect(error).toBeInstanceOf(KeyringError);
    expect(error).toMatchObject({ code: 'auth-failed', message: expect.stringMatching(/could not prove it knows your password/) as string });
    expect(states).not.toContain('online');
    expect(rosterPushes).toBe(0);
    // No binding, no presence, no answer to its push: nothing after the proof.
    expect(sentAfterLogin(server)).toBe('');
  });

  it('leaves its signature out of the success: refused the same way', async () => {
    const server = await fake(offer, { password: PASSWORD, role: 'impostor', serverFinal: 'omitted' });
    const { error, states, rosterPushes } = await signIn(server);
    expect(error).toMatchObject({ code: 'auth-failed', message: expect.stringMatching(/could not prove/) as string });
    expect(states).not.toContain('online');
    expect(rosterPushes).toBe(0);
    expect(sentAfterLogin(server)).toBe('');
  });

  it('sends its wrong signature as one more challenge: refused', async () => {
    const server = await fake(offer, { password: PASSWORD, role: 'impostor', serverFinal: 'as-challenge' });
    const { error, states } = await signIn(server);
    expect(error).toMatchObject({ code: 'auth-failed', message: expect.stringMatching(/could not prove/) as string });
    expect(states).not.toContain('online');
  });

  it('says "success" before the client could prove anything: refused, and the proof is never sent', async () => {
    // Enough iterations that the hashing is still under way when the success arrives.
    const server = await fake(offer, { password: PASSWORD, role: 'impostor', successBeforeProof: true, iterations: 500_000 });
    const { error, states, rosterPushes } = await signIn(server);
    expect(error).toMatchObject({ code: 'auth-failed', message: expect.stringMatching(/could not prove/) as string });
    expect(states).not.toContain('online');
    expect(rosterPushes).toBe(0);
    // Give the hashing that was under way time to finish: its result must not leave.
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(server.received().join('')).not.toContain('<response');
    expect(server.scramTranscripts()[0]?.clientFinal).toBeUndefined();
  });

  it('the honest server, with its signature in the success or as a last challenge, signs in', async () => {
    for (const serverFinal of ['in-success', 'as-challenge'] as const) {
      const server = await fake(offer, { password: PASSWORD, serverFinal });
      const { error, states, logged } = await signIn(server);
      expect(error).toBeUndefined();
      expect(states).toContain('online');
      expect(logged).toContain('signed in to capulet.lit with SCRAM-SHA-1 (the server offers no channel binding)');
      expect(gs2Headers(server)).toEqual(['y,,']);
    }
  });
});

describe('channel binding: what the offer asks for, verified by the server', () => {
  it.each([
    { name: 'SASL, XEP-0440 lists tls-server-end-point and tls-exporter (TLS 1.3)', ns: NS_SASL, types: ['tls-server-end-point', 'tls-exporter'], tls: undefined, expected: 'tls-exporter' },
    { name: 'SASL2, XEP-0440 lists tls-server-end-point and tls-exporter (TLS 1.3)', ns: NS_SASL2, types: ['tls-server-end-point', 'tls-exporter'], tls: undefined, expected: 'tls-exporter' },
    { name: 'SASL, XEP-0440 lists tls-server-end-point only', ns: NS_SASL, types: ['tls-server-end-point'], tls: undefined, expected: 'tls-server-end-point' },
    { name: 'SASL, no XEP-0440 list, TLS 1.3 (as ejabberd 23.01)', ns: NS_SASL, types: undefined, tls: undefined, expected: 'tls-unique' },
    { name: 'SASL2, XEP-0440 lists tls-exporter and tls-unique, TLS 1.2', ns: NS_SASL2, types: ['tls-exporter', 'tls-unique'], tls: 'TLSv1.2' as const, expected: 'tls-unique' },
  ])('$name: p=$expected', async ({ ns, types, tls, expected }) => {
    const features = mechanisms(ns, ['SCRAM-SHA-1', 'SCRAM-SHA-256-PLUS', 'SCRAM-SHA-512', 'PLAIN']) + (types ? channelBindings(types) : '');
    const server = await fake(features, { password: PASSWORD }, tls ? { maxTlsVersion: tls } : {});
    const { error, states, logged } = await signIn(server);
    expect(error).toBeUndefined();
    expect(states).toContain('online');
    expect(gs2Headers(server)).toEqual([`p=${expected},,`]);
    expect(server.scramTranscripts()[0]?.mechanism).toBe('SCRAM-SHA-256-PLUS');
    expect(logged).toContain(`signed in to capulet.lit with SCRAM-SHA-256-PLUS, bound to this TLS connection (${expected})`);
  });

  it('-PLUS offered, but only bindings the app cannot compute listed: no login is attempted at all', async () => {
    // tls-exporter on TLS 1.2 is unsafe without the extended master secret; tls-unique-for-telnet is not TLS.
    for (const [types, maxTlsVersion] of [
      [['tls-exporter'], 'TLSv1.2'],
      [['tls-unique-for-telnet'], undefined],
    ] as const) {
      const server = await fake(mechanisms(NS_SASL, ['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256', 'PLAIN']) + channelBindings([...types]), { password: PASSWORD }, maxTlsVersion ? { maxTlsVersion } : {});
      const { error, states } = await signIn(server);
      expect(error).toMatchObject({ code: 'auth-required', message: expect.stringMatching(/cannot compute/) as string });
      expect(states).not.toContain('online');
      // Neither "n,," nor "y,," nor PLAIN: no <auth/> left at all.
      expect(server.scramTranscripts()).toEqual([]);
      expect(server.received().join('')).not.toContain('<auth');
    }
  });
});

describe('a challenge that gets no proof', () => {
  it('a nonce that does not continue ours', async () => {
    const server = await fake(mechanisms(NS_SASL, ['SCRAM-SHA-256']), {
      password: PASSWORD,
      // Its first character changed, whatever it was: our random nonce may start with an X (1 in 64 runs failed).
      tamperServerFirst: (m) => m.replace(/r=(.)/, (_, first: string) => `r=${first === 'X' ? 'Y' : 'X'}`),
    });
    const { error, states } = await signIn(server);
    expect(error).toMatchObject({ code: 'protocol-error', message: expect.stringMatching(/nonce does not continue ours/) as string });
    expect(states).not.toContain('online');
    expect(server.scramTranscripts()[0]?.clientFinal).toBeUndefined();
    expect(server.received().join('')).not.toContain('<response');
  });

  it('fewer than 4096 iterations', async () => {
    const server = await fake(mechanisms(NS_SASL, ['SCRAM-SHA-256']), { password: PASSWORD, iterations: 1000 });
    const { error } = await signIn(server);
    expect(error).toMatchObject({ code: 'auth-failed', message: expect.stringMatching(/only 1000 rounds/) as string });
    expect(server.received().join('')).not.toContain('<response');
  });

  it('a wrong password is still told as one (the server refuses the proof)', async () => {
    const server = await fake(mechanisms(NS_SASL2, ['SCRAM-SHA-512']), { password: 'another-password' });
    const { error } = await signIn(server);
    expect(error).toMatchObject({ code: 'auth-failed', message: 'The server rejected the address or password.' });
  });
});
