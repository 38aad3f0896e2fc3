/**
 * The extra CA file is read only if it is a regular file of at most 1 MiB (main/xmpp/session.ts):
 * a FIFO used to block a thread of the pool for good, /dev/zero to allocate until memory ran out.
 * Each is refused quickly with invalid-argument on caFile, before any connection is tried.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppEvents } from '../../../main/events.js';
import { silentLogger } from '../../../main/logger.js';
import { AccountSession, MAX_CA_FILE_BYTES, readCaFile } from '../../../main/xmpp/session.js';

let dir: string;
const CERT = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUeA==\n-----END CERTIFICATE-----\n';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keyring-cafile-'));
  execFileSync('mkfifo', [join(dir, 'fifo')]);
  await writeFile(join(dir, 'huge.pem'), Buffer.concat([Buffer.from(CERT), Buffer.alloc(MAX_CA_FILE_BYTES)]));
  await writeFile(join(dir, 'ca.pem'), CERT);
  await writeFile(join(dir, 'not-pem.txt'), 'hello');
  await mkdir(join(dir, 'folder'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Fails the test (instead of hanging it) when `work` takes longer than `ms`. */
async function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_r, reject) => (timer = setTimeout(() => reject(new Error(`still waiting after ${ms} ms`)), ms)));
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

const cases: [string, () => string, RegExp][] = [
  ['a FIFO', () => join(dir, 'fifo'), /not a regular file/],
  ['/dev/zero', () => '/dev/zero', /not a regular file/],
  ['a file over 1 MiB', () => join(dir, 'huge.pem'), /over 1 MiB/],
  ['a folder', () => join(dir, 'folder'), /^The CA file is a folder: choose the certificate file inside it\.$/],
  ['a missing file', () => join(dir, 'missing.pem'), /^The CA file was not found: check the path\.$/],
  ['a file without a certificate', () => join(dir, 'not-pem.txt'), /holds no PEM certificate/],
];

describe('the CA file', () => {
  it.each(cases)('%s is refused at once with invalid-argument on caFile', async (_name, path, message) => {
    await expect(within(1000, readCaFile(path()))).rejects.toMatchObject({ code: 'invalid-argument', field: 'caFile', message: expect.stringMatching(message) as string });
  });

  it.each(cases.slice(0, 3))('signing in with %s as CA file fails at once, without connecting', async (_name, path) => {
    const events = new AppEvents();
    const states: string[] = [];
    events.subscribe((event, payload) => event === 'account:state' && states.push((payload as { status: string }).status));
    const session = new AccountSession({ events, log: silentLogger });
    // Port 9 (discard) on loopback: nothing should ever be dialled.
    const connecting = session.connect({ jid: 'juliet@capulet.lit', password: 'x', host: '127.0.0.1', port: 9, caFile: path() });
    await expect(within(1000, connecting)).rejects.toMatchObject({ code: 'invalid-argument', field: 'caFile' });
    expect(states).toEqual([]);
    expect(session.state.status).toBe('offline');
  });

  it('a regular PEM file is read', async () => {
    expect(await readCaFile(join(dir, 'ca.pem'))).toBe(CERT);
  });
});
