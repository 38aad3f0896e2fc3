/**
 * A worker entry for the avatar benchmark: the app's own prepareAvatar on a real worker thread, timed
 * by the CPU time of that thread (Linux /proc/thread-self/schedstat, first field: nanoseconds on a
 * CPU). Wall time on this shared 2-core VM also counts the time other processes held the cores; the
 * thread's CPU time is what the code itself cost. Where /proc cannot be read, wall time stands in.
 */
import { readFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { prepareAvatar, type AvatarCrop } from '../../main/profile/avatar-image.js';
import type { ImageType } from '../../main/profile/image-header.js';

export interface TimedAvatarRequest {
  bytes: Uint8Array;
  type: ImageType;
  crop?: AvatarCrop;
}

export interface TimedAvatarReply {
  /** CPU time of this thread, or wall time when `clock` is 'wall'. */
  ms: number;
  clock: 'thread-cpu' | 'wall';
  wallMs: number;
  width: number;
  bytes: number;
}

const threadCpuMs = (): number => Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
const clock = ((): { read: () => number; kind: TimedAvatarReply['clock'] } => {
  try {
    if (Number.isFinite(threadCpuMs())) return { read: threadCpuMs, kind: 'thread-cpu' };
  } catch {
    // Not Linux: wall time below.
  }
  return { read: () => performance.now(), kind: 'wall' };
})();

parentPort?.once('message', (request: TimedAvatarRequest) => {
  const startedWall = performance.now();
  const started = clock.read();
  const avatar = prepareAvatar(request.bytes, request.crop);
  const reply: TimedAvatarReply = { ms: clock.read() - started, clock: clock.kind, wallMs: performance.now() - startedWall, width: avatar.width, bytes: avatar.png.length };
  parentPort?.postMessage(reply);
});
