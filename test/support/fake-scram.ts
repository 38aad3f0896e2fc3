/**
 * The server side of SCRAM (RFC 5802, RFC 7677) for the fake XMPP server (fake-xmpp-server.ts), honest
 * or not: it checks the client's proof and channel binding the way a real server does, and can play a
 * server (or someone posing as it) that does not know the password, or that bends the protocol.
 * Independent of the app's client: only Node's crypto, and what the RFCs say.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { TLSSocket } from 'node:tls';

export interface FakeScramOptions {
  /** The password the server knows (ASCII here, so SASLprep leaves it as is). */
  password: string;
  /** Default 4096. */
  iterations?: number;
  /**
   * 'honest' (default); 'impostor': does not know the password, so it accepts any proof and signs with
   * a key of its own, as a server that only relays a login would.
   */
  role?: 'honest' | 'impostor';
  /** Where the server-final-message goes: in the success (default), as one more challenge, or nowhere. */
  serverFinal?: 'in-success' | 'as-challenge' | 'omitted';
  /** Sends <success/> right behind its first challenge, before the client could answer with a proof. */
  successBeforeProof?: boolean;
  /** Changes the server-first-message before it is sent. */
  tamperServerFirst?: (message: string) => string;
}

/** What a client sent in one exchange, decoded: what the tests assert on. */
export interface ScramTranscript {
  mechanism: string;
  clientFirst: string;
  clientFinal?: string;
}

const HASHES: Record<string, { node: string; bytes: number }> = {
  'SHA-1': { node: 'sha1', bytes: 20 },
  'SHA-256': { node: 'sha256', bytes: 32 },
  'SHA-512': { node: 'sha512', bytes: 64 },
};

export class FakeScramExchange {
  readonly transcript: ScramTranscript;
  readonly #options: FakeScramOptions;
  readonly #hash: { node: string; bytes: number };
  readonly #plus: boolean;
  readonly #socket: TLSSocket;
  #gs2Header = '';
  #clientFirstBare = '';
  #serverFirst = '';
  #nonce = '';

  constructor(mechanism: string, options: FakeScramOptions, socket: TLSSocket) {
    const match = /^SCRAM-(SHA-1|SHA-256|SHA-512)(-PLUS)?$/.exec(mechanism);
    const hash = match?.[1] ? HASHES[match[1]] : undefined;
    if (!hash) throw new Error(`fake SCRAM: unknown mechanism ${mechanism}`);
    this.#hash = hash;
    this.#plus = match?.[2] !== undefined;
    this.#options = options;
    this.#socket = socket;
    this.transcript = { mechanism, clientFirst: '' };
  }

  /** client-first-message → server-first-message, or an error to fail with. */
  first(clientFirst: string): { reply: string } | { error: string } {
    this.transcript.clientFirst = clientFirst;
    // gs2-header: cbind-flag "," [authzid] ","
    const match = /^((?:p=[A-Za-z0-9.-]+|y|n),[^,]*,)(n=[^,]*,r=([^,]+))$/.exec(clientFirst);
    if (!match) return { error: 'malformed-request' };
    this.#gs2Header = match[1] ?? '';
    this.#clientFirstBare = match[2] ?? '';
    const flag = this.#gs2Header.split(',')[0] ?? '';
    // RFC 5802 §6: a -PLUS mechanism needs "p"; "p" needs a -PLUS mechanism.
    if (this.#plus !== flag.startsWith('p=')) return { error: 'malformed-request' };
    this.#nonce = `${match[3] ?? ''}${randomBytes(12).toString('base64')}`;
    const salt = randomBytes(16).toString('base64');
    const serverFirst = `r=${this.#nonce},s=${salt},i=${this.#options.iterations ?? 4096}`;
    this.#serverFirst = this.#options.tamperServerFirst?.(serverFirst) ?? serverFirst;
    return { reply: this.#serverFirst };
  }

  /** client-final-message → server-final-message, or an error ("e=" value) to fail with. */
  final(clientFinal: string): { reply: string } | { error: string } {
    this.transcript.clientFinal = clientFinal;
    const match = /^(c=([^,]*),r=([^,]*)),p=([^,]*)$/.exec(clientFinal);
    if (!match) return { error: 'invalid-encoding' };
    const [, withoutProof = '', c = '', r = '', p = ''] = match;
    if (r !== this.#nonce) return { error: 'invalid-proof' };
    // §7 c=: base64 of the gs2-header, plus the channel binding data for "p".
    const type = this.#gs2Header.startsWith('p=') ? this.#gs2Header.slice(2, this.#gs2Header.indexOf(',')) : undefined;
    const data = type === undefined ? Buffer.alloc(0) : this.#bindingData(type);
    if (data === undefined) return { error: 'unsupported-channel-binding-type' };
    if (!Buffer.from(c, 'base64').equals(Buffer.concat([Buffer.from(this.#gs2Header), data]))) {
      return { error: 'channel-bindings-dont-match' };
    }
    const { node, bytes } = this.#hash;
    const salt = Buffer.from(/s=([^,]+)/.exec(this.#serverFirst)?.[1] ?? '', 'base64');
    const iterations = Number(/i=([^,]+)/.exec(this.#serverFirst)?.[1] ?? 4096);
    const hmac = (key: Buffer, text: string): Buffer => createHmac(node, key).update(text).digest();
    const authMessage = `${this.#clientFirstBare},${this.#serverFirst},${withoutProof}`;
    if (this.#options.role === 'impostor') {
      // Knows nothing: accepts whatever proof came, and "proves" itself with a key of its own.
      return { reply: `v=${hmac(randomBytes(bytes), authMessage).toString('base64')}` };
    }
    const salted = pbkdf2Sync(this.#options.password, salt, iterations, bytes, node);
    const storedKey = createHash(node).update(hmac(salted, 'Client Key')).digest();
    const signature = hmac(storedKey, authMessage);
    const proof = Buffer.from(p, 'base64');
    if (proof.length !== signature.length) return { error: 'invalid-proof' };
    const clientKey = Buffer.from(proof.map((b, i) => b ^ (signature[i] ?? 0)));
    if (!timingSafeEqual(createHash(node).update(clientKey).digest(), storedKey)) return { error: 'invalid-proof' };
    return { reply: `v=${hmac(hmac(salted, 'Server Key'), authMessage).toString('base64')}` };
  }

  /** The server's view of the channel: what an honest server compares the client's data with. */
  #bindingData(type: string): Buffer | undefined {
    switch (type) {
      case 'tls-exporter':
        return this.#socket.exportKeyingMaterial(32, 'EXPORTER-Channel-Binding', Buffer.alloc(0));
      case 'tls-server-end-point': {
        const own = this.#socket.getCertificate();
        // The test PKI signs with SHA-256 (openssl's default), so RFC 5929 §4.1 says SHA-256.
        return own && 'raw' in own ? createHash('sha256').update(own.raw).digest() : undefined;
      }
      case 'tls-unique':
        // The client's Finished message: the first of a full handshake (RFC 5929 §3.1), and on TLS 1.3
        // what ejabberd 23.01 compares, as OpenSSL gives it to the server.
        return this.#socket.getPeerFinished();
      default:
        return undefined;
    }
  }
}
