/// <reference types="electron-vite/node" />
/**
 * Opens a PKCS#12 file on a worker thread (main/worker-once.ts), so its password hashing (up to
 * MAX_PKCS12_ITERATIONS per step, seconds of forge's JavaScript) never holds the main thread. The
 * worker is given a time limit: parts of a file only visible after a decryption cannot be checked
 * beforehand, and a file made to take longer than any real one is refused.
 */
import { KeyringError } from '../errors.js';
import { runWorkerOnce } from '../worker-once.js';
import type { Pkcs12Contents } from './pkcs12.js';
import type { Pkcs12WorkerRequest, Pkcs12WorkerResult } from './pkcs12-worker.js';
import startPkcs12Worker from './pkcs12-worker.js?nodeWorker';

/** Far beyond a real file (a few derivations of at most a million iterations: seconds). */
export const PKCS12_READ_TIME_LIMIT_MS = 60_000;

export async function readPkcs12OffThread(
  bytes: Uint8Array,
  password: string,
  options: { timeLimitMs?: number } = {},
): Promise<Pkcs12Contents> {
  const request: Pkcs12WorkerRequest = { bytes, password };
  const reply = await runWorkerOnce<Pkcs12WorkerResult>(startPkcs12Worker({}), request, {
    timeLimitMs: options.timeLimitMs ?? PKCS12_READ_TIME_LIMIT_MS,
    tooSlow: () => new KeyringError('invalid-argument', 'This PKCS#12 file takes too long to open; it is not one a program would write.'),
    failure: 'The PKCS#12 file could not be opened',
  });
  return { privateKeys: reply.privateKeys, certificates: reply.certificates.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength)) };
}
