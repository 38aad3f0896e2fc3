/**
 * Runs the built browser host (`node out/main/browser-host.js`, exactly what `npm run start:browser`
 * runs) with a data dir of its own, and reads its URL and token from what it prints.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HOST_V8_FLAGS } from '../../scripts/host-v8-flags.mjs';

export interface BrowserHostProcess {
  url: string;
  origin: string;
  token: string;
  port: number;
  child: ChildProcess;
  dataDir: string;
  output: () => string;
}

/**
 * The Node/V8 flags the host runs with: its own heap settings, as `npm run start:browser` gives them;
 * HOST_NODE_FLAGS (diagnostic) replaces them, e.g. ' ' for V8's defaults, to compare.
 */
export function hostNodeFlags(): readonly string[] {
  return process.env.HOST_NODE_FLAGS !== undefined ? process.env.HOST_NODE_FLAGS.split(/\s+/).filter(Boolean) : HOST_V8_FLAGS;
}

/** `dataDir` defaults to a fresh temp folder: tests never touch the user's real data folder. */
export async function startBuiltBrowserHost(dataDir?: string): Promise<BrowserHostProcess> {
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), 'keyring-host-data-')));
  // HOST_CPU_PROF_DIR: the host writes a V8 CPU profile there when it exits (stopChild's SIGTERM is a clean exit).
  const profile = process.env.HOST_CPU_PROF_DIR ? ['--cpu-prof', '--cpu-prof-dir', process.env.HOST_CPU_PROF_DIR] : [];
  const child = spawn(process.execPath, [...hostNodeFlags(), ...profile, 'out/main/browser-host.js', '--port', '0', '--data-dir', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`browser host printed no URL:\n${output}`)), 15_000);
    child.stdout?.on('data', (d: Buffer) => {
      output += d.toString();
      const match = /running in your browser at: (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`browser host exited (${code}):\n${output}`)));
  });
  const parsed = new URL(url);
  const token = new URLSearchParams(parsed.hash.slice(1)).get('token') ?? '';
  return { url, origin: parsed.origin, token, port: Number(parsed.port), child, dataDir: dir, output: () => output };
}
