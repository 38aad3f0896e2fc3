import { defineConfig } from 'vitest/config';
import { nodeWorkerPlugin } from './test/support/node-worker-plugin.js';

export default defineConfig({
  test: {
    projects: [
      {
        // Worker threads started with electron-vite's `?nodeWorker` imports (main/keys/pkcs12-reader.ts).
        plugins: [nodeWorkerPlugin()],
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          // The property tests (readers-fuzz, backup-items, key-statements) take 1–3 s on a quiet machine;
          // vitest's default 5 s failed them under load with nothing wrong.
          testTimeout: 20_000,
        },
      },
      {
        plugins: [nodeWorkerPlugin()],
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/support/servers-global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
