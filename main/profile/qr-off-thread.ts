/// <reference types="electron-vite/node" />
/**
 * Reads a QR code on a worker thread (qr-worker.ts, main/worker-once.ts). What the headers alone can
 * refuse is refused here first, without starting a thread; the worker gets a time limit, so a picture
 * crafted to decode slowly is cut off.
 */
import { KeyringError } from '../errors.js';
import { runWorkerOnce } from '../worker-once.js';
import { checkQrInput } from './qr-image.js';
import type { QrWorkerRequest } from './qr-worker.js';
import startQrWorker from './qr-worker.js?nodeWorker';

/** Far beyond a real picture of a QR code (decoded up to 16 megapixels, read at 4: QR_IMAGE_LIMITS). */
export const QR_TIME_LIMIT_MS = 15_000;

export async function readQrCodeOffThread(bytes: Uint8Array, timeLimitMs = QR_TIME_LIMIT_MS): Promise<string> {
  checkQrInput(bytes);
  const request: QrWorkerRequest = { bytes };
  const reply = await runWorkerOnce<{ text: string }>(startQrWorker({}), request, {
    timeLimitMs,
    tooSlow: () =>
      new KeyringError('invalid-argument', `This picture takes too long to read (over ${timeLimitMs / 1000} s); try a plain screenshot of the code.`, 'dataBase64'),
    failure: 'The picture could not be read',
  });
  return reply.text;
}
