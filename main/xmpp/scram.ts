/**
 * The client side of SCRAM (RFC 5802), with SHA-1, SHA-256 (RFC 7677) and SHA-512
 * (draft-melnikov-scram-sha-512, the same construction with SHA-512), with or without channel binding.
 *
 * Unlike xmpp.js's SCRAM-SHA-1 it replaced:
 * - Hi() is Node's crypto.pbkdf2 (RFC 5802 §2.2: Hi is PBKDF2 with HMAC-H and one output block), which
 *   runs in Node's thread pool: 10,000 iterations cost a few ms there, none on the main thread, where
 *   10,000 awaited WebCrypto HMACs cost 0.4–0.5 s.
 * - the server must prove it knows the password: its signature in the server-final-message (v=) is
 *   checked (§3, §5.1 v), and a login whose server never sent it is refused (§9: "the client MUST verify
 *   the ServerSignature"). Without it a server, or anyone holding a certificate for it, that does not
 *   know the password could still "accept" us.
 * - what the server sends is checked before any work is done for it: the nonce must extend ours,
 *   the salt must be base64, the iteration count between MIN_ITERATIONS and MAX_ITERATIONS.
 * - the password is prepared with SASLprep (§2.2 Normalize) the way the servers prepared it.
 */
import { createHash, createHmac, pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { KeyringError } from '../errors.js';
import { saslprep, SaslprepError } from './saslprep.js';

const pbkdf2Async = promisify(pbkdf2);

export type ScramHash = 'SHA-1' | 'SHA-256' | 'SHA-512';

/** Node's name for each hash, and its output length (Hi's dkLen, RFC 5802 §2.2). */
const HASHES: Record<ScramHash, { node: string; bytes: number }> = {
  'SHA-1': { node: 'sha1', bytes: 20 },
  'SHA-256': { node: 'sha256', bytes: 32 },
  'SHA-512': { node: 'sha512', bytes: 64 },
};

/**
 * RFC 7677 §4 asks for at least 4096 iterations (the count RFC 5802 §5.1's example uses); fewer make
 * our proof cheap to attack offline for whoever sees it, so a server asking for fewer is refused.
 */
export const MIN_ITERATIONS = 4096;
/**
 * The upper bound, the same as for PKCS#12 imports (main/keys): 100 times Prosody's default (10,000),
 * 244 times ejabberd's (4096). At the bound a sign-in costs 0.4 s (SHA-1) to 1 s (SHA-512) of a
 * thread-pool thread on the 2-core test machine; ten times more would let a hostile server make every
 * reconnect cost up to 10 s of CPU.
 */
export const MAX_ITERATIONS = 1_000_000;

/** How this exchange relates to channel binding: RFC 5802 §5.1 gs2-cbind-flag. */
export type ScramBinding =
  /** "n": the client does not support channel binding. */
  | { flag: 'n' }
  /** "y": the client supports it but thinks the server does not (it listed no -PLUS mechanism). */
  | { flag: 'y' }
  /** "p": bound to this connection; `data` is the channel's binding data of `type` (RFC 5929, RFC 9266). */
  | { flag: 'p'; type: string; data: Buffer };

export interface ScramClientOptions {
  hash: ScramHash;
  username: string;
  password: string;
  binding: ScramBinding;
  /** The client nonce; random (24 bytes, base64) unless a test gives the one from an RFC example. */
  nonce?: string;
}

/** RFC 5802 §5.1: printable ASCII except ','. */
const PRINTABLE = /^[\x21-\x2B\x2D-\x7E]+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * One SCRAM exchange: clientFirst(), then clientFinal(server-first-message), then
 * verifyServerFinal(server-final-message). Messages are strings of Unicode text (UTF-8 on the wire).
 */
export class ScramClient {
  readonly #hash: ScramHash;
  readonly #username: string;
  readonly #password: string;
  readonly #binding: ScramBinding;
  readonly #nonce: string;
  #clientFirstBare: string | undefined;
  #expectedServerSignature: Buffer | undefined;
  #verified = false;

  constructor(options: ScramClientOptions) {
    this.#hash = options.hash;
    this.#username = options.username;
    this.#password = options.password;
    this.#binding = options.binding;
    this.#nonce = options.nonce ?? randomBytes(24).toString('base64');
    if (!PRINTABLE.test(this.#nonce)) throw new Error('a SCRAM nonce is printable ASCII without commas');
  }

  /** True once the server's signature was checked and matched. */
  get serverVerified(): boolean {
    return this.#verified;
  }

  /** RFC 5802 §7 client-first-message: gs2-header, then n=<user>,r=<client nonce>. */
  clientFirst(): string {
    // §5.1 n: the user name is prepared with SASLprep as a query string; one it refuses is sent as typed
    // (the server prepares it again and decides). ',' and '=' are escaped as =2C and =3D.
    let name: string;
    try {
      name = saslprep(this.#username);
    } catch {
      name = this.#username;
    }
    this.#clientFirstBare = `n=${name.replace(/=/g, '=3D').replace(/,/g, '=2C')},r=${this.#nonce}`;
    return this.#gs2Header() + this.#clientFirstBare;
  }

  /**
   * RFC 5802 §3 and §7: checks the server-first-message and answers it with client-final-message, which
   * carries ClientProof; remembers the ServerSignature the server must then send.
   */
  async clientFinal(serverFirst: string): Promise<string> {
    if (this.#clientFirstBare === undefined) throw new Error('clientFirst() comes first');
    if (this.#expectedServerSignature !== undefined) throw scramProtocolError('The server started the login exchange over.');
    const { nonce, salt, iterations } = parseServerFirst(serverFirst, this.#nonce);

    const password = preparePassword(this.#password);
    const { node, bytes } = HASHES[this.#hash];
    // §2.2 Hi(str, salt, i) is PBKDF2 (RFC 2898) with HMAC-H and dkLen = H's output length.
    const saltedPassword = await pbkdf2Async(Buffer.from(password, 'utf8'), salt, iterations, bytes, node);
    const hmac = (key: Buffer, text: string | Buffer): Buffer => createHmac(node, key).update(text).digest();
    const clientKey = hmac(saltedPassword, 'Client Key');
    const storedKey = createHash(node).update(clientKey).digest();
    // §7 channel-binding: c= is base64 of the gs2-header, followed for "p" by the binding data.
    const cbindInput = Buffer.concat([
      Buffer.from(this.#gs2Header(), 'utf8'),
      this.#binding.flag === 'p' ? this.#binding.data : Buffer.alloc(0),
    ]);
    const clientFinalWithoutProof = `c=${cbindInput.toString('base64')},r=${nonce}`;
    const authMessage = `${this.#clientFirstBare},${serverFirst},${clientFinalWithoutProof}`;
    const clientSignature = hmac(storedKey, authMessage);
    const clientProof = Buffer.alloc(clientKey.length);
    for (let i = 0; i < clientKey.length; i++) clientProof[i] = (clientKey[i] ?? 0) ^ (clientSignature[i] ?? 0);
    this.#expectedServerSignature = hmac(hmac(saltedPassword, 'Server Key'), authMessage);
    return `${clientFinalWithoutProof},p=${clientProof.toString('base64')}`;
  }

  /**
   * RFC 5802 §7 server-final-message: "v=" ServerSignature, or "e=" an error. Throws unless the server
   * proved that it knows the password (or what it stored for it).
   */
  verifyServerFinal(serverFinal: string): void {
    const expected = this.#expectedServerSignature;
    if (expected === undefined) throw noServerProof();
    const [first = ''] = serverFinal.split(',');
    if (first.startsWith('e=')) {
      // §7 server-error-value, e.g. "invalid-proof" or "channel-bindings-dont-match". Only its safe part is shown.
      const reason = first.slice(2).replace(/[^a-z0-9-]/gi, '').slice(0, 60) || 'no reason given';
      throw new KeyringError('auth-failed', `The server refused the login (${reason}).`);
    }
    if (!first.startsWith('v=')) throw noServerProof();
    const signature = first.slice(2);
    if (!BASE64.test(signature)) throw noServerProof();
    const received = Buffer.from(signature, 'base64');
    if (received.length !== expected.length || !timingSafeEqual(received, expected)) throw noServerProof();
    this.#verified = true;
  }

  /** §7 gs2-header: the channel binding flag, no authzid (we log in as ourselves). */
  #gs2Header(): string {
    return this.#binding.flag === 'p' ? `p=${this.#binding.type},,` : `${this.#binding.flag},,`;
  }
}

/** RFC 5802 §7 server-first-message = [reserved-mext ","] nonce "," salt "," iteration-count ["," extensions]. */
function parseServerFirst(message: string, clientNonce: string): { nonce: string; salt: Buffer; iterations: number } {
  const attributes = message.split(',');
  // §5.1 m: reserved for future extensions; "its presence … MUST cause authentication failure".
  if (attributes[0]?.startsWith('m=')) {
    throw scramProtocolError('The server asked for a SCRAM extension this app does not know.');
  }
  const [r, s, i] = attributes;
  if (!r?.startsWith('r=') || !s?.startsWith('s=') || !i?.startsWith('i=')) {
    throw scramProtocolError('The server sent a malformed login challenge.');
  }
  const nonce = r.slice(2);
  // §5.1 r: the server's nonce is ours with its own appended; anything else is not an answer to us (a
  // replay, or another client's exchange).
  if (!PRINTABLE.test(nonce) || !nonce.startsWith(clientNonce) || nonce.length === clientNonce.length) {
    throw scramProtocolError('The server did not answer this login (its nonce does not continue ours).');
  }
  const saltText = s.slice(2);
  if (saltText.length === 0 || !BASE64.test(saltText)) {
    throw scramProtocolError('The server sent a login salt that is not base64.');
  }
  const countText = i.slice(2);
  const iterations = /^[1-9][0-9]{0,9}$/.test(countText) ? Number(countText) : Number.NaN;
  if (!Number.isSafeInteger(iterations)) throw scramProtocolError('The server sent an unreadable iteration count.');
  if (iterations < MIN_ITERATIONS) {
    throw new KeyringError(
      'auth-failed',
      `The server asks for only ${iterations} rounds of password hashing (the app needs at least ${MIN_ITERATIONS}), so the app did not answer: a login proof that cheap would help anyone who sees it guess the password.`,
      SERVER_AT_FAULT,
    );
  }
  if (iterations > MAX_ITERATIONS) {
    throw new KeyringError(
      'auth-failed',
      `The server asks for ${iterations} rounds of password hashing; the app does at most ${MAX_ITERATIONS}, so it did not sign in.`,
      SERVER_AT_FAULT,
    );
  }
  return { nonce, salt: Buffer.from(saltText, 'base64'), iterations };
}

function preparePassword(password: string): string {
  let prepared: string;
  try {
    prepared = saslprep(password);
  } catch (error) {
    const why = error instanceof SaslprepError ? error.message : 'it cannot be prepared';
    throw new KeyringError('auth-failed', `The password cannot be used to sign in: ${why}.`);
  }
  if (prepared.length === 0) throw new KeyringError('auth-failed', 'The password is empty.');
  return prepared;
}

function scramProtocolError(message: string): KeyringError {
  return new KeyringError('protocol-error', message);
}

/** Field 'server': the server failed, not the address or password the user typed (the screens word it so). */
export const SERVER_AT_FAULT = 'server';

function noServerProof(): KeyringError {
  return new KeyringError(
    'auth-failed',
    'The server could not prove it knows your password, so the app stopped before going online. Someone may be impersonating the server.',
    SERVER_AT_FAULT,
  );
}
