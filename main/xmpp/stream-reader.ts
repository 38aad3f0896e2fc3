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
 * These are subclasses of xmpp.js's pieces, not patches of node_modules, which `npm ci` would undo.
 */
import { Socket } from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import { Client } from '@xmpp/client-core';
import ConnectionTCP from '@xmpp/tcp/lib/Connection.js';
import ConnectionTLS from '@xmpp/tls/lib/Connection.js';
import { Parser } from '@xmpp/xml';

/** An xmpp.js client that decodes UTF-8 across chunk boundaries (point 1 above). */
export class ChunkSafeClient extends Client {
  #decoder = new StringDecoder('utf8');

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
}

/** The characters ltx looks back at from a `>`, at most two of them (point 2 above). */
const LOOKED_BACK_AT = new Set(['?', '-', ']']);

/** @xmpp/xml's parser that keeps the ends of declarations, comments and the like whole (point 2 above). */
export class ChunkSafeParser extends Parser {
  #held = '';

  override write(data: string): void {
    const text = this.#held + data;
    let keep = 0;
    while (keep < 2 && keep < text.length && LOOKED_BACK_AT.has(text.charAt(text.length - 1 - keep))) keep++;
    // Only unfinished markup or text is held: a complete element ends with '>', so none waits for more.
    this.#held = text.slice(text.length - keep);
    if (keep < text.length) super.write(text.slice(0, text.length - keep));
  }
}

/** xmpp.js's TCP (xmpp://, with STARTTLS) and direct TLS (xmpps://) transports, reading with ChunkSafeParser. */
export class ChunkSafeTcp extends ConnectionTCP {
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
class ChunkSafeTls extends ConnectionTLS {}
ChunkSafeTls.prototype.Parser = ChunkSafeParser;

/** Registers the transports, in place of `@xmpp/tcp` and `@xmpp/tls` (in their order). */
export function chunkSafeTransports({ entity }: { entity: Client }): void {
  entity.transports.push(ChunkSafeTcp, ChunkSafeTls);
}
