// `npm run bench:keys` (keys.test.ts), `npm run bench:vault` (vault-writes.test.ts) and `npm run bench:vault-turns`
// (vault-write-turns.test.ts): benchmarks kept out of `npm test` (the root config includes only
// test/unit and test/integration). It runs as a Vitest file so it calls the real main/keys TypeScript.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { nodeWorkerPlugin } from '../support/node-worker-plugin.js';

export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  // Worker threads started with electron-vite's `?nodeWorker` imports (main/keys/pkcs12-reader.ts).
  plugins: [nodeWorkerPlugin()],
  test: {
    include: ['test/bench/**/*.test.ts'],
    environment: 'node',
    // The table goes straight to stdout, without Vitest's per-test console headers.
    disableConsoleIntercept: true,
    testTimeout: 30 * 60_000,
  },
});
