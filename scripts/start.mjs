// `npm start`: build, then open the desktop app. The Electron binary is fetched on first start when it
// can be; where it cannot (no network, blocked download), the same app opens in the browser host.
// `npm start -- --browser` (or `npm run start:browser`) goes to the browser host directly.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { fetchElectronBinary, findElectronBinary } from './electron-binary.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const browserOnly = args.includes('--browser');
const passThrough = args.filter((a) => a !== '--browser');

const build = spawnSync(process.execPath, [`${root}node_modules/electron-vite/bin/electron-vite.js`, 'build'], {
  cwd: root,
  stdio: ['ignore', 'ignore', 'inherit'],
});
if (build.status !== 0) {
  console.error('keyring: the build failed (see above).');
  process.exit(build.status ?? 1);
}

let electron = browserOnly ? undefined : findElectronBinary();
if (!browserOnly && !electron) {
  console.log('keyring: fetching the Electron binary (first start)…');
  const fetched = await fetchElectronBinary();
  electron = fetched.ok ? findElectronBinary() : undefined;
  if (!electron) {
    console.log(
      `keyring: the Electron binary is not available (${fetched.reason || 'not found after download'}); ` +
        'get it with `node node_modules/electron/install.js` when online. Opening the browser host instead.',
    );
  }
}

const child = electron
  ? spawn(electron, [...electronFlags(), root, ...passThrough], { cwd: root, stdio: 'inherit' })
  : spawn(process.execPath, [`${root}out/main/browser-host.js`, ...passThrough], { cwd: root, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

function electronFlags() {
  // Chromium cannot sandbox its renderers for the root user and refuses to start; say so instead of
  // silently weakening it for everyone.
  if (process.getuid?.() === 0) {
    console.log('keyring: running as root, so Chromium’s OS sandbox is off (--no-sandbox). Run as a normal user.');
    return ['--no-sandbox'];
  }
  return [];
}
