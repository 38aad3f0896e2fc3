/**
 * Replies count only from whom we asked (main/xmpp/iq-requests.ts). On both real servers, mallory
 * (another account) answers a request juliet sent to romeo, with the right id, before romeo does: her
 * answer is dropped and logged, romeo's is taken. With a fake server, the same for the account's own
 * PEP service and for contacts' key nodes, including the case where only the forgery ever comes, and
 * an error answer with no readable condition.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import xml, { type Element } from '@xmpp/xml';
import { AppEvents } from '../../main/events.js';
import type { Logger } from '../../main/logger.js';
import { createSelfSignedCertificate } from '../../main/keys/certificate.js';
import { generateRsaKeyPair } from '../../main/keys/generate.js';
import { fetchItems } from '../../main/xmpp/fetch-items.js';
import { NS } from '../../main/xmpp/namespaces.js';
import { readPubkeyItem } from '../../main/xmpp/pubkey-items.js';
import { AccountSession } from '../../main/xmpp/session.js';
import { freshAccount } from '../support/accounts.js';
import { FEATURES, startFakeXmppServer, type FakeXmppServer } from '../support/fake-xmpp-server.js';
import { connectActor, until, type Actor } from '../support/scenario.js';
import { makeTestPki, type TestPki } from '../support/test-pki.js';

const NS_TEST = 'urn:keyring:test:reply-origin';

function capturingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, info: () => {}, warn: (m) => warnings.push(m), error: (m) => warnings.push(m) };
}

for (const server of [inject('prosody'), inject('ejabberd')]) {
  describe(`a forged answer on ${server.kind}`, () => {
    let juliet: Actor;
    let romeo: Actor;
    let mallory: Actor;
    const log = capturingLogger();

    beforeAll(async () => {
      const params = await freshAccount('juliet', 'capulet.lit', server);
      const session = new AccountSession({ events: new AppEvents(), log });
      await session.connect(params);
      juliet = { params, session, jid: params.jid };
      [romeo, mallory] = await Promise.all([connectActor('romeo', 'montague.lit', server), connectActor('mallory', 'capulet.lit', server)]);
    }, 60_000);

    afterAll(async () => {
      await Promise.all([juliet, romeo, mallory].map((a) => a?.session.disconnect()));
    });

    it('mallory answers juliet’s request to romeo first, with the right id: dropped and logged; romeo’s answer is taken', async () => {
      const julietFull = juliet.session.state.boundJid ?? '';
      const romeoFull = romeo.session.state.boundJid ?? '';
      let releaseRomeo: () => void = () => undefined;
      const romeoMayAnswer = new Promise<void>((resolve) => (releaseRomeo = resolve));
      // Romeo holds his answer until mallory's forgery has reached juliet.
      romeo.session.client.iqCallee.get(NS_TEST, 'query', async (context) => {
        const id = context.stanza.attrs.id ?? '';
        await mallory.session.send(
          xml('iq', { type: 'result', id, to: julietFull }, xml('query', { xmlns: NS_TEST }, xml('answer', {}, 'mallory'))),
        );
        await romeoMayAnswer;
        return xml('query', { xmlns: NS_TEST }, xml('answer', {}, 'romeo'));
      });
      const asked = juliet.session.client.iqCaller.get(xml('query', { xmlns: NS_TEST }), romeoFull, 10_000);
      await until(() => log.warnings.some((w) => w.includes(mallory.jid)), 'juliet drops mallory’s answer');
      releaseRomeo();
      const answer = await asked;
      expect(answer?.getChildText('answer')).toBe('romeo');
      expect(log.warnings.find((w) => w.includes(mallory.jid))).toMatch(
        new RegExp(`dropped an IQ result for request \\S+ from ${mallory.jid}/\\S+: the request went to ${romeoFull}`),
      );
    });
  });
}

describe('a forged answer from a hostile server', () => {
  const DOMAIN = 'capulet.lit';
  const ROMEO = 'romeo@montague.lit';
  let dir: string;
  let pki: TestPki;
  let genuine: string;
  let forged: string;
  let fake: FakeXmppServer;
  let session: AccountSession;
  const log = capturingLogger();
  /** What the fake answers each request with: a list of [from attribute, certificate]. */
  let answers: (request: Element) => [string | undefined, string][] = () => [];
  /** When set, the fake answers with these stanzas instead (replies of any shape). */
  let rawAnswers: ((request: Element) => string[]) | undefined;

  const itemsReply = (request: Element, from: string | undefined, cert: string) =>
    `<iq type='result' id='${request.attrs.id}'${from === undefined ? '' : ` from='${from}'`}>` +
    `<pubsub xmlns='${NS.pubsub}'><items node='${NS.pubkey}'><item id='k1'><key xmlns='${NS.pubkey}'><x509cert>${cert}</x509cert></key></item></items></pubsub></iq>`;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keyring-origin-'));
    pki = await makeTestPki(dir, [DOMAIN]);
    const certFor = async (bareJid: string) =>
      (await createSelfSignedCertificate({ bareJid, privateKey: (await generateRsaKeyPair(2048)).privateKey })).toString('base64');
    [genuine, forged] = await Promise.all([certFor(ROMEO), certFor(ROMEO)]);
    fake = await startFakeXmppServer({
      domain: DOMAIN,
      pki,
      password: 'pw-for-the-fake',
      plainFeatures: FEATURES.starttls,
      starttls: 'proceed',
      tlsFeatures: FEATURES.plain,
      answer: (stanza) => {
        if (stanza.name !== 'iq' || stanza.attrs.type !== 'get') return undefined;
        return rawAnswers ? rawAnswers(stanza) : answers(stanza).map(([from, cert]) => itemsReply(stanza, from, cert));
      },
    });
    session = new AccountSession({ events: new AppEvents(), log });
    await session.connect({ jid: `juliet@${DOMAIN}`, password: 'pw-for-the-fake', host: fake.host, port: fake.port, caFile: pki.caFile });
  });

  afterAll(async () => {
    await session?.disconnect();
    await fake?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const fetched = async (contact: string, timeoutMs = 2000) => {
    const outcome = await fetchItems(session.client.iqCaller, contact, NS.pubkey, timeoutMs);
    if (outcome.status !== 'ok') return outcome;
    const item = outcome.items[0];
    const read = item ? readPubkeyItem(item) : undefined;
    return { status: 'ok', der: read && 'der' in read ? read.der.toString('base64') : undefined };
  };

  it('romeo’s keys: mallory’s answer with the right id is dropped, romeo’s taken', async () => {
    answers = () => [['mallory@evil.example', forged], [ROMEO, genuine]];
    expect(await fetched(ROMEO)).toEqual({ status: 'ok', der: genuine });
    expect(log.warnings.at(-1)).toMatch(/from mallory@evil\.example: the request went to romeo@montague\.lit$/);
  });

  it('romeo’s keys: only forgeries come (no sender, the server, romeo’s other resource): the request times out: romeo is unreachable', async () => {
    answers = () => [[undefined, forged], [DOMAIN, forged], [`${ROMEO}/phone`, forged]];
    const outcome = await fetched(ROMEO, 1000);
    expect(outcome).toEqual({ status: 'unreachable', detail: 'no answer within 1 s' });
  });

  it('an answer from romeo spelled in other case is romeo’s (JIDs compare case-insensitively in local part and domain)', async () => {
    answers = () => [['ROMEO@Montague.LIT', genuine]];
    expect(await fetched(ROMEO)).toEqual({ status: 'ok', der: genuine });
  });

  it('our own PEP service: an answer from our bare JID or with no sender is taken, mallory’s dropped', async () => {
    const own = `juliet@${DOMAIN}`;
    answers = () => [['mallory@evil.example', forged], [undefined, genuine]];
    expect(await fetched(own)).toEqual({ status: 'ok', der: genuine });
    answers = () => [[`${own}/balcony`, forged], [own, genuine]];
    expect(await fetched(own)).toEqual({ status: 'ok', der: genuine });
  });

  it('romeo answers with an error that names no condition (no <error/>, or an empty one): the request fails at once, without waiting for its timeout', async () => {
    try {
      for (const body of ['', "<error type='cancel'/>"]) {
        rawAnswers = (request) => [`<iq type='error' id='${request.attrs.id}' from='${ROMEO}'>${body}</iq>`];
        const started = performance.now();
        expect(await fetched(ROMEO, 3000)).toEqual({ status: 'failed', detail: 'undefined-condition: the error reply named no condition' });
        expect(performance.now() - started).toBeLessThan(2000);
      }
    } finally {
      rawAnswers = undefined;
    }
    answers = () => [[ROMEO, genuine]];
    expect(await fetched(ROMEO)).toEqual({ status: 'ok', der: genuine });
  });

  it('stanzas whose sender no JID parser accepts (from=\'@\') pass without taking the connection down, and the answer after them is taken', async () => {
    const own = session.state.boundJid ?? '';
    rawAnswers = (request) => [
      `<message from='@' to='${own}'><body>hello</body></message>`,
      `<presence from='@/x' to='${own}'/>`,
      itemsReply(request, ROMEO, genuine),
    ];
    try {
      expect(await fetched(ROMEO)).toEqual({ status: 'ok', der: genuine });
    } finally {
      rawAnswers = undefined;
    }
    expect(session.state.status).toBe('online');
  });
});
