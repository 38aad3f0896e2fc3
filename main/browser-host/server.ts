/**
 * The browser host: serves the built renderer to a local browser and carries the IPC contract over a
 * WebSocket to the same dispatcher the Electron window uses.
 *
 * It is a local server holding an XMPP session, so it is locked down like one:
 * - bound to 127.0.0.1 only;
 * - every HTTP request and WebSocket upgrade must name this host in `Host` (127.0.0.1 or localhost with
 *   our port), which defeats DNS rebinding;
 * - the WebSocket also requires our own `Origin` (no other site can drive it) and the per-run random
 *   token, sent as a subprotocol so it never appears in a URL the server logs;
 * - any local process can connect without the token, so nothing a peer does to a connection (reset it,
 *   half-close it, send garbage) may throw: every socket, request and response has an 'error' listener
 *   from the moment it exists. An unhandled 'error' event would end the process, and the XMPP session
 *   with it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { MAX_REQUEST_BYTES } from '../../contract/limits.js';
import { WIRE_PATH, WIRE_PROTOCOL, WIRE_TOKEN_PREFIX, type WireMessage } from '../../contract/wire.js';
import type { KeyringCore } from '../core.js';
import type { Logger } from '../logger.js';
import { SECURITY_HEADERS } from '../security/csp.js';

export interface BrowserHostOptions {
  core: KeyringCore;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  log: Logger;
  /** 0 (default) picks a free port. */
  port?: number;
}

export interface BrowserHost {
  port: number;
  token: string;
  /** Open this in a browser: the token travels in the fragment, which is never sent to a server. */
  url: string;
  close(): Promise<void>;
}

/** How long a refused client may keep its half of the connection open after our 403 before we cut it. */
const REFUSED_SOCKET_LINGER_MS = 2_000;
/**
 * A connection that is not the page's WebSocket and sends nothing for this long is closed (the browser
 * opens another when it needs one). Without it, any local process could open connections that never send
 * a byte and keep them for ever, until the process ran out of file descriptors, and the vault's writes
 * and the XMPP connection with it.
 */
const IDLE_CONNECTION_MS = 10_000;
/** Connections at once: the page needs a few (its files, one WebSocket); more are closed as they come. */
const MAX_CONNECTIONS = 256;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

export async function startBrowserHost(options: BrowserHostOptions): Promise<BrowserHost> {
  const token = randomBytes(32).toString('base64url');
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_REQUEST_BYTES });
  const server = createServer((req, res) => {
    req.on('error', (error) => logSocketError(options.log, 'request', error));
    res.on('error', (error) => logSocketError(options.log, 'response', error));
    void serveStatic(req, res, options.rendererDir, allowed).catch((error: unknown) => {
      options.log.error('browser host: static file failed', error);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });

  // With no 'timeout' listener, Node destroys a socket idle this long; ws clears the timeout of the
  // sockets it takes over, so the page's WebSocket may stay quiet as long as it likes.
  server.setTimeout(IDLE_CONNECTION_MS);
  server.headersTimeout = IDLE_CONNECTION_MS;
  server.maxConnections = MAX_CONNECTIONS;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('browser host: no TCP address');
  const port = address.port;
  const allowed = {
    hosts: new Set([`127.0.0.1:${port}`, `localhost:${port}`]),
    origins: new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]),
  };

  // Node's HTTP server drops its own 'error' listener from a socket it hands to 'upgrade', so a refused
  // client that resets the connection after our 403 raised an unhandled ECONNRESET. This listener is
  // added when the connection is accepted and stays for the socket's whole life, whatever happens to it.
  server.on('connection', (socket: Socket) => {
    socket.on('error', (error) => logSocketError(options.log, 'connection', error));
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refusal = checkUpgrade(req, allowed, token);
    if (refusal) {
      options.log.warn(`browser host: refused WebSocket (${refusal})`);
      socket.end(`HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${refusal}\n`);
      // A client that never closes its side would otherwise hold the socket (and a descriptor) for ever.
      const linger = setTimeout(() => socket.destroy(), REFUSED_SOCKET_LINGER_MS);
      socket.once('close', () => clearTimeout(linger));
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => attachClient(ws, options));
  });

  return {
    port,
    token,
    url: `http://127.0.0.1:${port}/#token=${token}`,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

interface Allowed {
  hosts: Set<string>;
  origins: Set<string>;
}

/** Returns why an upgrade is refused, or undefined when it may proceed. */
function checkUpgrade(req: IncomingMessage, allowed: Allowed, token: string): string | undefined {
  if (pathOf(req.url) !== WIRE_PATH) return 'unknown path';
  if (!allowed.hosts.has(req.headers.host ?? '')) return 'foreign Host';
  if (!allowed.origins.has(req.headers.origin ?? '')) return 'foreign Origin';
  const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  if (!offered.includes(WIRE_PROTOCOL)) return 'unsupported protocol version';
  const presented = offered.find((p) => p.startsWith(WIRE_TOKEN_PREFIX))?.slice(WIRE_TOKEN_PREFIX.length) ?? '';
  if (!sameSecret(presented, token)) return 'bad token';
  return undefined;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function attachClient(ws: WebSocket, options: BrowserHostOptions): void {
  const send = (message: WireMessage) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  };
  const unsubscribe = options.core.events.subscribe((event, payload) => send({ kind: 'event', event, payload }));
  ws.on('close', unsubscribe);
  ws.on('error', (error) => options.log.warn(`browser host: socket error ${error.message}`));
  ws.on('message', (data, isBinary) => {
    void handleMessage(!isBinary && Buffer.isBuffer(data) ? data.toString('utf8') : undefined, options)
      .then((reply) => send(reply))
      .catch((error: unknown) => options.log.error('browser host: request failed', error));
  });
}

/** A peer resetting or dropping its connection is ordinary; anything else is worth a line in the log. */
function logSocketError(log: Logger, where: string, error: Error & { code?: string }): void {
  if (error.code === 'ECONNRESET' || error.code === 'EPIPE' || error.code === 'ECONNABORTED') return;
  log.warn(`browser host: ${where} error ${error.code ?? error.message}`);
}

async function handleMessage(text: string | undefined, options: BrowserHostOptions): Promise<WireMessage> {
  let message: unknown;
  try {
    message = text === undefined ? undefined : JSON.parse(text);
  } catch {
    message = undefined;
  }
  const id = isRecord(message) && Number.isSafeInteger(message.id) ? (message.id as number) : null;
  if (!isRecord(message) || id === null) {
    return {
      kind: 'response',
      id,
      result: { ok: false, error: { code: 'invalid-argument', message: 'Malformed request message' } },
    };
  }
  // The account the tab shows goes with it, checked by the dispatcher (an address, bounded); the frame
  // as a whole is bounded by maxPayload already.
  return { kind: 'response', id, result: await options.core.dispatch(message.channel, message.params, { account: message.account }) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function pathOf(url: string | undefined): string {
  return (url ?? '/').split('?')[0] ?? '/';
}

async function serveStatic(req: IncomingMessage, res: ServerResponse, root: string, allowed: Allowed): Promise<void> {
  if (!allowed.hosts.has(req.headers.host ?? '')) {
    res.writeHead(421, { 'Content-Type': 'text/plain' }).end('Misdirected request\n');
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD' }).end();
    return;
  }
  let path: string;
  try {
    path = decodeURIComponent(pathOf(req.url));
  } catch {
    res.writeHead(400).end();
    return;
  }
  const relative = normalize(path === '/' ? '/index.html' : path).replace(/^([/\\])+/, '');
  const file = join(root, relative);
  if (relative.startsWith('..') || !file.startsWith(root.endsWith(sep) ? root : root + sep)) {
    res.writeHead(404).end();
    return;
  }
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found\n');
    return;
  }
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    'Cache-Control': 'no-store',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
