/**
 * A man in the middle for XMPP's STARTTLS (RFC 6120 §5), for the channel-binding tests: it relays the
 * plain stream to a real server until the server's <proceed/>, then ends TLS with the client itself,
 * with a certificate for the server's name from a CA the client trusts (the mis-issued certificate
 * of a compromised or careless CA), and opens its own TLS connection to the server. From then on it
 * reads everything in clear and relays it, optionally rewriting what the server says (stripping -PLUS
 * from the offer, say). What the client sent, decrypted, is kept for the test.
 */
import { createServer, connect, type Socket } from 'node:net';
import { readFile } from 'node:fs/promises';
import { connect as tlsConnect, TLSSocket } from 'node:tls';
import type { TestPki } from './test-pki.js';

export interface StarttlsMitmOptions {
  /** The real server. */
  target: { host: string; port: number; caFile: string };
  domain: string;
  /** The attacker's certificate and key for `domain` (its CA is one the client trusts). */
  pki: TestPki;
  /** Rewrites what the server sends after TLS, before the client sees it. */
  rewrite?: (fromServer: string) => string;
}

export interface StarttlsMitm {
  host: '127.0.0.1';
  port: number;
  /** What clients sent after STARTTLS, in clear, per connection. */
  clientSent(): string[];
  close(): Promise<void>;
}

export async function startStarttlsMitm(options: StarttlsMitmOptions): Promise<StarttlsMitm> {
  const [key, cert, targetCa] = await Promise.all([readFile(options.pki.keyFile), readFile(options.pki.certFile), readFile(options.target.caFile)]);
  const sockets = new Set<Socket>();
  const sent: string[] = [];
  const track = <S extends Socket>(socket: S): S => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    return socket;
  };

  const server = createServer((client) => {
    track(client);
    const upstream = track(connect(options.target.port, options.target.host));
    const index = sent.push('') - 1;
    const toServer = (data: Buffer): void => void upstream.write(data);
    let fromServer = '';
    const toClient = (data: Buffer): void => {
      fromServer += data.toString('utf8');
      const proceed = fromServer.indexOf('<proceed');
      if (proceed < 0) {
        client.write(data);
        return;
      }
      // The server agreed to TLS: both legs switch, the attacker in the middle of each.
      client.off('data', toServer);
      upstream.off('data', toClient);
      client.write(data);
      const clientLeg = track(new TLSSocket(client, { isServer: true, key, cert }));
      const serverLeg = track(tlsConnect({ socket: upstream, servername: options.domain, ca: [targetCa.toString()] }));
      const early: Buffer[] = [];
      let ready = false;
      serverLeg.once('secureConnect', () => {
        ready = true;
        for (const chunk of early.splice(0)) serverLeg.write(chunk);
      });
      clientLeg.on('data', (chunk: Buffer) => {
        sent[index] += chunk.toString('utf8');
        if (ready) serverLeg.write(chunk);
        else early.push(chunk);
      });
      serverLeg.on('data', (chunk: Buffer) => {
        clientLeg.write(options.rewrite ? options.rewrite(chunk.toString('utf8')) : chunk);
      });
      const end = (): void => {
        clientLeg.destroy();
        serverLeg.destroy();
      };
      clientLeg.on('close', end);
      serverLeg.on('close', end);
    };
    client.on('data', toServer);
    upstream.on('data', toClient);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  return {
    host: '127.0.0.1',
    port: typeof address === 'object' && address ? address.port : 0,
    clientSent: () => [...sent],
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
