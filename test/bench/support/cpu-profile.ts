/**
 * BENCH_CPU_PROF_DIR=DIR: a V8 CPU profile of the benchmark process, taken through node:inspector.
 * `--cpu-prof` writes its profile only when the process exits on its own, and Vitest's forks pool ends
 * its child first, so none was ever written. Samples are stamped with the monotonic clock in µs, the
 * clock report.ts's profile windows print.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';

/** Starts profiling if asked; the function returned stops it and writes DIR/CPU.<time>.cpuprofile. */
export async function startCpuProfile(dir: string | undefined, log: (line: string) => void): Promise<() => Promise<void>> {
  if (!dir) return () => Promise.resolve();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  // 1 ms between samples is V8's default for --cpu-prof as well.
  await session.post('Profiler.setSamplingInterval', { interval: 1000 });
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    await mkdir(dir, { recursive: true });
    const file = join(dir, `CPU.${Date.now()}.cpuprofile`);
    await writeFile(file, JSON.stringify(profile));
    log(`CPU profile: ${file}`);
  };
}

/**
 * BENCH_HEAP_PROF_DIR=DIR: what a window allocated, by function (V8's sampling heap profiler, counting
 * objects the GC has collected since, so garbage shows as well as what stays). Returns the function
 * that stops it and writes DIR/HEAP.<name>.<time>.heapprofile.
 */
export async function startHeapSampling(dir: string | undefined, name: string): Promise<() => Promise<void>> {
  if (!dir) return () => Promise.resolve();
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.enable');
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 16 * 1024,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  return async () => {
    const { profile } = await session.post('HeapProfiler.stopSampling');
    session.disconnect();
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, `HEAP.${name.replace(/[^\w.-]+/g, '_')}.${Date.now()}.heapprofile`), JSON.stringify(profile));
  };
}
