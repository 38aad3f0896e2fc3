/**
 * The worker thread that makes an avatar (avatar-off-thread.ts starts one per picture): decoding,
 * cropping, scaling and PNG encoding run here, for as long as the picture takes, while the main thread
 * keeps serving the XMPP session and the UI. One request in, one reply out; errors travel as
 * `{ code, message, field }` values.
 */
import { parentPort } from 'node:worker_threads';
import type { IpcError } from '../../contract/index.js';
import { KeyringError } from '../errors.js';
import { prepareAvatar, type AvatarCrop } from './avatar-image.js';
import type { ImageType } from './image-header.js';

export interface AvatarWorkerRequest {
  bytes: Uint8Array;
  type: ImageType;
  crop?: AvatarCrop;
}

export type AvatarWorkerReply = { ok: true; png: Uint8Array; width: number; height: number } | { ok: false; error: IpcError };

parentPort?.once('message', (request: AvatarWorkerRequest) => {
  let reply: AvatarWorkerReply;
  try {
    const { png, width, height } = prepareAvatar(request.bytes, request.type, request.crop);
    reply = { ok: true, png, width, height };
  } catch (error) {
    reply = {
      ok: false,
      error: error instanceof KeyringError ? error.toIpcError() : { code: 'invalid-argument', message: 'The picture cannot be read.', field: 'dataBase64' },
    };
  }
  parentPort?.postMessage(reply);
});
