// `npm run bench`: the app held to the server's own limits (test/bench/core.bench-run.ts), kept out of
// `npm test` (the root config includes only test/unit and test/integration) and out of `bench:keys`.
// It runs under Vitest so it calls the real main/ TypeScript.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { HOST_V8_FLAGS } from '../../scripts/host-v8-flags.mjs';
import { nodeWorkerPlugin } from '../support/node-worker-plugin.js';

export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  // Worker threads started with electron-vite's `?nodeWorker` imports (main/keys/pkcs12-reader.ts).
  plugins: [nodeWorkerPlugin()],
  test: {
    include: ['test/bench/core.bench-run.ts'],
    environment: 'node',
    // One child process of its own (its CPU time is the app's), with gc() to start each run clean.
    pool: 'forks',
    // BENCH_CPU_PROF_DIR=DIR: the run writes a V8 CPU profile there itself (support/cpu-profile.ts).
    // The core runs with the browser host's V8 settings (scripts/host-v8-flags.mjs), as the memory row's
    // host does. BENCH_V8_FLAGS='--single-threaded-gc --no-concurrent-recompilation': V8 flags for
    // diagnosis only (which thread does what), after them, so they can override them.
    execArgv: ['--expose-gc', ...HOST_V8_FLAGS, ...(process.env.BENCH_V8_FLAGS?.split(' ').filter(Boolean) ?? []), ...(process.env.BENCH_TRACE_GC ? ['--trace-gc'] : [])],
    disableConsoleIntercept: true,
    testTimeout: 60 * 60_000,
    hookTimeout: 10 * 60_000,
  },
});
