/**
 * Where TCP and TLS cut the server's bytes must not change what the app reads: a chunk may end inside
 * a UTF-8 character, or inside the `<?xml …?>` declaration that opens each stream
 * (main/xmpp/stream-reader.ts). The fake server (test/support/fake-xmpp-server.ts) cuts its writes
 * at chosen bytes and pauses between the pieces, so the client reads each piece as a chunk of its
 * own: on the plain TCP stream before STARTTLS, and inside TLS, where each piece is a TLS record.
 */
import type { EventEmitter } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppEvents } from '../../main/events.js';
import { silentLogger } from '../../main/logger.js';
import { NS } from '../../main/xmpp/namespaces.js';
import { fetchRoster } from '../../main/xmpp/roster.js';
import { AccountSession } from '../../main/xmpp/session.js';
import { FEATURES, startFakeXmppServer, type FakePhase, type FakeXmppServer } from '../support/fake-xmpp-server.js';
import { makeTestPki, type TestPki } from '../support/test-pki.js';

const DOMAIN = 'capulet.lit';
const PASSWORD = 'chunked-secret-7';
/** What the fake server's every stream header starts with (RFC 6120 §11.5). */
const DECLARATION = "<?xml version='1.0'?>";

let dir: string;
let pki: TestPki;
const servers: FakeXmppServer[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keyring-chunks-'));
  pki = await makeTestPki(dir, [DOMAIN]);
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await rm(dir, { recursive: true, force: true });
});

async function fakeServer(options: Partial<Parameters<typeof startFakeXmppServer>[0]>): Promise<FakeXmppServer> {
  const server = await startFakeXmppServer({
    domain: DOMAIN,
    pki,
    password: PASSWORD,
    plainFeatures: FEATURES.starttls,
    starttls: 'proceed',
    tlsFeatures: FEATURES.plain,
    ...options,
  });
  servers.push(server);
  return server;
}

const paramsFor = (server: FakeXmppServer) => ({
  jid: `juliet@${DOMAIN}`,
  password: PASSWORD,
  host: server.host,
  port: server.port,
  caFile: pki.caFile,
});

describe('the XML declaration cut at every byte still opens the stream', () => {
  it.each<[string, FakePhase]>([
    ['the plain stream, before STARTTLS', 'plain'],
    ['the encrypted stream, after STARTTLS', 'tls'],
    ['the stream after login (inside TLS)', 'authenticated'],
  ])('%s', async (_name, cutPhase) => {
    let cut = 0;
    const server = await fakeServer({
      splitWrites: (xml, phase) => (phase === cutPhase && xml.startsWith(DECLARATION) ? [cut] : []),
    });
    const failed: string[] = [];
    for (cut = 1; cut <= DECLARATION.length; cut++) {
      const session = new AccountSession({ events: new AppEvents(), log: silentLogger });
      try {
        const state = await session.connect(paramsFor(server));
        if (state.status !== 'online') failed.push(`${DECLARATION.slice(0, cut)}|${DECLARATION.slice(cut)}: ${state.status}`);
      } catch (error) {
        failed.push(`${DECLARATION.slice(0, cut)}|${DECLARATION.slice(cut)}: ${(error as Error).message}`);
      } finally {
        await session.disconnect();
      }
    }
    expect(failed).toEqual([]);
    expect(server.connections()).toBe(DECLARATION.length);
  }, 120_000);
});

describe('a character cut between any two of its UTF-8 bytes arrives whole', () => {
  const ROMEO = 'romeo@montague.lit';
  let session: AccountSession;
  let log = '';
  let rosterItem = '';
  /** Where the next roster answer is cut: after byte `at` of every `char` in it. */
  let cut: { char: string; at: number } | undefined;

  /** The byte offsets in `xml` just after byte `at` of each occurrence of `char`. */
  function offsetsInside(xml: string, char: string, at: number): number[] {
    const bytes = Buffer.from(xml, 'utf8');
    const needle = Buffer.from(char, 'utf8');
    const offsets: number[] = [];
    for (let i = bytes.indexOf(needle); i !== -1; i = bytes.indexOf(needle, i + needle.length)) offsets.push(i + at);
    return offsets;
  }

  beforeAll(async () => {
    const server = await fakeServer({
      answer: (stanza) => {
        if (stanza.attrs.type !== 'get' || !stanza.getChild('query', NS.roster)) return undefined;
        return `<iq type='result' id='${stanza.attrs.id}'><query xmlns='${NS.roster}'>${rosterItem}</query></iq>`;
      },
      splitWrites: (xml, phase) =>
        cut && phase === 'authenticated' && xml.includes(NS.roster) ? offsetsInside(xml, cut.char, cut.at) : [],
    });
    session = new AccountSession({ events: new AppEvents(), log: silentLogger, streamLog: { write: (l) => void (log += l) } });
    await session.connect(paramsFor(server));
  });

  afterAll(async () => {
    await session?.disconnect();
  });

  it.each([
    ['2 bytes', 'é'],
    ['3 bytes', '€'],
    ['4 bytes', '🗝'],
  ])('%s (%s), in an attribute (the contact’s name) and in text (their group)', async (_size, char) => {
    const bytes = Buffer.from(char, 'utf8');
    const name = `Romeo ${char} Montague`;
    const group = `Friends ${char}`;
    rosterItem = `<item jid='${ROMEO}' name='${name}' subscription='both'><group>${group}</group></item>`;
    // What the client's socket reads (TLS decrypted), to check the cut really fell inside the character.
    const chunks: Buffer[] = [];
    const record = (chunk: Buffer) => void chunks.push(chunk);
    const socket = session.client.entity.socket as EventEmitter;
    socket.on('data', record);
    try {
      for (let at = 1; at < bytes.length; at++) {
        cut = { char, at };
        chunks.length = 0;
        log = '';
        const item = (await fetchRoster(session.client.iqCaller)).find((i) => i.jid === ROMEO);
        expect(item, `the roster answer cut after byte ${at} of ${char}`).toMatchObject({ name, groups: [group] });
        const head = bytes.subarray(0, at);
        const tail = bytes.subarray(at);
        const cutsSeen = chunks.filter((c, i) => c.subarray(-head.length).equals(head) && chunks[i + 1]?.subarray(0, tail.length).equals(tail));
        expect(cutsSeen, `the client read ${char} in two chunks, after its byte ${at}, in the name and in the group`).toHaveLength(2);
        // The stream log prints the elements the app read: the same text.
        expect(log).toContain(`name="${name}"`);
        expect(log).toContain(`<group>${group}</group>`);
      }
    } finally {
      socket.off('data', record);
      cut = undefined;
    }
  });
});
