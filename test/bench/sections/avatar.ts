/**
 * The avatar scaling stall: a 12-megapixel JPEG (4000×3000, what a phone camera makes) through
 * prepareAvatarOffThread, as ProfileService.setAvatar calls it (decoding and scaling on a worker
 * thread, main/profile/avatar-off-thread.ts): its wall time, the longest the main thread computed
 * between two ticks of a timer (what "held" means, as for key generation: test/unit/keys/stall.ts), its
 * own CPU time over the whole call, and the longest event-loop stall meanwhile (wall time, the
 * machine's scheduling included).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { prepareAvatarOffThread } from '../../../main/profile/avatar-off-thread.js';
import { makeJpeg } from '../../support/images.js';
import { stallDuring } from '../../unit/keys/stall.js';
import { mainThreadCpuMs } from '../../unit/keys/thread-cpu.js';
import { profileMark, profileWindow } from '../report.js';

export interface AvatarSample {
  wallMs: number;
  stallMs: number;
  /** The longest the main thread computed between two ticks (CPU time; wall time where that cannot be read). */
  heldMs: number;
  /** The main thread's own CPU time over the whole call (NaN where that cannot be read). */
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
    const profiledFrom = profileMark();
    // No cut-off here: on a busy machine the worker may need longer than the app's 20 s limit.
    const { longestMs } = await stallDuring(() => prepareAvatarOffThread(photo, { timeLimitMs: 300_000 }));
    const wallMs = performance.now() - start;
    profileWindow('avatar', profiledFrom);
    const after = mainThreadCpuMs?.();
    const busyMs = cpuBefore === undefined || after === undefined ? Number.NaN : after - cpuBefore;
    await new Promise((r) => setTimeout(r, 20)); // let the delay monitor see the loop turn again
    delay.disable();
    samples.push({ wallMs, stallMs: delay.max / 1e6, heldMs: longestMs, busyMs });
  }
  return { width, height, jpegBytes: photo.length, samples };
}
