/// <reference types="electron-vite/node" />
/**
 * Makes an avatar on a worker thread (avatar-worker.ts, main/worker-once.ts), so decoding and scaling a
 * photo (a second or more of JavaScript for 12 megapixels) never holds the main thread, where the XMPP
 * session and the UI's requests are served. What the headers alone can refuse (size, type, declared
 * pixels, crop) is refused here first, without starting a thread. The worker gets a time limit: a
 * picture crafted to decode slowly (a progressive JPEG with thousands of scans, say) is cut off.
 */
import { KeyringError } from '../errors.js';
import { runWorkerOnce } from '../worker-once.js';
import { checkAvatarInput, type AvatarCrop, type PreparedAvatar } from './avatar-image.js';
import type { AvatarWorkerRequest } from './avatar-worker.js';
import startAvatarWorker from './avatar-worker.js?nodeWorker';

/** Far beyond a real photo (a 16 MP camera JPEG takes a few seconds on a slow 2-core machine). */
export const AVATAR_TIME_LIMIT_MS = 20_000;

export async function prepareAvatarOffThread(bytes: Uint8Array, options: { crop?: AvatarCrop; timeLimitMs?: number } = {}): Promise<PreparedAvatar> {
  // Refused here at once when the headers tell; the crop sent on is the checked one.
  const { crop } = checkAvatarInput(bytes, options.crop);
  const timeLimitMs = options.timeLimitMs ?? AVATAR_TIME_LIMIT_MS;
  const request: AvatarWorkerRequest = { bytes, crop };
  const reply = await runWorkerOnce<PreparedAvatar>(startAvatarWorker({}), request, {
    timeLimitMs,
    tooSlow: () =>
      new KeyringError(
        'invalid-argument',
        `This picture takes too long to read (over ${timeLimitMs / 1000} s); save it again as an ordinary PNG or JPEG and try again.`,
        'dataBase64',
      ),
    failure: 'The picture could not be processed',
  });
  return { png: Buffer.from(reply.png.buffer, reply.png.byteOffset, reply.png.byteLength), width: reply.width, height: reply.height };
}
