/**
 * Hostile bytes on the stream end, at worst, that stream; never the process (main/xmpp/stream-reader.ts,
 * points 3 and 4). From the attack review's probes:
 * - an illegal character reference or an undefined entity, even in the plain stream features before
 *   STARTTLS (anyone on the path can send them), fails the sign-in with a KeyringError, and while online
 *   ends the stream with a cause the connection state shows; nothing is thrown past the session;
 * - a message nested 3000 deep (21 KB, from any stranger) is dropped, with one line in the log, and the
 *   stream reads on; the stream log (CLI --debug, KEYRING_XMPP_LOG) survives it.
 */
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
