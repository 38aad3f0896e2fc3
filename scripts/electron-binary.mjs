// Where the Electron binary is, if it has been downloaded. The `electron` package is installed without
// running its download script (.npmrc: ignore-scripts), so the binary may be absent: callers fetch it
// (fetchElectronBinary) or fall back to the browser host, and say which.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** @returns {string | undefined} the path of the Electron executable when it is present */
export function findElectronBinary() {
  let packageDir;
  try {
    packageDir = dirname(require.resolve('electron/package.json'));
  } catch {
    return undefined;
  }
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const pathFile = join(packageDir, 'path.txt');
  const executable = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : 'electron';
  const binary = override ? join(override, executable) : join(packageDir, 'dist', executable);
  return existsSync(binary) ? binary : undefined;
}

/**
 * Runs the electron package's own installer (the download `npm install` skipped).
 * @returns {Promise<{ ok: boolean, reason: string }>}
 */
export function fetchElectronBinary() {
  let installer;
  try {
    installer = join(dirname(require.resolve('electron/package.json')), 'install.js');
  } catch {
    return Promise.resolve({ ok: false, reason: 'the electron package is not installed (run npm install)' });
  }
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [installer], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d.toString()));
    child.on('error', (error) => resolve({ ok: false, reason: error.message }));
    child.on('exit', (code) => {
      const firstLine = stderr.split('\n').find((l) => l.trim()) ?? `installer exited with code ${code}`;
      resolve(code === 0 ? { ok: true, reason: '' } : { ok: false, reason: firstLine.trim() });
    });
  });
}
