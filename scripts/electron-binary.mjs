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
      resolve(code === 0 ? { ok: true, reason: '' } : { ok: false, reason: describeInstallFailure(stderr, code) });
    });
  });
}

/**
 * The installer's failure in words a person can act on: a download site that cannot be reached is
 * said as such (the installer prints got's "RequestError: getaddrinfo ENOTFOUND github.com").
 * @param {string} stderr
 * @param {number | null} code
 * @returns {string}
 */
export function describeInstallFailure(stderr, code) {
  const firstLine = stderr.split('\n').find((l) => l.trim())?.trim();
  if (!firstLine) return `its installer stopped (exit code ${code ?? 'none'}) without saying why`;
  const network = /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH)\b\s*([\w.-]*)/.exec(firstLine);
  if (network) return `its download site${network[2] ? `, ${network[2]},` : ''} cannot be reached from this machine`;
  return firstLine;
}
