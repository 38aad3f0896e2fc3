/**
 * Ctrl-C or SIGTERM stops any command but `watch` where it is: it signs out, says on stderr that what
 * was under way may or may not have reached the server, and exits 130 (SIGINT) or 143 (SIGTERM), as a
 * shell expects. Here against a server that accepts the connection and never says a word, where a
 * command would otherwise wait for its timeout (about 15 s) and end as a failure (1).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StopSignal } from '../../main/cli/context.js';
import { runCli } from '../../main/cli/program.js';

let dataDir: string;
let silent: Server;
let port: number;
let accepted: () => void;
let connected: Promise<void>;
const sockets: Socket[] = [];

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'keyring-cli-interrupt-'));
  connected = new Promise((resolve) => (accepted = resolve));
  silent = createServer((socket) => {
    sockets.push(socket);
    accepted();
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const address = silent.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  port = address.port;
});
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await new Promise<void>((resolve) => silent.close(() => resolve()));
  await rm(dataDir, { recursive: true, force: true });
});

async function interruptedRun(signal: StopSignal, ...options: string[]): Promise<{ code: number; err: string[]; seconds: number }> {
  const err: string[] = [];
  let stop: (signal: StopSignal) => void = () => undefined;
  const started = Date.now();
  const running = runCli(['--jid', 'juliet@capulet.lit', '--server', `127.0.0.1:${port}`, '--data-dir', dataDir, ...options, 'account', 'check'], {
    out: () => undefined,
    err: (text) => err.push(text),
    env: { KEYRING_PASSWORD: 'a password', KEYRING_PASSPHRASE: 'a long vault passphrase' },
    interrupted: new Promise<StopSignal>((resolve) => (stop = resolve)),
  });
  // The command is waiting on the server when the signal comes.
  await connected;
  stop(signal);
  const code = await running;
  return { code, err, seconds: (Date.now() - started) / 1000 };
}

describe('a signal stops a command', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s: exit %i at once, saying the server may or may not have it', async (signal, exitCode) => {
    const { code, err, seconds } = await interruptedRun(signal);
    expect(code).toBe(exitCode);
    expect(seconds).toBeLessThan(8);
    expect(err.join('\n')).toBe(`keyring: Stopped (${signal}) before it finished: what was under way may or may not have reached the server.`);
  });

  it('with --json, the line is JSON too, so stderr parses whole', async () => {
    const { code, err } = await interruptedRun('SIGINT', '--json');
    expect(code).toBe(130);
    expect(err.map((line) => JSON.parse(line) as unknown)).toEqual([
      { interrupted: { signal: 'SIGINT', message: 'Stopped (SIGINT) before it finished: what was under way may or may not have reached the server.' }, exitCode: 130 },
    ]);
  });
});
