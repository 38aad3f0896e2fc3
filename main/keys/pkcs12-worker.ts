/**
 * The worker thread that opens a PKCS#12 file (pkcs12-reader.ts starts one per file): forge's key
 * derivations run here, for as long as the file asks, while the main thread keeps serving. One request
 * in, one reply out; errors travel as `{ code, message, field }` values.
 */
import type { KeyObject } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import type { IpcError } from '../../contract/index.js';
import { KeyringError } from '../errors.js';
import { readPkcs12 } from './pkcs12.js';

export interface Pkcs12WorkerRequest {
  bytes: Uint8Array;
  /** Never log it. */
  password: string;
}

export type Pkcs12WorkerReply =
  /** KeyObjects cross threads by postMessage; the private keys are never exported to bytes for it. */
  | { ok: true; privateKeys: KeyObject[]; certificates: Uint8Array[] }
  | { ok: false; error: IpcError };

parentPort?.once('message', (request: Pkcs12WorkerRequest) => {
  let reply: Pkcs12WorkerReply;
  try {
    const { privateKeys, certificates } = readPkcs12(request.bytes, request.password);
    reply = { ok: true, privateKeys, certificates };
  } catch (error) {
    reply = {
      ok: false,
      error:
        error instanceof KeyringError
          ? error.toIpcError()
          : { code: 'invalid-argument', message: 'This PKCS#12 file cannot be read.' },
    };
  }
  parentPort?.postMessage(reply);
});
