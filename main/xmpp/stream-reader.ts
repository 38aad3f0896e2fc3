/**
 * How the server's bytes become XML elements. TCP, and TLS records, cut the stream wherever they like,
 * so the same stanza can arrive in any number of chunks, cut at any byte. xmpp.js 0.14 gets two such
 * cuts wrong, and this module fixes both for the client that client.ts puts together.
 *
 * 1. A cut inside a UTF-8 character (RFC 6120 §11.6: the stream is UTF-8). xmpp.js decodes each chunk on
 *    its own (`data.toString("utf8")` in @xmpp/connection's `Connection._onData`), so both halves of
 *    the character become U+FFFD: a contact's name, a group or a profile field read wrongly, depending
 *    on where the network cut it. ChunkSafeClient decodes with one StringDecoder per socket, which
 *    holds an unfinished character back until the rest of its bytes arrive.
 * 2. A cut just after the `?` of the `<?xml …?>` declaration a stream header starts with (RFC 6120
 *    §11.5). @xmpp/xml's parser (ltx 3) finds the end of `<?…?>`, `<!--…-->` and `<!…]]>` by looking
 *    back from each `>` at the one or two characters before it, in the current chunk only
 *    (`data.charCodeAt(pos - 1)`); across a cut it sees nothing, reads on as if the declaration went
 *    on, and never reports the stream open: the sign-in waits until its timeout. ChunkSafeParser keeps
 *    those one or two characters for the next chunk, so the parser always sees them before the `>`.
 *    (Comments and other processing instructions are not allowed in a stream, RFC 6120 §11.1; ltx
 *    skips them, and now skips them whole wherever they are cut.)
 *
 * It also reads hostile bytes without falling over:
 *
 * 3. XML that is not well-formed ends the stream, never the process. ltx throws from inside its write()
 *    (so from the socket's 'data' handler, where nobody catches it) for a character reference XML 1.0
 *    forbids (`&#27;`, `&#0;`: §2.2 Char, §4.1 WFC Legal Character) or an entity it does not define
 *    (`&x;`: §4.1 WFC Entity Declared), and for an end tag before any start tag. ChunkSafeParser turns
 *    each into the parser's 'error' event, which xmpp.js already answers as RFC 6120 §4.9.3.1 says:
 *    a `bad-format` stream error, the connection closed, the error reported on the client (the session
 *    words it, connection-errors.ts). Before STARTTLS anyone on the path can send such bytes.
 * 4. A stanza nested deeper than MAX_STANZA_DEPTH is dropped, not delivered. Everything that walks an
 *    element (ltx's toString, the stream log, the size checks) recurses once per level, and a
 *    3000-deep message of 21 KB, which anyone may send us and servers relay, overflowed the stack.
 *    Closing the stream instead (RFC 6120 §4.9.3.14 policy-violation) would let any stranger
 *    disconnect us at will, so only that stanza goes: ChunkSafeClient reports it ('dropped-too-deep')
 *    for one log line, and the stream reads on.
 * 5. A stanza too large to keep ends the stream (RFC 6120 §4.9.3.14 policy-violation: "a stanza exceeds a
 *    configured size limit"). ltx keeps every element of a stanza until it ends, and every unfinished
 *    token (a text node, an attribute) until its end arrives: `<stream:features>` followed by `<a/>`
 *    sent without end grew the heap about 40 times what was sent (10 MiB sent, 415 MiB kept), and a man
 *    in the middle before STARTTLS could crash the process in seconds, long before the sign-in's
 *    timeout. So the characters and the start tags of the stanza being read are counted, and past
 *    STANZA_LIMITS the stream fails through the same 'error' event as point 3, with a StanzaTooLarge the
 *    session puts in words (connection-errors.ts). The limits are strict until the stream is trusted
 *    (encrypted and logged in: stream-guard.ts decides, client.ts hands its answer to ChunkSafeClient)
 *    and roomy after. Unlike a too deep stanza (point 4) this ends the stream: a stranger's stanzas are
 *    bounded well below the trusted limit by the servers that relay them, so only the server itself, or
 *    someone on the path before TLS, can reach it.
 *
 * These are subclasses of xmpp.js's pieces, not patches of node_modules, which `npm ci` would undo.
 */
import { Socket } from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import { Client } from '@xmpp/client-core';
import ConnectionTCP, { type SocketParameters } from '@xmpp/tcp/lib/Connection.js';
import ConnectionTLS from '@xmpp/tls/lib/Connection.js';
import { ipAddressOf } from './ip-literal.js';
import { Parser, XMLError, type Element } from '@xmpp/xml';

/** How large the stanza being read may grow (point 5 above). */
export interface StanzaLimits {
  /** Characters of its markup and text (an entity reference counts as the character it stands for). */
  readonly characters: number;
  /** Its start tags, its own counted. */
  readonly elements: number;
}

/**
 * Point 5 above. Before the stream is trusted only stream features, STARTTLS and SASL elements are
 * read: a real server's features are 1 to 3 KB and under 50 elements, a SASL challenge or success a few
 * hundred characters, so 64 KiB and 1,000 elements leave room for any real server, and bound what a
 * man in the middle can make us keep to about 1 MB of heap.
 *
 * After, the largest stanzas are the roster and avatars. test/bench's roster of 5,000 contacts (one group
 * each) came from Prosody 0.12 as one IQ result of 535,134 characters and 10,002 elements (measured); the
 * app keeps rosters of up to 20,000 contacts on disk (MAX_SAVED_ROSTER_ITEMS) and larger ones in memory,
 * and contacts are often in two or three groups: 20,000 contacts make 2 to 3 MB and 40,000 to 80,000
 * elements. An avatar is about 100 KiB of base64 plus its wrapping. 8 MiB and 100,000 elements are 15 and
 * 10 times the benchmark's roster and pass all of these; a stanza at the limit costs tens of MB of heap,
 * not the process.
 */
export const STANZA_LIMITS = {
  untrusted: { characters: 64 * 1024, elements: 1_000 },
  trusted: { characters: 8 * 1024 * 1024, elements: 100_000 },
} as const satisfies Record<string, StanzaLimits>;

/**
 * What the parser reports for a stanza past its limits (point 5 above): its 'error' event, as for XML that
 * is not well-formed, under its own name so that the session can say what happened.
 */
export class StanzaTooLarge extends Error {
  /** The stream was not yet trusted (encrypted and logged in) when the stanza was read. */
  readonly beforeTrust: boolean;

  constructor(limits: StanzaLimits, what: 'characters' | 'elements') {
    const beforeTrust = limits === STANZA_LIMITS.untrusted;
    super(`a stanza of more than ${limits[what]} ${what}${beforeTrust ? ', before the stream was encrypted and logged in' : ''}`);
    this.name = 'StanzaTooLarge';
    this.beforeTrust = beforeTrust;
  }
}

/** An xmpp.js client that decodes UTF-8 across chunk boundaries (point 1 above). */
export class ChunkSafeClient extends Client {
  #decoder = new StringDecoder('utf8');

  /**
   * Whether the stream is encrypted and logged in, asked for each stanza (point 5 above): the stream
   * guard's answer, which client.ts puts here (stream-guard.ts alone keeps track of TLS and SASL).
   * Until then, untrusted.
   */
  streamTrusted: () => boolean = () => false;

  /** Every socket (the TCP one, then the TLS one after STARTTLS, a new one per reconnection) starts afresh. */
  override _attachSocket(socket: unknown): void {
    this.#decoder = new StringDecoder('utf8');
    super._attachSocket(socket);
  }

  /** Upstream: `this.parser.write(data.toString("utf8"))`. No parser is left after a parse error: the stream is closing. */
  override _onData(data: Buffer | string): void {
    const text = typeof data === 'string' ? data : this.#decoder.write(data);
    if (text !== '') this.parser?.write(text);
  }

  /** Each stream's parser: its dropped stanzas are reported on the client (point 4 above). */
  override _attachParser(parser: unknown): void {
    super._attachParser(parser);
    if (parser instanceof ChunkSafeParser) {
      parser.addListener(DROPPED_TOO_DEEP, (stanza: Element) => this.emit(DROPPED_TOO_DEEP, stanza));
      parser.limits = () => (this.streamTrusted() ? STANZA_LIMITS.trusted : STANZA_LIMITS.untrusted);
    }
  }

  /**
   * xmpp.js answers every parser error with `bad-format` (RFC 6120 §4.9.3.1), which says our peer's XML
   * was broken. A stanza too large for us is not (point 5 above): §4.9.3.14 names that policy-violation.
   * Called while the failed parser is still attached.
   */
  override _streamError(condition: string, children?: unknown): Promise<void> {
    const tooLarge = this.parser instanceof ChunkSafeParser && this.parser.failure instanceof StanzaTooLarge;
    return super._streamError(tooLarge ? 'policy-violation' : condition, children);
  }
}

/**
 * How deep a stanza may nest, the stanza itself counted as level 1 (point 4 above). The deepest stanza
 * this app reads is a PEP notification forwarded inside another message (XEP-0297 in XEP-0280 or
 * XEP-0313): message, result, forwarded, message, event, items, item, then a vCard4 payload's vcard,
 * property, parameters, parameter, value: about 12 levels, 20 with other wrappers (XEP-0033 addresses,
 * XEP-0060 subscription options). 64 is far beyond any real stanza, and far below what overflows
 * the stack of anything that walks an element (thousands of levels).
 */
export const MAX_STANZA_DEPTH = 64;
/** The event a too-deep stanza is reported with, on the parser and on ChunkSafeClient: its outer levels. */
export const DROPPED_TOO_DEEP = 'dropped-too-deep';

/** The characters ltx looks back at from a `>`, at most two of them (point 2 above). */
const LOOKED_BACK_AT = new Set(['?', '-', ']']);

/**
 * @xmpp/xml's parser that keeps the ends of declarations, comments and the like whole (point 2 above),
 * reports XML that is not well-formed as its 'error' event (point 3), drops too deep stanzas (point 4)
 * and ends the stream at a stanza too large (point 5).
 */
export class ChunkSafeParser extends Parser {
  #held = '';
  /** After an error the stream is over: ltx stopped mid-token, and nothing after it can be read. */
  #failed = false;
  /** The error the stream failed with, once it did. */
  #failure: Error | undefined;
  /** The limits of the stanza being read, asked again at each check (ChunkSafeClient: by the stream's trust). */
  limits: () => StanzaLimits = () => STANZA_LIMITS.untrusted;
  /** Characters of the stanza being read, counted from what ltx reported of it (point 5 above). */
  #characters = 0;
  /** Start tags of the stanza being read. */
  #elements = 0;
  /**
   * Characters given to ltx since it last reported anything: an unfinished token (a text node, an
   * attribute, a tag) that ltx keeps whole until it ends, or text between stanzas. Counted with the
   * stanza, so a token without end is caught too; the rest of a chunk after ltx's last report is not
   * counted (at most one chunk: TCP and TLS deliver at most 64 KiB at a time).
   */
  #unreported = 0;
  /** Set when one of our listeners threw: that is a bug of ours to surface, not the server's bytes. */
  #listenerThrew = false;
  /** Elements open, the stream's own included: a stanza's start tag arrives with 1 open. */
  #open = 0;
  /** The names of the elements open beyond MAX_STANZA_DEPTH, read but not kept; undefined when none. */
  #beyond: string[] | undefined;
  /** The stanza being read went beyond MAX_STANZA_DEPTH: it is dropped when it ends. */
  #tooDeep = false;

  override write(data: string): void {
    if (this.#failed) return;
    const text = this.#held + data;
    let keep = 0;
    while (keep < 2 && keep < text.length && LOOKED_BACK_AT.has(text.charAt(text.length - 1 - keep))) keep++;
    // Only unfinished markup or text is held: a complete element ends with '>', so none waits for more.
    this.#held = text.slice(text.length - keep);
    if (keep === text.length) return;
    this.#listenerThrew = false;
    const given = text.slice(0, text.length - keep);
    this.#unreported += given.length;
    try {
      super.write(given);
    } catch (error) {
      if (this.#listenerThrew) throw error;
      this.#fail(notWellFormed(error));
      return;
    }
    const limits = this.limits();
    if (this.#characters + this.#unreported > limits.characters) this.#fail(new StanzaTooLarge(limits, 'characters'));
  }

  /** The error the stream failed with: XML that is not well-formed, or a stanza too large. */
  get failure(): Error | undefined {
    return this.#failure;
  }

  /**
   * Nothing is reported after the first error. ltx reads the rest of the chunk on, and a second error
   * (two stray end tags) would find xmpp.js's listeners already gone: an 'error' event nobody listens
   * to is thrown, out of the socket's data handler.
   */
  override emit(event: string | symbol, ...args: unknown[]): boolean {
    if (this.#failed) return false;
    if (event === 'error') {
      this.#failed = true;
      this.#failure = args[0] instanceof Error ? args[0] : undefined;
    }
    try {
      return super.emit(event, ...args);
    } catch (error) {
      this.#listenerThrew = true;
      throw error;
    }
  }

  override onStartElement(name: string, attrs: Record<string, string>): void {
    // ltx reads the rest of a chunk after an error: nothing more is built.
    if (this.#failed) return;
    this.#unreported = 0;
    if (!this.root) {
      // The stream's header: the first stanza starts afresh after it.
      this.#characters = 0;
      this.#elements = 0;
    } else {
      // `<name a='v'>`: the markup as written, give or take the spaces and quotes.
      let size = name.length + 2;
      // for…in, not Object.entries: no array per start tag on the path every answer takes.
      for (const key in attrs) size += key.length + (attrs[key]?.length ?? 0) + 4;
      this.#characters += size;
      this.#elements++;
      if (this.#overLimit()) return;
    }
    if (this.#beyond) {
      this.#beyond.push(name);
      return;
    }
    if (this.root && this.#open > MAX_STANZA_DEPTH) {
      this.#beyond = [name];
      this.#tooDeep = true;
      return;
    }
    super.onStartElement(name, attrs);
    this.#open++;
  }

  /** `selfClosing`: ltx reports `<a/>` as a start and an end tag, the end tag with true. */
  override onEndElement(name: string, selfClosing?: boolean): void {
    if (this.#failed) return;
    this.#unreported = 0;
    // `</name>`, or the `/` of `<name/>`.
    this.#characters += selfClosing === true ? 1 : name.length + 3;
    if (this.#overLimit()) return;
    if (this.#beyond) {
      if (this.#beyond.pop() !== name) this.#fail(new XMLError('not well-formed: an end tag that does not match its start tag'));
      if (this.#beyond.length === 0) this.#beyond = undefined;
      return;
    }
    const { cursor, root } = this;
    if (this.#tooDeep && cursor && cursor !== root && !cursor.parent && cursor.name === name) {
      // The too deep stanza ends: reported with the levels that were kept, never delivered.
      this.#tooDeep = false;
      this.#open--;
      this.cursor = root;
      this.#stanzaEnded();
      this.emit(DROPPED_TOO_DEEP, cursor);
      return;
    }
    if (!cursor) {
      // ltx reads `</x>` before any start tag as an end tag; upstream would throw on the missing cursor.
      this.#fail(new XMLError('not well-formed: an end tag before the stream started'));
      return;
    }
    super.onEndElement(name);
    if (this.cursor !== cursor || cursor === root) this.#open--;
    // A stanza ended: the cursor went back to the stream's element (upstream emitted the stanza just now).
    if (cursor !== root && this.cursor === root) this.#stanzaEnded();
  }

  override onText(text: string): void {
    if (this.#failed) return;
    this.#unreported = 0;
    // Text between stanzas (whitespace keepalives, RFC 6120 §4.6.1) is no part of any stanza: upstream
    // appends it to the stream's root element, which lives as long as the connection, so a long session
    // (or a server sending text between stanzas) would grow it without end.
    if (this.root && this.cursor === this.root) return;
    this.#characters += text.length;
    if (this.#overLimit()) return;
    if (this.#beyond) return;
    super.onText(text);
  }

  /** The next stanza is counted from nothing. */
  #stanzaEnded(): void {
    this.#characters = 0;
    this.#elements = 0;
  }

  /** Past the limits, the stream fails (point 5 above); true when it did. */
  #overLimit(): boolean {
    const limits = this.limits();
    if (this.#elements > limits.elements) this.#fail(new StanzaTooLarge(limits, 'elements'));
    else if (this.#characters > limits.characters) this.#fail(new StanzaTooLarge(limits, 'characters'));
    return this.#failed;
  }

  #fail(error: Error): void {
    if (!this.#failed) this.emit('error', error);
  }
}

/** What ltx threw, as the parser's error: its message names a character code or an entity, or nothing of ours. */
function notWellFormed(error: unknown): XMLError {
  const message = error instanceof Error ? error.message : '';
  const character = /^Illegal XML character (0x[0-9a-f]+)$/.exec(message);
  if (character) return new XMLError(`not well-formed: a character reference to ${character[1]}, which XML does not allow`);
  if (message.startsWith('Illegal XML entity')) return new XMLError('not well-formed: a reference to an entity XML does not define');
  return new XMLError('not well-formed XML');
}

/**
 * Where a transport's socket connects: an IPv6 address without the brackets its URI writes it in
 * (`xmpp://[2001:db8::1]:5222`, RFC 3986 §3.2.2). xmpp.js (@xmpp/connection lib/util.js parseURI) takes
 * them off for "[::1]" alone, so every other IPv6 address went to DNS as a name, and was "not found".
 * Called on the prototype too (the client picks its transport by whether this returns anything).
 */
function socketAddress<P extends { host: string }>(params: P | undefined): P | undefined {
  if (params === undefined) return undefined;
  return { ...params, host: ipAddressOf(params.host) ?? params.host };
}

/** xmpp.js's TCP (xmpp://, with STARTTLS) and direct TLS (xmpps://) transports, reading with ChunkSafeParser. */
export class ChunkSafeTcp extends ConnectionTCP {
  override socketParameters(service: string): SocketParameters | undefined {
    return socketAddress(super.socketParameters(service));
  }

  /**
   * Nagle's algorithm off (TCP_NODELAY, set before connecting; the STARTTLS layer keeps the same
   * socket). With it on, a request written while an earlier one is unacknowledged waits for that
   * acknowledgement, which the server may delay by up to 40 ms, so pipelined requests (fetching many
   * contacts' keys) left in bursts. slixmpp (asyncio) turns it off too.
   */
  override _attachSocket(socket: unknown): void {
    if (socket instanceof Socket) socket.setNoDelay(true);
    super._attachSocket(socket);
  }
}
ChunkSafeTcp.prototype.Parser = ChunkSafeParser;
export class ChunkSafeTls extends ConnectionTLS {
  override socketParameters(service: string): SocketParameters | undefined {
    return socketAddress(super.socketParameters(service));
  }
}
ChunkSafeTls.prototype.Parser = ChunkSafeParser;

/** Registers the transports, in place of `@xmpp/tcp` and `@xmpp/tls` (in their order). */
export function chunkSafeTransports({ entity }: { entity: Client }): void {
  entity.transports.push(ChunkSafeTcp, ChunkSafeTls);
}
