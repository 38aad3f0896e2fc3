/**
 * The worker thread that reads a QR code from a picture (qr-off-thread.ts starts one per picture), so
 * decoding it never holds the main thread, where the XMPP session and the UI's requests are served.
 */
import { answerOnce } from '../worker-once.js';
import { readQrCode } from './qr-image.js';

export interface QrWorkerRequest {
  bytes: Uint8Array;
}

answerOnce<QrWorkerRequest, { text: string }>((request) => ({ text: readQrCode(request.bytes) }), {
  code: 'invalid-argument',
  message: 'The picture cannot be read.',
  field: 'dataBase64',
});
