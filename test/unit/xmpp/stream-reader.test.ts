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
import { ChunkSafeClient, ChunkSafeParser, ChunkSafeTcp, DROPPED_TOO_DEEP, MAX_STANZA_DEPTH } from '../../../main/xmpp/stream-reader.js';

const HEADER =
  "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' " +
  "from='capulet.lit' id='s1' version='1.0'>";
const MESSAGE = "<message from='romeo@montague.lit'><body>Wherefore? Art thou -- Romeo]]</body></message>";

/** What a parser fed `chunks` reports: the stream's opening and each element, as XML. */
function parsed(chunks: string[]): string[] {
  const parser = new ChunkSafeParser();
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
    const seen = parsed([HEADER, nested(MAX_STANZA_DEPTH, 'ok'), nested(MAX_STANZA_DEPTH + 1, 'deep'), nested(3000, 'deeper'), MESSAGE]);
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
