/**
 * The worker thread that opens a PKCS#12 file (pkcs12-reader.ts starts one per file): forge's key
 * derivations run here, for as long as the file asks, while the main thread keeps serving.
 */
import type { KeyObject } from 'node:crypto';
import { answerOnce } from '../worker-once.js';
import { readPkcs12 } from './pkcs12.js';

export interface Pkcs12WorkerRequest {
  bytes: Uint8Array;
  /** Never log it. */
  password: string;
}

/** KeyObjects cross threads by postMessage; the private keys are never exported to bytes for it. */
export interface Pkcs12WorkerResult {
  privateKeys: KeyObject[];
  certificates: Uint8Array[];
}

answerOnce<Pkcs12WorkerRequest, Pkcs12WorkerResult>((request) => readPkcs12(request.bytes, request.password), {
  code: 'invalid-argument',
  message: 'This PKCS#12 file cannot be read.',
});
