/**
 * The stream reads the same wherever it is cut into chunks (main/xmpp/stream-reader.ts): UTF-8
 * characters are decoded across chunks, and the parser keeps the ends of `<?…?>`, `<!--…-->` and
 * `<!…]]>` whole. The same against a server whose TCP and TLS chunks end at chosen bytes:
 * test/integration/chunk-boundaries.test.ts.
 */
import { EventEmitter } from 'node:events';
import { Socket } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import type { Element } from '@xmpp/xml';
import { Client } from '@xmpp/client-core';
import {
  ChunkSafeClient,
  ChunkSafeParser,
  ChunkSafeTcp,
  DROPPED_TOO_DEEP,
  MAX_STANZA_DEPTH,
  STANZA_LIMITS,
  StanzaTooLarge,
  type StanzaLimits,
} from '../../../main/xmpp/stream-reader.js';

const HEADER =
  "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' " +
  "from='capulet.lit' id='s1' version='1.0'>";
const MESSAGE = "<message from='romeo@montague.lit'><body>Wherefore? Art thou -- Romeo]]</body></message>";

/** What a parser fed `chunks` reports: the stream's opening and each element, as XML. */
function parsed(chunks: string[], limits: StanzaLimits = STANZA_LIMITS.untrusted): string[] {
  const parser = new ChunkSafeParser();
  parser.limits = () => limits;
  const seen: string[] = [];
  parser.on('start', (root: Element) => seen.push(`start ${root.attrs.id}`));
  parser.on('element', (element: Element) => seen.push(element.toString()));
  parser.on('error', (error: Error) => seen.push(`error ${error.message}`));
  parser.addListener(DROPPED_TOO_DEEP, (stanza: Element) => seen.push(`dropped <${stanza.name} id='${stanza.attrs.id ?? ''}'>`));
  for (const chunk of chunks) parser.write(chunk);
  return seen;
}

/** `text` cut in two at every position. */
const everyCut = (text: string) => Array.from({ length: text.length - 1 }, (_, i) => [text.slice(0, i + 1), text.slice(i + 1)]);

describe('the stream parser, cut anywhere', () => {
  const whole = parsed([HEADER + MESSAGE]);

  it('reads the header and a stanza when given whole', () => {
    expect(whole).toEqual(['start s1', expect.stringContaining('Wherefore? Art thou -- Romeo]]') as unknown]);
  });

  it.each([
    ['the XML declaration and stream header', HEADER + MESSAGE],
    ['a comment between stanzas', `${HEADER}<!-- a note -->${MESSAGE}`],
    ['a processing instruction between stanzas', `${HEADER}<?keyring x?>${MESSAGE}`],
    ['a declaration ending in ]]> between stanzas', `${HEADER}<!DOCTYPE x [ ]]>${MESSAGE}`],
  ])('%s cut in two at every character: the same header and stanza', (_name, stream) => {
    for (const chunks of everyCut(stream)) expect(parsed(chunks), chunks.join(' | ')).toEqual(whole);
  });

  it('one character per chunk: the same header and stanza', () => {
    expect(parsed([...`${HEADER}<!-- a -->${MESSAGE}`])).toEqual(whole);
  });

  it('text between stanzas (whitespace keepalives) is not kept on the stream element, however long the session', () => {
    const parser = new ChunkSafeParser();
    let root: Element | undefined;
    parser.on('start', (r: Element) => (root = r));
    const stanzas: string[] = [];
    parser.on('element', (element: Element) => stanzas.push(element.toString()));
    parser.write(HEADER);
    for (let i = 0; i < 10_000; i++) parser.write(i % 100 === 0 ? ` ${MESSAGE}\n` : ' ');
    expect(stanzas).toHaveLength(100);
    // A stanza's own text is kept.
    expect(stanzas[0]).toContain('Wherefore?');
    expect(root?.children).toEqual([]);
  });

  it('a complete stanza is read at once, even when the next chunk never comes', () => {
    expect(parsed([HEADER, `${MESSAGE}<iq type='get' id='a?`])).toEqual(whole);
  });
});

/** A stanza `id` whose payload nests `depth` levels, the stanza itself counted. */
function nested(depth: number, id: string): string {
  return `<message id='${id}'>${'<a>'.repeat(depth - 1)}x${'</a>'.repeat(depth - 1)}</message>`;
}

describe('hostile XML on the stream', () => {
  it.each([
    ['&#27; (ESC) in text', "<body>&#27;[2J</body>", 'a character reference to 0x1b, which XML does not allow'],
    ['&#0; in an attribute', "<body a='&#0;'/>", 'a character reference to 0x0, which XML does not allow'],
    ['an entity XML does not define', '<body>&x;</body>', 'a reference to an entity XML does not define'],
  ])('%s: one error, nothing thrown, nothing read after it', (_name, body, why) => {
    expect(parsed([HEADER, `<message>${body}</message>`, MESSAGE])).toEqual(['start s1', `error not well-formed: ${why}`]);
  });

  it('an end tag before any start tag, or two stray end tags: one error, nothing thrown', () => {
    expect(parsed(['</x>'])).toEqual(['error not well-formed: an end tag before the stream started']);
    expect(parsed([`${HEADER}<a></b></c>`, MESSAGE])).toEqual(['start s1', 'error a must be closed.']);
  });

  it(`a stanza ${MAX_STANZA_DEPTH} levels deep is read; one level deeper is dropped, and the next stanza read`, () => {
    // On a trusted stream: before, 3000 elements are past the size limit and end the stream (below).
    const chunks = [HEADER, nested(MAX_STANZA_DEPTH, 'ok'), nested(MAX_STANZA_DEPTH + 1, 'deep'), nested(3000, 'deeper'), MESSAGE];
    const seen = parsed(chunks, STANZA_LIMITS.trusted);
    const asSerialized = (xml: string) => xml.replaceAll("'", '"');
    expect(seen).toEqual([
      'start s1',
      asSerialized(nested(MAX_STANZA_DEPTH, 'ok')),
      "dropped <message id='deep'>",
      "dropped <message id='deeper'>",
      asSerialized(MESSAGE),
    ]);
  });

  it('the levels of a dropped stanza beyond the bound still have to be well-formed', () => {
    const broken = `<message id='deep'>${'<a>'.repeat(MAX_STANZA_DEPTH + 5)}${'</b>'.repeat(MAX_STANZA_DEPTH + 5)}</message>`;
    expect(parsed([HEADER, broken, MESSAGE])).toEqual(['start s1', 'error not well-formed: an end tag that does not match its start tag']);
  });

  it('a listener that throws is a bug of ours: thrown as it is, not taken for the server’s XML', () => {
    const parser = new ChunkSafeParser();
    const errors: Error[] = [];
    parser.on('error', (error) => errors.push(error));
    parser.on('element', () => {
      throw new TypeError('listener bug');
    });
    parser.write(HEADER);
    expect(() => parser.write(MESSAGE)).toThrow('listener bug');
    expect(errors).toEqual([]);
  });
});

/** What `parsed` saw, each stanza by its start tag alone (the stanzas here are large). */
function outcome(chunks: string[], limits?: StanzaLimits): string[] {
  return parsed(chunks, limits).map((seen) => (seen.startsWith('<') ? seen.slice(0, seen.indexOf('>') + 1) : seen));
}

/** A stanza of exactly `characters` characters: its markup as written and its text. */
function stanzaOf(characters: number, id: string): string {
  const open = `<message id='${id}'>`;
  const close = '</message>';
  return `${open}${'y'.repeat(characters - open.length - close.length)}${close}`;
}

/** A stanza of exactly `elements` elements, its own included. */
function stanzaWith(elements: number, id: string): string {
  return `<message id='${id}'>${'<a/>'.repeat(elements - 1)}</message>`;
}

/** `text` in pieces of `size` characters. */
function inPieces(text: string, size: number): string[] {
  return Array.from({ length: Math.ceil(text.length / size) }, (_, i) => text.slice(i * size, (i + 1) * size));
}

/**
 * A roster result (RFC 6121 §2.1.4) as Prosody sends it, of `contacts` contacts each in `groups` groups:
 * test/bench's roster (core.bench-run.ts: 5,000 contacts, one group each of 20).
 */
function rosterResult(contacts: number, groups: number): string {
  const items = Array.from({ length: contacts }, (_, i) => {
    const n = String(i).padStart(4, '0');
    const inGroups = Array.from({ length: groups }, (_, g) => `<group>Group ${String((i + g) % 20).padStart(2, '0')}</group>`).join('');
    return `<item subscription='both' jid='contact-${n}@capulet.lit' name='Contact ${n}'>${inGroups}</item>`;
  });
  return `<iq type='result' id='roster' to='viewer@capulet.lit/keyring'><query xmlns='jabber:iq:roster' ver='1'>${items.join('')}</query></iq>`;
}

describe('the size of a stanza', () => {
  const { untrusted, trusted } = STANZA_LIMITS;
  const before = ', before the stream was encrypted and logged in';

  it.each([
    ['given whole', (text: string) => [text]],
    ['in pieces of 1000 characters', (text: string) => inPieces(text, 1000)],
  ])(`before the stream is trusted, a stanza of ${untrusted.characters} characters is read; one more ends the stream (%s)`, (_name, cut) => {
    expect(outcome([HEADER, ...cut(stanzaOf(untrusted.characters, 'a') + stanzaOf(untrusted.characters, 'b')), MESSAGE])).toEqual([
      'start s1',
      "<message id=\"a\">",
      "<message id=\"b\">",
      '<message from="romeo@montague.lit">',
    ]);
    expect(outcome([HEADER, ...cut(stanzaOf(untrusted.characters + 1, 'c')), MESSAGE])).toEqual([
      'start s1',
      `error a stanza of more than ${untrusted.characters} characters${before}`,
    ]);
  });

  it(`before the stream is trusted, a stanza of ${untrusted.elements} elements is read; one more ends the stream`, () => {
    // Each stanza is counted afresh: two at the limit in one chunk are both read.
    expect(outcome([HEADER, stanzaWith(untrusted.elements, 'a') + stanzaWith(untrusted.elements, 'b'), MESSAGE])).toEqual([
      'start s1',
      "<message id=\"a\">",
      "<message id=\"b\">",
      '<message from="romeo@montague.lit">',
    ]);
    expect(outcome([HEADER, stanzaWith(untrusted.elements + 1, 'c'), MESSAGE])).toEqual([
      'start s1',
      `error a stanza of more than ${untrusted.elements} elements${before}`,
    ]);
  });

  it('features followed by <a/> without end (the attack review’s probe): the stream ends, and no more is kept', () => {
    const parser = new ChunkSafeParser();
    const errors: Error[] = [];
    parser.on('error', (error) => errors.push(error));
    parser.write(`${HEADER}<stream:features>`);
    const kept = parser.cursor;
    // 2 MiB of the 10 MiB that grew the heap by 415 MiB: the old parser kept every <a/> of them.
    for (let i = 0; i < 32 && errors.length === 0; i++) parser.write('<a/>'.repeat(16_384));
    expect(errors).toEqual([new StanzaTooLarge(untrusted, 'elements')]);
    expect(kept?.children.length).toBe(untrusted.elements - 1);
  });

  it.each([
    ['a text node', `<message><body>`, 'y'],
    ['an attribute value', `<message><body a='`, 'y'],
    ['a tag name', `<message><b`, 'y'],
    ['text between stanzas', ``, ' '],
  ])('%s without end ends the stream once past the limit, without waiting for its end', (_name, start, filler) => {
    const parser = new ChunkSafeParser();
    const errors: Error[] = [];
    parser.on('error', (error) => errors.push(error));
    parser.write(HEADER + start);
    const piece = filler.repeat(4096);
    let given = start.length;
    while (errors.length === 0 && given < 4 * untrusted.characters) {
      parser.write(piece);
      given += piece.length;
    }
    expect(errors).toEqual([new StanzaTooLarge(untrusted, 'characters')]);
    // ltx keeps an unfinished token whole: the stream ends within a piece of the limit.
    expect(given).toBeGreaterThan(untrusted.characters);
    expect(given).toBeLessThanOrEqual(untrusted.characters + 2 * piece.length);
  });

  it('once trusted (after login, without a new stream: XEP-0388), the roomier limits apply to the next check', () => {
    let trustedNow = false;
    const parser = new ChunkSafeParser();
    parser.limits = () => (trustedNow ? trusted : untrusted);
    const seen: string[] = [];
    parser.on('element', (element: Element) => seen.push(element.attrs.id ?? ''));
    parser.on('error', (error: Error) => seen.push(error.message));
    parser.write(HEADER);
    parser.write(`<success xmlns='urn:xmpp:sasl:2' id='login'/>`);
    trustedNow = true;
    parser.write(stanzaWith(untrusted.elements * 2, 'big'));
    expect(seen).toEqual(['login', 'big']);
  });

  it(`after, test/bench's roster of 5,000 contacts and one of 20,000 in two groups are read, with room to spare`, () => {
    const bench = rosterResult(5_000, 1);
    // Prosody's result for the benchmark's roster, measured: 535,134 characters, 10,002 elements; the limits
    // leave it a margin of 15 and 10 times (stream-reader.ts STANZA_LIMITS says why these numbers).
    expect(bench.length * 15).toBeLessThan(trusted.characters);
    expect((5_000 * 2 + 2) * 9).toBeLessThan(trusted.elements);
    expect(outcome([HEADER, ...inPieces(bench, 16_384), MESSAGE], trusted)).toEqual([
      'start s1',
      "<iq type=\"result\" id=\"roster\" to=\"viewer@capulet.lit/keyring\">",
      '<message from="romeo@montague.lit">',
    ]);
    const largest = rosterResult(20_000, 2);
    expect(outcome([HEADER, ...inPieces(largest, 16_384)], trusted)).toEqual(['start s1', expect.stringMatching(/^<iq /) as unknown]);
    // Before the stream is trusted, the same roster ends it.
    expect(outcome([HEADER, ...inPieces(bench, 16_384)])).toEqual(['start s1', `error a stanza of more than ${untrusted.elements} elements${before}`]);
  });

  it('after, an avatar of 150 KiB (XEP-0084 data, base64) is read; before, it ends the stream', () => {
    const avatar =
      `<message from='romeo@montague.lit'><event xmlns='http://jabber.org/protocol/pubsub#event'><items node='urn:xmpp:avatar:data'>` +
      `<item id='a1'><data xmlns='urn:xmpp:avatar:data'>${'QUFB'.repeat(150 * 256)}</data></item></items></event></message>`;
    expect(outcome([HEADER, ...inPieces(avatar, 16_384)], trusted)).toEqual(['start s1', '<message from="romeo@montague.lit">']);
    expect(outcome([HEADER, ...inPieces(avatar, 16_384)])).toEqual(['start s1', `error a stanza of more than ${untrusted.characters} characters${before}`]);
  });

  it('the client reads with the limits of the stream’s trust, and says policy-violation for a stanza too large', async () => {
    const streamError = vi.spyOn(Client.prototype, '_streamError').mockResolvedValue(undefined);
    try {
      const client = new ChunkSafeClient({ service: 'xmpp://127.0.0.1:5222', domain: 'capulet.lit' });
      const errors: unknown[] = [];
      client.on('error', (error: unknown) => errors.push(error));
      let trustedNow = false;
      client.streamTrusted = () => trustedNow;
      const parser = new ChunkSafeParser();
      client._attachParser(parser);
      expect(parser.limits()).toBe(untrusted);
      trustedNow = true;
      expect(parser.limits()).toBe(trusted);
      client._onData(HEADER);
      client._onData(stanzaWith(trusted.elements + 1, 'too-big'));
      expect(streamError).toHaveBeenCalledWith('policy-violation', undefined);
      expect(errors).toEqual([new StanzaTooLarge(trusted, 'elements')]);
      await Promise.resolve();
      // XML that is not well-formed is still bad-format (RFC 6120 §4.9.3.1).
      const next = new ChunkSafeParser();
      client._attachParser(next);
      client._onData(`${HEADER}<a></b>`);
      expect(streamError).toHaveBeenLastCalledWith('bad-format', undefined);
    } finally {
      streamError.mockRestore();
    }
  });
});

describe('the client, reading a socket cut inside characters', () => {
  /** A client reading `socket`, and what its parser is given. */
  function reading(socket: EventEmitter): { client: ChunkSafeClient; written: string[] } {
    const client = new ChunkSafeClient({ service: 'xmpp://127.0.0.1:5222', domain: 'capulet.lit' });
    const written: string[] = [];
    client.parser = { write: (text) => void written.push(text) };
    client._attachSocket(socket);
    return { client, written };
  }

  it.each([
    ['2 bytes', 'é'],
    ['3 bytes', '€'],
    ['4 bytes', '🗝'],
  ])('%s (%s) cut after each of its bytes arrives whole', (_size, char) => {
    const bytes = Buffer.from(`<body>${char}</body>`, 'utf8');
    const start = bytes.indexOf(Buffer.from(char, 'utf8'));
    for (let at = start + 1; at < start + Buffer.byteLength(char); at++) {
      const socket = new EventEmitter();
      const { written } = reading(socket);
      socket.emit('data', bytes.subarray(0, at));
      socket.emit('data', bytes.subarray(at));
      expect(written.join(''), `cut after byte ${at - start}`).toBe(`<body>${char}</body>`);
    }
  });

  it('a new socket (after STARTTLS, or reconnecting) does not inherit the old one’s unfinished character', () => {
    const plain = new EventEmitter();
    const { client, written } = reading(plain);
    // '<a>' and the first two of the three bytes of '€', then the socket is replaced.
    plain.emit('data', Buffer.from([0x3c, 0x61, 0x3e, 0xe2, 0x82]));
    const secure = new EventEmitter();
    client._attachSocket(secure);
    secure.emit('data', Buffer.from('<b/>', 'utf8'));
    expect(written).toEqual(['<a>', '<b/>']);
  });
});

describe('the TCP transport', () => {
  it('turns Nagle’s algorithm off before connecting, so pipelined requests are not held for the server’s acknowledgements', () => {
    const socket = new Socket();
    const setNoDelay = vi.spyOn(socket, 'setNoDelay');
    new ChunkSafeTcp()._attachSocket(socket);
    expect(setNoDelay).toHaveBeenCalledWith(true);
    expect(socket.connecting).toBe(false); // not yet connected: Node applies it as the connection opens
    socket.destroy();
  });
});
