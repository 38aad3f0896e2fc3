/**
 * One request on a thread of its own, for work that must never hold the main thread (where the XMPP
 * session and the screens' requests are served): opening a PKCS#12 file, making an avatar from a photo.
 * Both halves are here: `answerOnce` in the worker entry, `runWorkerOnce` in main. The worker gets a
 * time limit, and its thread always ends; what fails travels as `{ code, message, field }`.
 *
 * The worker entry is imported with electron-vite's `?nodeWorker` suffix: the build emits it as a chunk
 * of its own and the import becomes a function starting a Worker on it (the tests do the same,
 * test/support/node-worker-plugin.ts).
 */
import { parentPort, type Worker } from 'node:worker_threads';
import type { IpcError } from '../contract/index.js';
import { KeyringError } from './errors.js';

/** What the worker posts back: its result, or the error as a value. */
export type WorkerReply<T> = ({ ok: true } & T) | { ok: false; error: IpcError };

/** In the worker: answers the one request with `work`'s result, or its KeyringError (anything else: `otherwise`). */
export function answerOnce<Request, T extends object>(work: (request: Request) => T, otherwise: IpcError): void {
  parentPort?.once('message', (request: Request) => {
    let reply: WorkerReply<T>;
    try {
      reply = { ok: true, ...work(request) };
    } catch (error) {
      reply = { ok: false, error: error instanceof KeyringError ? error.toIpcError() : otherwise };
    }
    parentPort?.postMessage(reply);
  });
}

export interface RunOnceOptions {
  timeLimitMs: number;
  /** The refusal when the work takes longer than the time limit (a file made to be slow). */
  tooSlow: () => KeyringError;
  /** What the work is, for the message when the thread itself fails ("The picture could not be processed"). */
  failure: string;
}

/** In main: posts `request` to a freshly started `worker`, waits for its one reply, and ends the thread. */
export async function runWorkerOnce<T>(worker: Worker, request: unknown, options: RunOnceOptions): Promise<T> {
  try {
    const reply = await new Promise<WorkerReply<T>>((resolve, reject) => {
      const timer = setTimeout(() => reject(options.tooSlow()), options.timeLimitMs);
      worker.once('message', (message: WorkerReply<T>) => {
        clearTimeout(timer);
        resolve(message);
      });
      worker.once('error', (error) => {
        clearTimeout(timer);
        reject(new KeyringError('internal', `${options.failure}.`, undefined, { cause: error }));
      });
      worker.once('exit', (code) => {
        clearTimeout(timer);
        reject(new KeyringError('internal', `${options.failure} (the worker exited with ${code}).`));
      });
      worker.postMessage(request);
    });
    if (!reply.ok) throw new KeyringError(reply.error.code, reply.error.message, reply.error.field);
    return reply;
  } finally {
    void worker.terminate();
  }
}
