// Opening the browser host's UI the way a desktop app looks: an app window (`--app=URL`: no tabs, no
// address bar) of the Chromium or Chrome installed on this machine, with a profile folder of its own
// under the app's data folder, so it shares nothing with the user's everyday browsing (cookies,
// extensions, history). Used by `npm start` when the Electron binary is not there (scripts/start.mjs).
import { accessSync, constants } from 'node:fs';
import { homedir, platform } from 'node:os';
import { delimiter, join } from 'node:path';

/** Names of Chromium-family browsers on PATH, most specific first. */
const PATH_NAMES = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome', 'chrome'];

/** Where macOS and Windows install them (not on PATH there). */
function installedPaths(env, os) {
  if (os === 'darwin') {
    return [
      '/Applications/Chromium.app/Contents/MacOS/Chromium',
      '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
      join(homedir(), 'Applications', 'Google Chrome.app', 'Contents', 'MacOS', 'Google Chrome'),
    ];
  }
  if (os === 'win32') {
    return [env.PROGRAMFILES, env['PROGRAMFILES(X86)'], env.LOCALAPPDATA]
      .filter(Boolean)
      .flatMap((base) => [join(base, 'Google', 'Chrome', 'Application', 'chrome.exe'), join(base, 'Chromium', 'Application', 'chrome.exe')]);
  }
  return [];
}

function isExecutable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The browser to open the app window with: $KEYRING_BROWSER when set (empty: none), else the first
 * Chromium or Chrome on PATH or where the OS installs it; undefined when there is none.
 */
export function findAppBrowser({ env = process.env, os = platform(), executable = isExecutable } = {}) {
  if (env.KEYRING_BROWSER !== undefined) return env.KEYRING_BROWSER !== '' && executable(env.KEYRING_BROWSER) ? env.KEYRING_BROWSER : undefined;
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  const suffix = os === 'win32' ? '.exe' : '';
  for (const name of PATH_NAMES) {
    for (const dir of dirs) {
      const file = join(dir, name + suffix);
      if (executable(file)) return file;
    }
  }
  return installedPaths(env, os).find((file) => executable(file));
}

/**
 * The browser's arguments: an app window on `url`, its own profile in `profileDir`, and no first-run
 * questions or default-browser nagging in that profile.
 */
export function appWindowArgs(url, profileDir) {
  return [`--app=${url}`, `--user-data-dir=${profileDir}`, '--no-first-run', '--no-default-browser-check', '--window-size=1280,800'];
}

/** The app's data folder, as main/data-dir.ts has it (the browser profile goes in a subfolder). */
export function appDataDir(args, env = process.env, os = platform()) {
  const index = args.indexOf('--data-dir');
  if (index >= 0 && args[index + 1]) return args[index + 1];
  const name = 'Keyring for XMPP';
  if (os === 'darwin') return join(homedir(), 'Library', 'Application Support', name);
  if (os === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), name);
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), name);
}
