/**
 * How the server's bytes become XML elements. TCP, and TLS records, cut the stream wherever they like,
 * so the same stanza can arrive in any number of chunks, cut at any byte.
 *
 * A cut inside a UTF-8 character (RFC 6120 §11.6: the stream is UTF-8): xmpp.js 0.14 decodes each chunk
 * on its own (`data.toString("utf8")` in @xmpp/connection's `Connection._onData`), so both halves of the
 * character become U+FFFD: a contact's name, a group or a profile field read wrongly, depending on
 * where the network cut it. ChunkSafeClient decodes with one StringDecoder per socket, which holds an
 * unfinished character back until the rest of its bytes arrive.
 *
 * A subclass, not a patch of node_modules, which `npm ci` would undo.
 */
import { StringDecoder } from 'node:string_decoder';
import { Client } from '@xmpp/client-core';

/** An xmpp.js client that decodes UTF-8 across chunk boundaries. */
export class ChunkSafeClient extends Client {
  #decoder = new StringDecoder('utf8');

  /** Every socket (the TCP one, then the TLS one after STARTTLS, a new one per reconnection) starts afresh. */
  override _attachSocket(socket: unknown): void {
    this.#decoder = new StringDecoder('utf8');
    super._attachSocket(socket);
  }

  override _onData(data: Buffer | string): void {
    const text = typeof data === 'string' ? data : this.#decoder.write(data);
    if (text !== '') this.parser?.write(text);
  }
}
