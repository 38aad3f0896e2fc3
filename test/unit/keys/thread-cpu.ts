/**
 * How much CPU time the event-loop thread has used, in milliseconds, from Linux's
 * /proc/<pid>/task/<tid>/schedstat (first field: nanoseconds on a CPU). Undefined where that file is
 * missing (not Linux) or when running in a worker thread (its tid is not the pid).
 *
 * Why not wall time: on this 2-core VM the event-loop thread can be left unscheduled for 20–130 ms while
 * another core is busy, with zero CPU used in the gap (measured with `openssl speed` as the other load).
 * Such gaps are the machine's, not the code's; CPU time between two timer ticks is what the code itself
 * kept the loop busy.
 */
import { readFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';

export const mainThreadCpuMs = ((): (() => number) | undefined => {
  const path = `/proc/self/task/${process.pid}/schedstat`;
  const read = (): number => Number(readFileSync(path, 'utf8').split(' ')[0]) / 1e6;
  try {
    return isMainThread && Number.isFinite(read()) ? read : undefined;
  } catch {
    return undefined;
  }
})();
