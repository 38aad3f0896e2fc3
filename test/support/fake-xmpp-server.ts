/**
 * A hostile (or just broken) XMPP server for attacks no real server makes: a plain TCP listener on
 * loopback that speaks just enough RFC 6120 to lead a client on. Each stream phase (plain, after
 * STARTTLS, after SASL) offers the features the test chooses; STARTTLS (with the test CA's
 * certificate), SASL PLAIN (RFC 6120 §6 and XEP-0388), SCRAM (fake-scram.ts, honest or not) and resource
 * binding work when offered; every other stanza goes to the test's `answer`. It records every byte each
 * client sent, TLS decrypted, so a test can assert what the client did and did not say. It can cut what
 * it writes at chosen bytes, so a test decides where the client's chunks end (`splitWrites`).
 */
import { createServer, type Server, type Socket } from 'node:net';
import { readFile } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { setTimeout as sleep } from 'node:timers/promises';
import { TLSSocket } from 'node:tls';
import { Parser, type Element } from '@xmpp/xml';
import { FakeScramExchange, type FakeScramOptions, type ScramTranscript } from './fake-scram.js';
import type { TestPki } from './test-pki.js';

const NS_TLS = 'urn:ietf:params:xml:ns:xmpp-tls';
export const NS_SASL = 'urn:ietf:params:xml:ns:xmpp-sasl';
export const NS_SASL2 = 'urn:xmpp:sasl:2';
const NS_BIND = 'urn:ietf:params:xml:ns:xmpp-bind';

/** The stream's phase: before STARTTLS, encrypted before login, logged in. */
export type FakePhase = 'plain' | 'tls' | 'authenticated';

/** The pause between the pieces of a split write: the client has read one piece before the next is sent. */
const SPLIT_PAUSE_MS = 15;

/** Stream features, as XML, offered in each phase. */
export const FEATURES = {
  starttls: `<starttls xmlns='${NS_TLS}'><required/></starttls>`,
  plain: `<mechanisms xmlns='${NS_SASL}'><mechanism>PLAIN</mechanism></mechanisms>`,
  sasl2Plain: `<authentication xmlns='${NS_SASL2}'><mechanism>PLAIN</mechanism></authentication>`,
  bind: `<bind xmlns='${NS_BIND}'/>`,
} as const;

/** A SASL (RFC 6120 §6.4.1) or, with NS_SASL2, a SASL2 (XEP-0388) offer of these mechanisms. */
export function saslOffer(names: readonly string[], ns: string = NS_SASL): string {
  const element = ns === NS_SASL2 ? 'authentication' : 'mechanisms';
  return `<${element} xmlns='${ns}'>${names.map((n) => `<mechanism>${n}</mechanism>`).join('')}</${element}>`;
}

export interface FakeXmppServerOptions {
  domain: string;
  /** Certificate and key for STARTTLS (from makeTestPki); needed when `<starttls/>` is to proceed. */
  pki?: TestPki;
  /** Features on the plain stream. */
  plainFeatures: string;
  /**
   * Before STARTTLS, in place of the features: `start` (say `<stream:features>`), then `chunk` again and
   * again, never closed, until `bytes` are sent or the client leaves (a man in the middle flooding the
   * plain stream). Each chunk waits until the socket took the one before.
   */
  flood?: { start: string; chunk: string; bytes: number };
  /** The answer to `<starttls/>`. */
  starttls?: 'proceed' | 'failure';
  /** Features on the encrypted stream, before login (a function: read at each stream, so a test can change them). */
  tlsFeatures?: string | (() => string);
  /** Features after a successful login. */
  authenticatedFeatures?: string;
  /** Sent right after the features of the encrypted stream, before any login (unsolicited stanzas). */
  beforeLogin?: string;
  /** SASL PLAIN succeeds only with this password. */
  password?: string;
  /** SCRAM-* mechanisms (offered in `tlsFeatures`) are answered by fake-scram.ts with these options. */
  scram?: FakeScramOptions;
  /** Sent right after a successful login's <success/>, in the same write (stanzas nobody asked for). */
  afterSuccess?: string;
  /** The highest TLS version the server accepts (Node's default: TLS 1.3). */
  maxTlsVersion?: 'TLSv1.2';
  /** Answers any other stanza; returns the XML to send back. */
  answer?: (stanza: Element, session: FakeSession) => string | string[] | undefined;
  /**
   * Where to cut a write: byte offsets into its UTF-8 encoding (none: written whole). The pieces go out
   * in order with a pause between them, so the client reads each as a chunk of its own; inside TLS each
   * piece is a TLS record of its own.
   */
  splitWrites?: (xml: string, phase: FakePhase) => readonly number[];
}

export interface FakeSession {
  /** The client's full JID once bound. */
  jid: string | undefined;
  send(xml: string): void;
}

export interface FakeXmppServer {
  host: '127.0.0.1';
  port: number;
  /** Everything clients sent, in order, TLS decrypted; one entry per connection. */
  received(): string[];
  /** Connections made so far. */
  connections(): number;
  /** Every SCRAM exchange a client started, decoded, in order. */
  scramTranscripts(): ScramTranscript[];
  /** Sends `xml` to every bound session (for unsolicited stanzas). */
  broadcast(xml: string): void;
  close(): Promise<void>;
}

export async function startFakeXmppServer(options: FakeXmppServerOptions): Promise<FakeXmppServer> {
  const tlsFeaturesNow = (): string => (typeof options.tlsFeatures === 'function' ? options.tlsFeatures() : (options.tlsFeatures ?? ''));
  const tls = options.pki
    ? { key: await readFile(options.pki.keyFile), cert: await readFile(options.pki.certFile) }
    : undefined;
  const transcripts: string[] = [];
  const scramTranscripts: ScramTranscript[] = [];
  const sockets = new Set<Socket>();
  const sessions = new Set<FakeSession>();

  const server: Server = createServer((raw) => {
    const index = transcripts.push('') - 1;
    sockets.add(raw);
    raw.on('close', () => sockets.delete(raw));
    raw.on('error', () => undefined);
    let socket: Socket = raw;
    let phase: FakePhase = 'plain';
    let parser = newParser();
    let streamId = 0;
    // Writes and what must follow them (ending the socket, starting TLS) run in order, even while a
    // split write is pausing between its pieces.
    let outgoing = Promise.resolve();
    const inOrder = (step: () => void | Promise<void>): void => {
      outgoing = outgoing.then(step).catch(() => void socket.destroy());
    };
    const end = (): void => inOrder(() => void socket.end());
    const session: FakeSession = {
      jid: undefined,
      send: (xml) => {
        const target = socket;
        const bytes = Buffer.from(xml, 'utf8');
        const cuts = [0, ...(options.splitWrites?.(xml, phase) ?? []), bytes.length];
        inOrder(async () => {
          for (let i = 1; i < cuts.length; i++) {
            if (i > 1) await sleep(SPLIT_PAUSE_MS);
            if (!target.destroyed) target.write(bytes.subarray(cuts[i - 1], cuts[i]));
          }
        });
      },
    };

    // The client's writes can be cut anywhere too: characters are decoded across chunks.
    let decoder = new StringDecoder('utf8');
    const onData = (data: Buffer): void => {
      const text = decoder.write(data);
      transcripts[index] += text;
      try {
        parser.write(text);
      } catch {
        // Not XML the current stream can take (say, the close of a stream the client never restarted).
        socket.destroy();
      }
    };
    raw.on('data', onData);

    function newParser(): Parser {
      const p = new Parser();
      p.on('start', () => openStream());
      p.on('element', (element: Element) => void onElement(element));
      p.on('end', () => {
        session.send('</stream:stream>');
        end();
      });
      p.on('error', () => socket.destroy());
      return p;
    }

    function openStream(): void {
      const header =
        `<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' ` +
        `from='${options.domain}' id='fake-${index}-${streamId++}' version='1.0'>`;
      if (phase === 'plain' && options.flood) return flood(header, options.flood);
      const features =
        phase === 'plain' ? options.plainFeatures : phase === 'tls' ? tlsFeaturesNow() : (options.authenticatedFeatures ?? FEATURES.bind);
      session.send(header + `<stream:features>${features}</stream:features>` + (phase === 'tls' ? (options.beforeLogin ?? '') : ''));
    }

    function flood(header: string, { start, chunk, bytes }: NonNullable<FakeXmppServerOptions['flood']>): void {
      session.send(header + start);
      inOrder(async () => {
        const piece = Buffer.from(chunk, 'utf8');
        for (let sent = 0; sent < bytes && !socket.destroyed && socket.writable; sent += piece.length) {
          if (socket.write(piece)) continue;
          // Wait until the client read what is queued, or left.
          await new Promise<void>((resolve) => {
            const done = (): void => {
              socket.off('drain', done);
              socket.off('close', done);
              resolve();
            };
            socket.on('drain', done);
            socket.on('close', done);
          });
        }
      });
    }

    function onElement(element: Element): void {
      if (element.is('starttls', NS_TLS)) return startTls();
      if (element.is('auth', NS_SASL)) return startLogin(element.attrs.mechanism ?? '', element.text(), 'sasl');
      if (element.is('authenticate', NS_SASL2)) {
        return startLogin(element.attrs.mechanism ?? '', element.getChildText('initial-response') ?? '', 'sasl2');
      }
      if (element.is('response', NS_SASL)) return scramResponse(element.text(), 'sasl');
      if (element.is('response', NS_SASL2)) return scramResponse(element.text(), 'sasl2');
      if (element.name === 'iq' && element.attrs.type === 'set' && element.getChild('bind', NS_BIND)) {
        const resource = element.getChild('bind', NS_BIND)?.getChildText('resource') ?? 'fake';
        session.jid = `${user}@${options.domain}/${resource}`;
        sessions.add(session);
        return session.send(
          `<iq type='result' id='${element.attrs.id}'><bind xmlns='${NS_BIND}'><jid>${session.jid}</jid></bind></iq>`,
        );
      }
      if (element.name === 'iq' || element.name === 'presence' || element.name === 'message') {
        const reply = options.answer?.(element, session);
        for (const xml of [reply ?? []].flat()) session.send(xml);
      }
    }

    let user = 'nobody';
    let scram: FakeScramExchange | undefined;
    let scramStep: 'first' | 'final' | 'acknowledge' = 'first';
    const decode = (base64: string): string => (base64.trim() === '=' ? '' : Buffer.from(base64, 'base64').toString('utf8'));
    const encode = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

    function startLogin(mechanism: string, base64: string, profile: 'sasl' | 'sasl2'): void {
      if (!mechanism.startsWith('SCRAM-') || !options.scram) return login(base64, profile);
      if (!(socket instanceof TLSSocket)) throw new Error('fake SCRAM: only after STARTTLS');
      scram = new FakeScramExchange(mechanism, options.scram, socket);
      scramTranscripts.push(scram.transcript);
      const first = scram.first(decode(base64));
      if ('error' in first) return fail(profile, first.error);
      scramStep = 'final';
      user = /n=([^,]*)/.exec(scram.transcript.clientFirst)?.[1] ?? 'nobody';
      session.send(`<challenge xmlns='${profile === 'sasl' ? NS_SASL : NS_SASL2}'>${encode(first.reply)}</challenge>`);
      if (options.scram.successBeforeProof) succeed(profile);
    }

    function scramResponse(base64: string, profile: 'sasl' | 'sasl2'): void {
      const ns = profile === 'sasl' ? NS_SASL : NS_SASL2;
      if (!scram) return fail(profile, 'malformed-request');
      if (scramStep === 'acknowledge') return succeed(profile); // the empty answer to the server-final challenge
      const final = scram.final(decode(base64));
      if ('error' in final) return fail(profile, final.error);
      const where = options.scram?.serverFinal ?? 'in-success';
      if (where === 'as-challenge') {
        scramStep = 'acknowledge';
        session.send(`<challenge xmlns='${ns}'>${encode(final.reply)}</challenge>`);
        return;
      }
      succeed(profile, where === 'in-success' ? final.reply : undefined);
    }

    function fail(profile: 'sasl' | 'sasl2', reason: string): void {
      session.send(`<failure xmlns='${profile === 'sasl' ? NS_SASL : NS_SASL2}'><not-authorized xmlns='${NS_SASL}'/><text>${reason}</text></failure>`);
    }

    function login(base64: string, profile: 'sasl' | 'sasl2'): void {
      // RFC 4616: authzid NUL authcid NUL passwd.
      const [, authcid = '', password = ''] = Buffer.from(base64, 'base64').toString('utf8').split('\0');
      const ns = profile === 'sasl' ? NS_SASL : NS_SASL2;
      if (options.password === undefined || password !== options.password) {
        session.send(`<failure xmlns='${ns}'><not-authorized/></failure>`);
        return;
      }
      user = authcid;
      succeed(profile);
    }

    /** RFC 6120 §6.4.6 / XEP-0388 §2.6, with the additional data (base64) when there is some. */
    function succeed(profile: 'sasl' | 'sasl2', data?: string): void {
      const ns = profile === 'sasl' ? NS_SASL : NS_SASL2;
      phase = 'authenticated';
      const after = options.afterSuccess ?? '';
      if (profile === 'sasl') {
        // RFC 6120 §6.4.6: the client restarts the stream.
        parser = newParser();
        session.send(`<success xmlns='${ns}'>${data === undefined ? '' : encode(data)}</success>${after}`);
        return;
      }
      // XEP-0388: no restart; the post-login features follow the success.
      session.send(
        `<success xmlns='${ns}'>${data === undefined ? '' : `<additional-data>${encode(data)}</additional-data>`}` +
          `<authorization-identifier>${user}@${options.domain}</authorization-identifier></success>${after}` +
          `<stream:features>${options.authenticatedFeatures ?? FEATURES.bind}</stream:features>`,
      );
    }

    function startTls(): void {
      if (options.starttls !== 'proceed' || !tls) {
        session.send(`<failure xmlns='${NS_TLS}'/></stream:stream>`);
        end();
        return;
      }
      session.send(`<proceed xmlns='${NS_TLS}'/>`);
      // TLS starts once <proceed/> is on the wire, and before anything else can be written.
      inOrder(() => {
        raw.off('data', onData);
        const secure = new TLSSocket(raw, {
          isServer: true,
          key: tls.key,
          cert: tls.cert,
          ...(options.maxTlsVersion ? { maxVersion: options.maxTlsVersion } : {}),
        });
        secure.on('error', () => raw.destroy());
        secure.on('data', onData);
        socket = secure;
        decoder = new StringDecoder('utf8');
        phase = 'tls';
        parser = newParser();
      });
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    host: '127.0.0.1',
    port,
    received: () => [...transcripts],
    connections: () => transcripts.length,
    scramTranscripts: () => [...scramTranscripts],
    broadcast: (xml) => {
      for (const s of sessions) s.send(xml);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * A server that signs in with SCRAM after STARTTLS, offering exactly `mechanisms` (the login pins'
 * tests: one offer with a -PLUS mechanism, one without, one of PLAIN alone). `password` is the
 * account's. `offer` changes what the next stream offers (the connection already signed in is left alone).
 */
export async function startScramServer(options: {
  domain: string;
  pki: TestPki;
  password: string;
  mechanisms: readonly string[];
}): Promise<FakeXmppServer & { offer(mechanisms: readonly string[]): void }> {
  const { domain, pki, password } = options;
  let mechanisms = options.mechanisms;
  const server = await startFakeXmppServer({
    domain,
    pki,
    password,
    plainFeatures: FEATURES.starttls,
    starttls: 'proceed',
    tlsFeatures: () => saslOffer(mechanisms),
    scram: { password },
  });
  return {
    ...server,
    offer: (next) => {
      mechanisms = next;
    },
  };
}
