/**
 * Connection truth when a server stops answering but keeps the socket open (main/xmpp/liveness.ts,
 * iq-requests.ts, session.ts): the first request that times out pings at once, so the session leaves
 * "online" within the ping's wait, not after the quiet minute while every request times out. A server
 * that answers pings but nothing else stays online (the stream is alive; each request says it was not
 * answered), and costs one ping per unanswered request, not a storm.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { xml } from '@xmpp/client';
import type { Element } from '@xmpp/xml';
import { describe, expect, it } from 'vitest';
import { AppEvents } from '../../../main/events.js';
import { silentLogger } from '../../../main/logger.js';
import { NS } from '../../../main/xmpp/namespaces.js';
import { AccountSession } from '../../../main/xmpp/session.js';
import { FEATURES, startFakeXmppServer, type FakeXmppServer } from '../../support/fake-xmpp-server.js';
import { capuletPkiForFile } from '../../support/test-pki.js';

const files = capuletPkiForFile('keyring-unanswered-');

const PASSWORD = 'pw-4711';
/** The quiet period is far longer than any test here: only an unanswered request can start a ping. */
const LIVENESS = { quietMs: 60_000, answerMs: 1_000 };
const REQUEST_TIMEOUT_MS = 500;

/** What the fake server does with each request once juliet is online. */
type Behaviour = 'answers' | 'silent' | 'pings only';

/** A server that signs juliet in and then answers requests as `behaviour()` says; it counts the pings. */
async function server(behaviour: () => Behaviour): Promise<{ server: FakeXmppServer; pings: () => number }> {
  let pings = 0;
  const fake = await startFakeXmppServer({
    domain: 'capulet.lit',
    pki: files.pki,
    password: PASSWORD,
    plainFeatures: FEATURES.starttls,
    starttls: 'proceed',
    tlsFeatures: FEATURES.plain,
    answer: (stanza: Element) => {
      if (stanza.name !== 'iq' || (stanza.attrs.type !== 'get' && stanza.attrs.type !== 'set')) return undefined;
      const ping = stanza.getChild('ping', NS.ping) !== undefined;
      if (ping) pings++;
      const now = behaviour();
      if (now === 'silent' || (now === 'pings only' && !ping)) return undefined;
      return `<iq type='result' id='${stanza.attrs.id}'/>`;
    },
  });
  return { server: fake, pings: () => pings };
}

async function signIn(fake: FakeXmppServer): Promise<AccountSession> {
  const session = new AccountSession({ events: new AppEvents(), log: silentLogger, liveness: LIVENESS, retryDelay: () => 60_000 });
  await session.connect({ jid: 'juliet@capulet.lit', password: PASSWORD, host: fake.host, port: fake.port, caFile: files.pki.caFile });
  return session;
}

/** A request of the app's to its own server (disco#info), with a short timeout. */
function request(session: AccountSession): Promise<unknown> {
  return session.iq.get(xml('query', { xmlns: 'http://jabber.org/protocol/disco#info' }), undefined, REQUEST_TIMEOUT_MS).then(
    () => 'answered',
    (error: unknown) => error,
  );
}

/** Waits until `check` holds, up to `ms`. */
async function until(check: () => boolean, ms: number): Promise<void> {
  for (let waited = 0; !check() && waited < ms; waited += 25) await sleep(25);
}

describe('a server that stops answering without closing the socket', () => {
  it('is taken for lost within the ping\'s wait after the first request times out, not after the quiet minute', async () => {
    let behaviour: Behaviour = 'answers';
    const { server: fake, pings } = await server(() => behaviour);
    const session = await signIn(fake);
    try {
      expect(await request(session)).toBe('answered');
      behaviour = 'silent';
      const started = Date.now();
      expect(await request(session)).toMatchObject({ code: 'timeout' });
      await until(() => session.state.status !== 'online', 5_000);
      const took = Date.now() - started;
      // On main: still online here, and for the rest of the 60 s quiet period.
      expect(session.state).toMatchObject({
        status: 'reconnecting',
        cause: { code: 'timeout', message: 'The server did not answer a ping within 1 s; the connection is taken for lost.' },
      });
      // The request's 0.5 s, then the ping's 1 s, plus a busy machine's slack.
      expect(took).toBeLessThan(REQUEST_TIMEOUT_MS + LIVENESS.answerMs + 1_500);
      expect(pings()).toBe(1);
    } finally {
      await session.disconnect();
      await fake.close();
    }
  }, 30_000);
});

describe('a server that answers pings but nothing else', () => {
  it('stays online (the stream is alive), each request fails as unanswered, and requests timing out together cost one ping', async () => {
    let behaviour: Behaviour = 'answers';
    const { server: fake, pings } = await server(() => behaviour);
    const session = await signIn(fake);
    try {
      behaviour = 'pings only';
      const outcomes = await Promise.all(Array.from({ length: 10 }, () => request(session)));
      expect(outcomes.every((o) => (o as { code?: unknown }).code === 'timeout')).toBe(true);
      await sleep(LIVENESS.answerMs + 500);
      expect(pings()).toBe(1);
      expect(session.state.status).toBe('online');
      // The next unanswered request asks once more, and the stream still answers.
      expect(await request(session)).toMatchObject({ code: 'timeout' });
      await sleep(LIVENESS.answerMs + 500);
      expect(pings()).toBe(2);
      expect(session.state.status).toBe('online');
    } finally {
      await session.disconnect();
      await fake.close();
    }
  }, 30_000);
});
