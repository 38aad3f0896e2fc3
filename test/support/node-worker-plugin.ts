/**
 * electron-vite's `import start from './x.ts?nodeWorker'` for Vitest. In the app build, electron-vite
 * emits the worker entry as a chunk of its own and the import becomes `(options) => new Worker(chunk,
 * options)`. Node cannot run a worker from TypeScript, so here the entry is bundled the same way (Vite,
 * for Node, dependencies included) into a temporary CommonJS file once per test run, and the import
 * becomes the same function over that file: the tests run the real worker code, on a real thread.
 */
import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type Plugin } from 'vite';

const SUFFIX = '?nodeWorker';

export function nodeWorkerPlugin(): Plugin {
  const built = new Map<string, Promise<string>>();
  return {
    name: 'keyring:node-worker-for-tests',
    enforce: 'pre',
    async resolveId(id, importer) {
      if (!id.endsWith(SUFFIX)) return null;
      const entry = await this.resolve(id.slice(0, -SUFFIX.length), importer, { skipSelf: true });
      return entry ? `${entry.id}${SUFFIX}` : null;
    },
    async load(id) {
      if (!id.endsWith(SUFFIX)) return null;
      const entry = id.slice(0, -SUFFIX.length);
      let file = built.get(entry);
      if (!file) built.set(entry, (file = bundleWorker(entry)));
      return `import { Worker } from 'node:worker_threads';\nexport default (options) => new Worker(${JSON.stringify(await file)}, options);\n`;
    },
  };
}

async function bundleWorker(entry: string): Promise<string> {
  const outDir = await mkdtemp(join(tmpdir(), 'keyring-test-worker-'));
  process.once('exit', () => rmSync(outDir, { recursive: true, force: true }));
  await build({
    configFile: false,
    logLevel: 'warn',
    build: {
      ssr: entry,
      outDir,
      emptyOutDir: false,
      minify: false,
      rollupOptions: { output: { format: 'cjs', entryFileNames: 'worker.cjs' } },
    },
    // Everything inlined: the file runs from a temporary folder with no node_modules beside it.
    ssr: { noExternal: true, target: 'node' },
  });
  return join(outDir, 'worker.cjs');
}
