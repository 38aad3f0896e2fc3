/// <reference types="electron-vite/node" />
/**
 * Opens a PKCS#12 file on a worker thread, so its password hashing (up to MAX_PKCS12_ITERATIONS per
 * step, seconds of forge's JavaScript) never holds the main thread, where the XMPP session and the UI's
 * requests are served. The worker is given a time limit: parts of a file only visible after a
 * decryption cannot be checked beforehand, and a file made to take longer than any real one is refused.
 *
 * `?nodeWorker` is electron-vite's import of a worker entry: the build emits pkcs12-worker.ts as a
 * chunk of its own and this import becomes a function starting a Worker on it (the tests do the same,
 * test/support/node-worker-plugin.ts).
 */
import { KeyringError } from '../errors.js';
import type { Pkcs12Contents } from './pkcs12.js';
import type { Pkcs12WorkerReply, Pkcs12WorkerRequest } from './pkcs12-worker.js';
import startPkcs12Worker from './pkcs12-worker.js?nodeWorker';

/** Far beyond a real file (a few derivations of at most a million iterations: seconds). */
export const PKCS12_READ_TIME_LIMIT_MS = 60_000;

export async function readPkcs12OffThread(
  bytes: Uint8Array,
  password: string,
  options: { timeLimitMs?: number } = {},
): Promise<Pkcs12Contents> {
  const worker = startPkcs12Worker({});
  try {
    const reply = await new Promise<Pkcs12WorkerReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new KeyringError('invalid-argument', 'This PKCS#12 file takes too long to open; it is not one a program would write.'));
      }, options.timeLimitMs ?? PKCS12_READ_TIME_LIMIT_MS);
      worker.once('message', (message: Pkcs12WorkerReply) => {
        clearTimeout(timer);
        resolve(message);
      });
      worker.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      worker.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the PKCS#12 worker exited (${code}) without an answer`));
      });
      const request: Pkcs12WorkerRequest = { bytes, password };
      worker.postMessage(request);
    });
    if (!reply.ok) throw new KeyringError(reply.error.code, reply.error.message, reply.error.field);
    return { privateKeys: reply.privateKeys, certificates: reply.certificates.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength)) };
  } finally {
    void worker.terminate();
  }
}
