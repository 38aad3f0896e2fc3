/**
 * The avatar scaling stall: main/profile/avatar-image.ts prepares a picture on the calling thread (the
 * main process's event loop), so a large photo holds everything else until it is done (it is due to
 * move to a worker thread). Measured as it runs today: a 12-megapixel JPEG (4000×3000, what a phone
 * camera makes) through prepareAvatar, its wall time and the longest event-loop stall meanwhile.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { prepareAvatar } from '../../../main/profile/avatar-image.js';
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
    const start = performance.now();
    // As ProfileService.setAvatar calls it: on the event loop, inside an async request handler.
    let busyMs = Number.NaN;
    const wallMs = await new Promise<number>((resolve) =>
      setImmediate(() => {
        const cpuBefore = mainThreadCpuMs?.();
        const called = performance.now();
        prepareAvatar(photo, 'image/jpeg');
        const after = mainThreadCpuMs?.();
        busyMs = cpuBefore === undefined || after === undefined ? performance.now() - called : after - cpuBefore;
        resolve(performance.now() - start);
      }),
    );
    await new Promise((r) => setTimeout(r, 20)); // let the delay monitor see the loop turn again
    delay.disable();
    samples.push({ wallMs, stallMs: delay.max / 1e6, busyMs });
  }
  return { width, height, jpegBytes: photo.length, samples };
}
