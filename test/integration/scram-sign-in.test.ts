/**
 * Signing in with our SCRAM (main/xmpp/scram.ts, sasl-login.ts) on the real servers: which mechanism
 * and channel binding each offers and the app picks, and passwords beyond ASCII.
 *
 * Measured (TLS 1.3, as Node and both servers negotiate it here):
 * - Prosody 0.12.3 offers PLAIN and SCRAM-SHA-1 (mod_auth_internal_hashed stores SHA-1 keys only), and
 *   no -PLUS: its only channel binding, tls-unique, is undefined on TLS 1.3 (mod_saslauth). So the app
 *   uses SCRAM-SHA-1 with "y".
 * - ejabberd 23.01 offers PLAIN, SCRAM-SHA-1-PLUS, SCRAM-SHA-1 and X-OAUTH2, and no XEP-0440 list; its
 *   -PLUS checks tls-unique against the client's Finished message. So the app uses SCRAM-SHA-1-PLUS
 *   with p=tls-unique, which ejabberd verifies (scram-channel-binding.test.ts shows it refuses wrong data).
 */
import { afterEach, describe, expect, inject, it } from 'vitest';
import { AppEvents } from '../../main/events.js';
import type { Logger } from '../../main/logger.js';
import { AccountSession } from '../../main/xmpp/session.js';
import type { ConnectParams } from '../../contract/index.js';
import { freshAccount } from '../support/accounts.js';
import { registerAccount, type ServerInfo } from '../support/xmpp-server.js';

const sessions: AccountSession[] = [];

afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.disconnect()));
});

/** A session whose log lines and stream (features included, SASL payloads redacted) the test reads. */
function observedSession(): { session: AccountSession; logged: string[]; stream: string[] } {
  const logged: string[] = [];
  const stream: string[] = [];
  const log: Logger = { info: (m) => logged.push(m), warn: (m) => logged.push(m), error: (m) => logged.push(m) };
  const session = new AccountSession({ events: new AppEvents(), log, streamLog: { write: (line) => stream.push(line) } });
  sessions.push(session);
  return { session, logged, stream };
}

/** The mechanisms the server listed on the encrypted stream, from the stream log. */
function offeredMechanisms(stream: string[]): string[] {
  const features = stream.find((line) => line.includes('<mechanisms'));
  return [...(features ?? '').matchAll(/<mechanism>([^<]+)<\/mechanism>/g)].map((m) => m[1] ?? '');
}

const servers: { name: string; server: () => ServerInfo; offers: string[]; expected: string }[] = [
  {
    name: 'Prosody 0.12',
    server: () => inject('prosody'),
    offers: ['PLAIN', 'SCRAM-SHA-1'],
    expected: 'with SCRAM-SHA-1 (the server offers no channel binding)',
  },
  {
    name: 'ejabberd 23.01',
    server: () => inject('ejabberd'),
    offers: ['PLAIN', 'SCRAM-SHA-1-PLUS', 'SCRAM-SHA-1', 'X-OAUTH2'],
    expected: 'with SCRAM-SHA-1-PLUS, bound to this TLS connection (tls-unique)',
  },
];

describe.each(servers)('signing in to $name', ({ server, offers, expected }) => {
  it('picks the best mechanism and channel binding the server offers, and goes online', async () => {
    const account = await freshAccount('juliet', 'capulet.lit', server());
    const { session, logged, stream } = observedSession();
    const state = await session.connect(account);
    expect(state.status).toBe('online');
    expect(offeredMechanisms(stream).sort()).toEqual([...offers].sort());
    expect(logged, logged.join("\n")).toContain(`signed in to capulet.lit ${expected}`);
    // No XEP-0440 list from either server (so -PLUS means tls-unique, RFC 5802 §6).
    expect(stream.join('\n')).not.toContain('urn:xmpp:sasl-cb:0');
  });

  it('signs in with a password beyond ASCII, typed in another Unicode form than it was set in', async () => {
    const info = server();
    // Set in NFC (é, ö as one code point each), with Cyrillic and CJK. (No emoji: ejabberd refuses one
    // when the password is set, "unacceptable characters", as code points Unicode 3.2 did not assign.)
    const password = 'Äpfel-und-Birnen-é-ö-пароль-密码';
    const local = `nurse-${Math.random().toString(16).slice(2, 8)}`;
    await registerAccount(info, local, 'capulet.lit', password);
    const params = (pw: string): ConnectParams => ({ jid: `${local}@capulet.lit`, password: pw, host: info.host, port: info.port, caFile: info.caFile });

    expect((await observedSession().session.connect(params(password))).status).toBe('online');
    // The same password as a keyboard may produce it: decomposed (e + U+0301), and a full-width A.
    // SASLprep's NFKC (RFC 4013 §2.2) makes it the password the server prepared and stored.
    const typed = `\uFF21${password.normalize('NFD').slice(1)}`;
    expect(typed).not.toBe(password);
    expect((await observedSession().session.connect(params(typed))).status).toBe('online');
  });
});
