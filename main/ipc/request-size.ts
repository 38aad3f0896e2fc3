/**
 * One size cap for a request from the page, whichever way it comes: the browser host's WebSocket
 * (`maxPayload`, enforced by ws while the frame arrives) and Electron IPC (measured in main before the
 * dispatcher sees it). The largest legitimate request is an avatar picture, PROFILE_LIMITS.avatarUploadBytes
 * as base64; key imports (at most four 1 MiB files as base64, 5.4 MiB) fit well under it. The cap is
 * that picture plus 1 MiB for the JSON around it: anything larger is not a request this app makes.
 */
import { serialize } from 'node:v8';
import type { Result } from '../../preload/contract.js';
import { PROFILE_LIMITS } from '../../preload/channels.js';

const base64Chars = (bytes: number): number => Math.ceil(bytes / 3) * 4;

export const MAX_REQUEST_BYTES = base64Chars(PROFILE_LIMITS.avatarUploadBytes) + 1024 * 1024;

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
