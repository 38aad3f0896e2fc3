/**
 * The avatar scaling stall: a 12-megapixel JPEG (4000×3000, what a phone camera makes) through
 * prepareAvatarOffThread, as ProfileService.setAvatar calls it (decoding and scaling on a worker
 * thread, main/profile/avatar-off-thread.ts): its wall time, the main thread's own CPU during the whole
 * call, and the longest event-loop stall meanwhile.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { prepareAvatarOffThread } from '../../../main/profile/avatar-off-thread.js';
import { makeJpeg } from '../../support/images.js';
import { mainThreadCpuMs } from '../../unit/keys/thread-cpu.js';

export interface AvatarSample {
  wallMs: number;
  stallMs: number;
  /** The main thread's own CPU time during the call (wall time where that cannot be read). */
  busyMs: number;
}

export interface AvatarResult {
  width: number;
  height: number;
  jpegBytes: number;
  samples: AvatarSample[];
}

export async function benchAvatar(runs: number): Promise<AvatarResult> {
  const [width, height] = [4000, 3000];
  const photo = makeJpeg(width, height, 90);
  const samples: AvatarSample[] = [];
  for (let i = 0; i < runs; i++) {
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    // A few ticks first: the monitor measures each tick from the one before, so it must be running.
    await new Promise((r) => setTimeout(r, 10));
    // As ProfileService.setAvatar calls it: from the event loop, the work on a worker thread.
    const cpuBefore = mainThreadCpuMs?.();
    const start = performance.now();
    // No cut-off here: on a busy machine the worker may need longer than the app's 20 s limit.
    await prepareAvatarOffThread(photo, 'image/jpeg', { timeLimitMs: 300_000 });
    const wallMs = performance.now() - start;
    const after = mainThreadCpuMs?.();
    // All the main thread's CPU during the call (starting the worker, sending the photo, the reply):
    // an upper bound on the longest single hold.
    const busyMs = cpuBefore === undefined || after === undefined ? Number.NaN : after - cpuBefore;
    await new Promise((r) => setTimeout(r, 20)); // let the delay monitor see the loop turn again
    delay.disable();
    samples.push({ wallMs, stallMs: delay.max / 1e6, busyMs: Number.isNaN(busyMs) ? delay.max / 1e6 : busyMs });
  }
  return { width, height, jpegBytes: photo.length, samples };
}
