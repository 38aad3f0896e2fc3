/**
 * Any local process can reach the browser host's port without the token. Whatever such a process does
 * to its connection, the host (and the XMPP session it holds) must stay up: here hundreds of WebSocket
 * upgrades the host refuses, and plain HTTP requests, are each ended by a reset (RST), a destroy or a
 * FIN, at two moments (right after the request is sent, and after the 403 arrives). Then the host must
 * still be running and still serve the page and the good client, and still refuse a missing token. A
 * message over the request-size cap only closes that one WebSocket.
 */
import { readdir } from 'node:fs/promises';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import WebSocket from 'ws';
import { MAX_REQUEST_BYTES } from '../../contract/limits';
import { WIRE_PATH, WIRE_PROTOCOL, WIRE_TOKEN_PREFIX, type WireMessage } from '../../contract/wire';
import { expect, test, type BrowserHostProcess } from './fixtures';

type Ending = 'reset' | 'destroy' | 'fin';
const ENDINGS: Ending[] = ['reset', 'destroy', 'fin'];
const PER_ENDING = 300;
/** Connections in flight at once: enough to overlap, few enough for a busy 2-core machine. */
const BATCH = 25;

/** Upgrade requests the host refuses: each misses one thing the page would send. */
function refusedUpgrades(host: BrowserHostProcess): string[] {
  const hostHeader = `127.0.0.1:${host.port}`;
  const upgrade = (path: string, headers: Record<string, string>): string =>
    [
      `GET ${path} HTTP/1.1`,
      `Host: ${headers.host ?? hostHeader}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
      'Sec-WebSocket-Version: 13',
      ...Object.entries(headers)
        .filter(([name]) => name !== 'host')
        .map(([name, value]) => `${name}: ${value}`),
      '',
      '',
    ].join('\r\n');
  const good = { Origin: host.origin, 'Sec-WebSocket-Protocol': `${WIRE_PROTOCOL}, ${WIRE_TOKEN_PREFIX}${host.token}` };
  return [
    // The allowed path, from our own origin, but without the token.
    upgrade(WIRE_PATH, { Origin: host.origin, 'Sec-WebSocket-Protocol': WIRE_PROTOCOL }),
    upgrade(WIRE_PATH, { ...good, 'Sec-WebSocket-Protocol': `${WIRE_PROTOCOL}, ${WIRE_TOKEN_PREFIX}wrong` }),
    upgrade(WIRE_PATH, { ...good, Origin: 'http://evil.example' }),
    upgrade(WIRE_PATH, { ...good, host: `evil.example:${host.port}` }),
    upgrade('/not-the-wire', good),
  ];
}

/** Sends `text`, then ends the connection the chosen way, either at once or once the host answered. */
function hitAndRun(port: number, text: string, ending: Ending, afterAnswer: boolean): Promise<void> {
  return new Promise((resolve) => {
    const socket: Socket = connect(port, '127.0.0.1');
    const end = (): void => {
      if (ending === 'reset') socket.resetAndDestroy();
      else if (ending === 'destroy') socket.destroy();
      else socket.end();
    };
    socket.on('error', () => resolve()); // the host may cut us first; that is fine
    socket.on('close', () => resolve());
    socket.on('connect', () => {
      socket.write(text);
      if (afterAnswer) socket.once('data', end);
      else setImmediate(end);
    });
    if (ending === 'fin') socket.resume(); // read until the host closes its side too
  });
}

async function inBatches(tasks: (() => Promise<void>)[]): Promise<void> {
  for (let i = 0; i < tasks.length; i += BATCH) await Promise.all(tasks.slice(i, i + BATCH).map((t) => t()));
}

test('the browser host survives hundreds of refused upgrades and requests ended by RST, destroy and FIN', async ({ launchApp }) => {
  test.setTimeout(120_000);
  const host = await launchApp();
  const upgrades = refusedUpgrades(host);
  const plainGet = `GET / HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\n\r\n`;

  for (const ending of ENDINGS) {
    const tasks = Array.from({ length: PER_ENDING }, (_, i) => () =>
      hitAndRun(host.port, upgrades[i % upgrades.length] ?? plainGet, ending, i % 2 === 1),
    );
    // Plain HTTP requests too (the page, and a path that does not exist), ended the same ways.
    tasks.push(...Array.from({ length: 30 }, (_, i) => () => hitAndRun(host.port, plainGet, ending, i % 2 === 1)));
    await inBatches(tasks);
    expect(host.child.exitCode, `the host died after connections ended by ${ending}:\n${host.output().slice(-2000)}`).toBeNull();
  }

  // Still serving: the page, the good client, and still refusing a missing token.
  expect(await httpStatus(host.port)).toBe(200);
  const ws = await openWire(host);
  try {
    ws.send(JSON.stringify({ id: 1, channel: 'app:getInfo' }));
    expect(await nextResponse(ws)).toMatchObject({ kind: 'response', id: 1, result: { ok: true, value: { host: 'browser' } } });
  } finally {
    ws.close();
  }
  expect(await upgradeStatusWithoutToken(host)).toBe(403);
  expect(host.child.exitCode).toBeNull();
});

test('a refused client that never closes its side is cut off, so idle sockets cannot pile up', async ({ launchApp }) => {
  const host = await launchApp();
  const [noToken = ''] = refusedUpgrades(host);
  const pid = host.child.pid ?? 0;
  const openDescriptors = async (): Promise<number> => (await readdir(`/proc/${pid}/fd`)).length;
  const before = await openDescriptors();

  // Half-open clients: they read the 403 and the host's FIN, and never send their own.
  const clients: Socket[] = [];
  await Promise.all(
    Array.from({ length: 50 }, () =>
      new Promise<void>((resolve) => {
        const socket = connect({ port: host.port, host: '127.0.0.1', allowHalfOpen: true }, () => socket.write(noToken));
        clients.push(socket);
        let answer = '';
        socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
        socket.on('error', () => resolve());
        socket.on('end', () => {
          expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 403 Forbidden');
          resolve();
        });
      }),
    ),
  );
  try {
    // The host lets go of every one of them on its own, within a few seconds.
    await expect.poll(openDescriptors, { timeout: 10_000 }).toBeLessThan(before + 5);
    expect(host.child.exitCode).toBeNull();
  } finally {
    for (const socket of clients) socket.destroy();
  }
});

test('requests up to the size cap shared with Electron reach main; a bigger one is cut off, and the host stays up', async ({ launchApp }) => {
  const host = await launchApp();
  const ws = await openWire(host);
  // A 3 MiB picture, 4 MiB as base64: over the old 1 MiB message limit, within the contract's avatar limit.
  const avatar = { dataBase64: 'A'.repeat(4 * 1024 * 1024), access: { model: 'presence' } };
  ws.send(JSON.stringify({ id: 1, channel: 'profile:setAvatar', params: avatar }));
  const reply = await nextResponse(ws);
  expect(reply).toMatchObject({ kind: 'response', id: 1, result: { ok: false } });
  expect(reply.kind === 'response' && !reply.result.ok && reply.result.error.code).not.toBe('internal');

  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  ws.send('x'.repeat(MAX_REQUEST_BYTES + 1));
  expect(await closed).toBe(1009); // RFC 6455 §7.4.1: message too big
  expect(host.child.exitCode).toBeNull();
  const again = await openWire(host);
  again.send(JSON.stringify({ id: 2, channel: 'app:getInfo' }));
  expect(await nextResponse(again)).toMatchObject({ id: 2, result: { ok: true } });
  again.close();
});

test('connections that never send a byte are capped and closed when idle, while the page’s quiet WebSocket stays', async ({ launchApp }) => {
  const host = await launchApp();
  // The app's own client, opened first and then left quiet for longer than the idle limit.
  const ws = await openWire(host);
  const silent: { socket: Socket; closedAt?: number }[] = [];
  const started = Date.now();
  await Promise.all(
    Array.from({ length: 300 }, () =>
      new Promise<void>((resolve) => {
        const entry: { socket: Socket; closedAt?: number } = { socket: connect(host.port, '127.0.0.1', () => resolve()) };
        entry.socket.on('error', () => resolve());
        entry.socket.on('close', () => {
          entry.closedAt = Date.now();
          resolve();
        });
        silent.push(entry);
      }),
    ),
  );
  try {
    // Over the cap (256 at once, the WebSocket among them): the rest are closed as they come.
    await expect.poll(() => silent.filter((c) => c.closedAt !== undefined && c.closedAt - started < 5_000).length, { timeout: 5_000 }).toBeGreaterThanOrEqual(40);
    // The others, idle, are closed by the host within its idle limit (10 s), not held for ever.
    await expect.poll(() => silent.filter((c) => c.closedAt === undefined).length, { timeout: 20_000 }).toBe(0);
    // The page's WebSocket, quiet all that time, still answers, and a new page can load.
    expect(ws.readyState).toBe(WebSocket.OPEN);
    ws.send(JSON.stringify({ id: 3, channel: 'app:getInfo' }));
    expect(await nextResponse(ws)).toMatchObject({ kind: 'response', id: 3, result: { ok: true } });
    expect(await httpStatus(host.port)).toBe(200);
    expect(host.child.exitCode).toBeNull();
  } finally {
    for (const { socket } of silent) socket.destroy();
    ws.close();
  }
});

async function openWire(host: BrowserHostProcess): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${host.port}${WIRE_PATH}`, [WIRE_PROTOCOL, WIRE_TOKEN_PREFIX + host.token], {
    origin: host.origin,
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return ws;
}

async function nextResponse(ws: WebSocket): Promise<WireMessage> {
  return new Promise((resolve) => {
    ws.once('message', (data: WebSocket.RawData) => {
      resolve(JSON.parse(Buffer.isBuffer(data) ? data.toString('utf8') : '{}') as WireMessage);
    });
  });
}

async function upgradeStatusWithoutToken(host: BrowserHostProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}${WIRE_PATH}`, [WIRE_PROTOCOL], { origin: host.origin });
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

async function httpStatus(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', headers: { Host: `127.0.0.1:${port}` } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once('error', reject);
    req.end();
  });
}
