// `npm start`: build, then open the desktop app. The Electron binary is fetched on first start when it
// can be; where it cannot (no network, blocked download), the same app runs in the browser host and
// opens in an app window of the installed Chromium or Chrome (app-window.mjs); only when there is no
// such browser (or no display) does it print the link to open.
// `npm start -- --browser` (or `npm run start:browser`) goes to the browser host directly and prints the link.
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { appDataDir, findAppBrowser, openAppWindow } from './app-window.mjs';
import { fetchElectronBinary, findElectronBinary } from './electron-binary.mjs';
import { HOST_V8_FLAGS } from './host-v8-flags.mjs';

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
  : spawn(process.execPath, [...HOST_V8_FLAGS, `${root}out/main/browser-host.js`, ...passThrough], { cwd: root, stdio: ['inherit', 'pipe', 'inherit'] });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
if (!electron) followBrowserHost(child, browserOnly ? undefined : windowBrowser());

/** The browser for an app window: none without a display (Linux), or when there is none installed. */
function windowBrowser() {
  const headless = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
  return headless ? undefined : findAppBrowser();
}

/**
 * Passes the browser host's output on, except its link line when an app window opens on that link
 * instead (the link then is printed only if the window fails to start). Closing the window ends the app,
 * as closing the desktop window does.
 */
function followBrowserHost(host, browser) {
  const LINK = /running in your browser at: (\S+)/;
  createInterface({ input: host.stdout }).on('line', (line) => {
    const url = LINK.exec(line)?.[1];
    if (!url || !browser) {
      console.log(line);
      return;
    }
    const fallBack = (why) => {
      console.log(`keyring: could not open an app window (${why}). ${line}`);
    };
    const started = Date.now();
    let window;
    try {
      // Never `--app=<the link>`: every local user could read the token on the command line
      // (app-window.mjs, openAppWindow).
      ({ window } = openAppWindow(browser, url, { dataDir: appDataDir(passThrough), extraArgs: browserFlags() }));
    } catch (error) {
      fallBack(error instanceof Error ? error.message : String(error));
      return;
    }
    console.log(`keyring: opened in an app window of ${browser}. Close it (or press Ctrl+C here) to stop.`);
    window.on('error', (error) => {
      const why = { ENOENT: 'it is not there', EACCES: 'it may not be run' }[error.code] ?? error.code ?? error.message;
      fallBack(`${browser} could not be started: ${why}`);
    });
    window.on('exit', (code) => {
      // A browser that ended at once (no display, or it handed the window to one already running): the
      // link, so the app stays usable. Otherwise the user closed the window: the app ends with it.
      if (Date.now() - started < 5_000) fallBack(`${browser} ended at once, code ${code}`);
      else host.kill('SIGTERM');
    });
  });
}

function browserFlags() {
  // As for Electron: Chromium will not sandbox its renderers for root, so say so rather than hide it.
  if (process.getuid?.() === 0) {
    console.log('keyring: running as root, so Chromium’s OS sandbox is off in the app window (--no-sandbox). Run as a normal user.');
    return ['--no-sandbox'];
  }
  return [];
}

function electronFlags() {
  // Chromium cannot sandbox its renderers for the root user and refuses to start; say so instead of
  // silently weakening it for everyone.
  if (process.getuid?.() === 0) {
    console.log('keyring: running as root, so Chromium’s OS sandbox is off (--no-sandbox). Run as a normal user.');
    return ['--no-sandbox'];
  }
  return [];
}
