/**
 * Hostile bytes on the stream end, at worst, that stream; never the process (main/xmpp/stream-reader.ts,
 * points 3 to 5). From the attack review's probes:
 * - an illegal character reference or an undefined entity, even in the plain stream features before
 *   STARTTLS (anyone on the path can send them), fails the sign-in with a KeyringError, and while online
 *   ends the stream with a cause the connection state shows; nothing is thrown past the session;
 * - a message nested 3000 deep (21 KB, from any stranger) is dropped, with one line in the log, and the
 *   stream reads on; the stream log (CLI --debug, KEYRING_XMPP_LOG) survives it;
 * - features that never end before STARTTLS (`<a/>` after `<a/>`, or text) fail the sign-in at once, in
 *   clear words, without the heap growing; once signed in, a roster of 5,000 contacts and a large avatar
 *   are still read (point 5).
 */
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import type { Element } from '@xmpp/xml';
import { AppEvents } from '../../../main/events.js';
import { KeyringError } from '../../../main/errors.js';
import { silentLogger, type Logger } from '../../../main/logger.js';
import { AccountSession } from '../../../main/xmpp/session.js';
import { NS } from '../../../main/xmpp/namespaces.js';
import { FEATURES, startFakeXmppServer, type FakeSession, type FakeXmppServer } from '../../support/fake-xmpp-server.js';
import { capuletPkiForFile } from '../../support/test-pki.js';
import { collectUncaught } from '../../support/uncaught.js';

const files = capuletPkiForFile('keyring-hostile-stream-');

const uncaught = collectUncaught();

const PASSWORD = 'pw-4711';
const DEEP = 3000;
const deepItem = `<item id='x'>${'<a>'.repeat(DEEP)}${'</a>'.repeat(DEEP)}</item>`;
const deepMessage =
  `<message from='mallory@evil.example' to='juliet@capulet.lit'><event xmlns='${NS.pubsubEvent}'><items node='${NS.pubkey}'>` +
  `${deepItem}</items></event></message>`;

/** The sign-in's outcome within 5 s: the error it failed with, 'connected', or that it still waits. */
async function signInOutcome(server: FakeXmppServer, session: AccountSession): Promise<unknown> {
  return Promise.race([
    session.connect({ jid: 'juliet@capulet.lit', password: PASSWORD, host: server.host, port: server.port, caFile: files.pki.caFile }).then(
      () => 'connected',
      (e: unknown) => e,
    ),
    new Promise((resolve) => setTimeout(() => resolve('still waiting after 5 s'), 5_000)),
  ]);
}

describe('XML that is not well-formed, before the sign-in ends', () => {
  it.each([
    ['&#27; (ESC) in a feature, before STARTTLS', `${FEATURES.starttls}<x xmlns='urn:example'>&#27;[2J</x>`],
    ['&#0; in an attribute, before STARTTLS', `${FEATURES.starttls}<x xmlns='urn:example' y='&#0;'/>`],
    ['an undefined entity, before STARTTLS', `${FEATURES.starttls}<x xmlns='urn:example'>&x;</x>`],
    ['an end tag that opens nothing', `${FEATURES.starttls}</x></x></x>`],
  ])('%s: the sign-in fails as a protocol-error naming the server, nothing is thrown past it', async (_name, plainFeatures) => {
    const server = await startFakeXmppServer({ domain: 'capulet.lit', pki: files.pki, plainFeatures, starttls: 'proceed' });
    const session = new AccountSession({ events: new AppEvents(), log: silentLogger });
    try {
      const outcome = await signInOutcome(server, session);
      expect(uncaught()).toEqual([]);
      expect(outcome).toBeInstanceOf(KeyringError);
      expect(outcome).toMatchObject({
        code: 'protocol-error',
        message: `${server.host}:${server.port} sent data that is not well-formed XML, so the app closed the connection.`,
      });
      expect(session.state).toMatchObject({ status: 'failed', error: { code: 'protocol-error' } });
      // RFC 6120 §4.9.3.1: the client says why it leaves, then closes; it never went on to STARTTLS.
      const said = server.received().join('');
      expect(said).toContain('bad-format');
      expect(said).not.toContain('starttls');
    } finally {
      await session.disconnect().catch(() => undefined);
      await server.close();
    }
  }, 30_000);
});

describe('a stanza without end before STARTTLS (a man in the middle flooding the plain stream)', () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const heapMiB = (): number => {
    gc();
    return process.memoryUsage().heapUsed / 2 ** 20;
  };

  it.each([
    ['<a/> after <a/>', `<stream:features>`, '<a/>'.repeat(16_384)],
    ['one text node', `<stream:features><x xmlns='urn:example'>`, 'y'.repeat(65_536)],
  ])('%s: the sign-in fails at once in clear words, the heap stays small, nothing is thrown past it', async (_name, start, chunk) => {
    // 4 MiB of <a/>: the old reader kept each as an element, about 160 MiB of heap, and waited for the timeout.
    const server = await startFakeXmppServer({ domain: 'capulet.lit', plainFeatures: '', flood: { start, chunk, bytes: 4 * 2 ** 20 } });
    const session = new AccountSession({ events: new AppEvents(), log: silentLogger });
    try {
      const before = heapMiB();
      const started = performance.now();
      const outcome = await signInOutcome(server, session);
      const took = performance.now() - started;
      const grown = heapMiB() - before;
      expect(uncaught()).toEqual([]);
      expect(outcome).toBeInstanceOf(KeyringError);
      expect(outcome).toMatchObject({
        code: 'protocol-error',
        message:
          `Before the connection to ${server.host}:${server.port} was encrypted and signed in, more data came in one piece ` +
          'than the app accepts at that point, so the app closed the connection.',
        nextStep: expect.stringContaining('Something on the network may be interfering') as unknown,
      });
      expect(session.state).toMatchObject({ status: 'failed', error: { code: 'protocol-error' } });
      expect(took).toBeLessThan(3_000);
      expect(grown).toBeLessThan(8);
      // RFC 6120 §4.9.3.14: the client says why it leaves, then closes; it never went on to STARTTLS.
      const said = server.received().join('');
      expect(said).toContain('policy-violation');
      expect(said).not.toContain('starttls');
    } finally {
      await session.disconnect().catch(() => undefined);
      await server.close();
    }
  }, 30_000);
});

/** A server that signs juliet in and hands the test its session once she announced herself. */
async function onlineServer(
  answer?: (stanza: Element) => string | undefined,
): Promise<{ server: FakeXmppServer; online: Promise<FakeSession> }> {
  let announced: (session: FakeSession) => void = () => undefined;
  const online = new Promise<FakeSession>((resolve) => (announced = resolve));
  const server = await startFakeXmppServer({
    domain: 'capulet.lit',
    pki: files.pki,
    password: PASSWORD,
    plainFeatures: FEATURES.starttls,
    starttls: 'proceed',
    tlsFeatures: FEATURES.plain,
    answer: (stanza, session) => {
      if (stanza.name === 'presence') announced(session);
      const own = answer?.(stanza);
      if (own !== undefined) return own;
      if (stanza.name === 'iq' && (stanza.attrs.type === 'get' || stanza.attrs.type === 'set')) {
        return `<iq type='error' id='${stanza.attrs.id}'><error type='cancel'><feature-not-implemented xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>`;
      }
      return undefined;
    },
  });
  return { server, online };
}

/** Waits until `check` holds, up to 5 s. */
async function until(check: () => boolean): Promise<void> {
  for (let waited = 0; !check() && waited < 5_000; waited += 25) await new Promise((resolve) => setTimeout(resolve, 25));
}

describe('XML that is not well-formed, on the live stream', () => {
  it('an illegal character in a message ends the stream with a cause a person can read, and the app reconnects', async () => {
    const { server, online } = await onlineServer();
    const session = new AccountSession({ events: new AppEvents(), log: silentLogger, retryDelay: () => 60_000 });
    try {
      await session.connect({ jid: 'juliet@capulet.lit', password: PASSWORD, host: server.host, port: server.port, caFile: files.pki.caFile });
      (await online).send(`<message from='romeo@montague.lit'><body>&#x1b;[2J</body></message>`);
      await until(() => session.state.status !== 'online');
      expect(uncaught()).toEqual([]);
      expect(session.state).toMatchObject({
        status: 'reconnecting',
        cause: { code: 'protocol-error', message: expect.stringContaining('not well-formed XML') as unknown },
      });
    } finally {
      await session.disconnect().catch(() => undefined);
      await server.close();
    }
  }, 30_000);
});

describe('a stanza nested 3000 deep', () => {
  it('with the stream log on: dropped with one line, the log survives, the stream reads on', async () => {
    const { server, online } = await onlineServer();
    const warnings: string[] = [];
    const log: Logger = { ...silentLogger, warn: (m) => warnings.push(m) };
    const lines: string[] = [];
    const session = new AccountSession({ events: new AppEvents(), log, streamLog: { write: (l) => lines.push(l) } });
    try {
      await session.connect({ jid: 'juliet@capulet.lit', password: PASSWORD, host: server.host, port: server.port, caFile: files.pki.caFile });
      const peer = await online;
      peer.send(deepMessage);
      // XEP-0199: a ping after it is still answered, on the same stream.
      peer.send(`<iq type='get' id='after-deep' from='capulet.lit'><ping xmlns='urn:xmpp:ping'/></iq>`);
      await until(() => server.received().join('').includes('after-deep'));
      expect(uncaught()).toEqual([]);
      expect(session.state.status).toBe('online');
      expect(server.received().join('')).toMatch(/<iq[^>]*id="after-deep"[^>]*type="result"|<iq[^>]*type="result"[^>]*id="after-deep"/);
      expect(warnings.filter((w) => w.includes('nested deeper'))).toEqual([
        'dropped a <message> from mallory@evil.example: nested deeper than 64 levels',
      ]);
      // The dropped stanza never reached anything that reads stanzas, the log included.
      expect(lines.filter((l) => l.includes('mallory'))).toEqual([]);
      expect(lines.some((l) => l.includes('IN ') && l.includes('after-deep'))).toBe(true);
    } finally {
      await session.disconnect().catch(() => undefined);
      await server.close();
    }
  }, 60_000);

  it('a request nested that deep is refused (RFC 6120 §8.2.3: every get or set is answered)', async () => {
    const { server, online } = await onlineServer();
    const session = new AccountSession({ events: new AppEvents(), log: silentLogger });
    try {
      await session.connect({ jid: 'juliet@capulet.lit', password: PASSWORD, host: server.host, port: server.port, caFile: files.pki.caFile });
      (await online).send(`<iq type='set' id='deep-set' from='capulet.lit'><pubsub xmlns='${NS.pubsub}'><publish node='x'>${deepItem}</publish></pubsub></iq>`);
      await until(() => server.received().join('').includes('deep-set'));
      expect(uncaught()).toEqual([]);
      const reply = /<iq[^>]*deep-set.*?<\/iq>/.exec(server.received().join(''))?.[0];
      expect(reply).toContain('type="error"');
      expect(reply).toContain('<policy-violation xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/>');
      expect(session.state.status).toBe('online');
    } finally {
      await session.disconnect().catch(() => undefined);
      await server.close();
    }
  }, 60_000);
});

describe('large stanzas once signed in', () => {
  /** A roster push (RFC 6121 §2.1.6) of `contacts` contacts in test/bench's shape: one group each. */
  const rosterPush = (contacts: number): string =>
    `<iq type='set' id='big-roster'><query xmlns='jabber:iq:roster' ver='2'>` +
    Array.from({ length: contacts }, (_, i) => {
      const n = String(i).padStart(4, '0');
      return `<item subscription='both' jid='contact-${n}@capulet.lit' name='Contact ${n}'><group>Group ${String(i % 20).padStart(2, '0')}</group></item>`;
    }).join('') +
    `</query></iq>`;
  // XEP-0084: 150 KiB of base64, from the account's own address (PEP, XEP-0163).
  const avatar =
    `<message from='juliet@capulet.lit' id='big-avatar'><event xmlns='${NS.pubsubEvent}'><items node='urn:xmpp:avatar:data'>` +
    `<item id='a1'><data xmlns='urn:xmpp:avatar:data'>${'QUFB'.repeat(150 * 256)}</data></item></items></event></message>`;

  it('a roster of 5,000 contacts and an avatar of 150 KiB are read, and the stream stays online', async () => {
    const { server, online } = await onlineServer();
    const lines: string[] = [];
    const session = new AccountSession({ events: new AppEvents(), log: silentLogger, streamLog: { write: (l) => lines.push(l) } });
    try {
      await session.connect({ jid: 'juliet@capulet.lit', password: PASSWORD, host: server.host, port: server.port, caFile: files.pki.caFile });
      const peer = await online;
      peer.send(rosterPush(5_000));
      peer.send(avatar);
      peer.send(`<iq type='get' id='after-large' from='capulet.lit'><ping xmlns='urn:xmpp:ping'/></iq>`);
      await until(() => server.received().join('').includes('after-large'));
      expect(uncaught()).toEqual([]);
      expect(session.state.status).toBe('online');
      // Both reached the rest of the stack (the stream log reads each stanza as it is delivered).
      expect(lines.some((l) => l.includes('IN ') && l.includes('contact-4999@capulet.lit'))).toBe(true);
      expect(lines.some((l) => l.includes('IN ') && l.includes('big-avatar'))).toBe(true);
    } finally {
      await session.disconnect().catch(() => undefined);
      await server.close();
    }
  }, 60_000);
});
