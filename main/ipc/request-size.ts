/**
 * The request size cap (contract/limits.ts MAX_REQUEST_BYTES) on the Electron side: the browser host's
 * WebSocket enforces it as `maxPayload` while the frame arrives; Electron delivers the parameters
 * already deserialized, so main measures them before the dispatcher sees them.
 */
import { serialize } from 'node:v8';
import type { Result } from '../../contract/index.js';
import { MAX_REQUEST_BYTES } from '../../contract/limits.js';

/**
 * Electron delivers request parameters already deserialized from the structured-clone format; their size
 * on that wire is the size of `v8.serialize` (the same format). Returns the refusal to send back, or
 * undefined when the request may go to the dispatcher.
 */
export function refuseOversizedRequest(params: unknown): Result<never> | undefined {
  let bytes: number;
  try {
    bytes = serialize(params).byteLength;
  } catch {
    return { ok: false, error: { code: 'invalid-argument', message: 'This request cannot be read.' } };
  }
  if (bytes <= MAX_REQUEST_BYTES) return undefined;
  const mib = Math.floor(MAX_REQUEST_BYTES / (1024 * 1024));
  return { ok: false, error: { code: 'invalid-argument', message: `This request is larger than the ${mib} MiB the app accepts.` } };
}
