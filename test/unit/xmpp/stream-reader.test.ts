/**
 * The stream reads the same wherever it is cut into chunks (main/xmpp/stream-reader.ts): UTF-8
 * characters are decoded across chunks. The same against a server whose TCP and TLS chunks end at
 * chosen bytes: test/integration/chunk-boundaries.test.ts.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ChunkSafeClient } from '../../../main/xmpp/stream-reader.js';

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
