/**
 * The worker thread that makes an avatar (avatar-off-thread.ts starts one per picture): decoding,
 * cropping, scaling and PNG encoding run here, for as long as the picture takes, while the main thread
 * keeps serving the XMPP session and the UI.
 */
import { answerOnce } from '../worker-once.js';
import { prepareAvatar, type AvatarCrop, type PreparedAvatar } from './avatar-image.js';

export interface AvatarWorkerRequest {
  bytes: Uint8Array;
  crop?: AvatarCrop;
}

answerOnce<AvatarWorkerRequest, PreparedAvatar>((request) => prepareAvatar(request.bytes, request.crop), {
  code: 'invalid-argument',
  message: 'The picture cannot be read.',
  field: 'dataBase64',
});
