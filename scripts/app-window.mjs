// Opening the browser host's UI the way a desktop app looks: an app window (`--app=URL`: no tabs, no
// address bar) of the Chromium or Chrome installed on this machine, with a profile folder of its own
// under the app's data folder, so it shares nothing with the user's everyday browsing (cookies,
// extensions, history). Used by `npm start` when the Electron binary is not there (scripts/start.mjs).
//
// The link carries the browser host's token, and a process's command line is readable by every local
// user (`ps`, /proc/PID/cmdline): anyone holding the token drives the app (a local program sends any
// Origin it likes). So the window is not opened on the link: it is opened on a launch page written for
// the moment into a folder of the app's data folder that only this user can enter, and that page
// forwards to the link. Only the page's path is on the command line.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, chmodSync, closeSync, constants, lstatSync, mkdirSync, openSync, readdirSync, rmSync, writeSync } from 'node:fs';
import { homedir, platform } from 'node:os';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';

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

/**
 * How long a launch page is kept for its window. Long enough for a cold Chromium on a busy machine
 * to read it; it is removed sooner when the launcher ends. (Chromium reads the page once, at start; the
 * launcher cannot see that moment, so it waits this long. The page is readable by this user alone, who
 * can read the token in the window's profile anyway.)
 */
export const LAUNCH_PAGE_LIFETIME_MS = 30_000;

/** The folder of launch pages, beside the window's profile in the app's data folder. */
const LAUNCH_DIR = 'app-window-launch';
const LAUNCH_PAGE_NAME = /^launch-[0-9a-f]{32}\.html$/;

/**
 * The launch page: it replaces itself with the link (no history entry to go back to), so the token
 * stays in the fragment, which is never sent to a server. The link is a JSON string in the script,
 * with `<` escaped so nothing in it can end the script early.
 */
export function launchPageHtml(url) {
  const link = JSON.stringify(url).replace(/</g, '\\u003c');
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<meta charset="utf-8">',
    '<meta name="referrer" content="no-referrer">',
    '<title>Keyring for XMPP</title>',
    `<script>location.replace(${link});</script>`,
    '</html>',
    '',
  ].join('\n');
}

/**
 * Writes a launch page for `url` (the browser host's link, on 127.0.0.1 or localhost only) into `dir`:
 * the folder made 0700 and checked to be this user's own, the file created 0600 under a random name
 * that must not exist yet (O_EXCL: no file or link planted there is followed). Pages older than
 * `lifetimeMs` that an earlier run could not remove (it was killed) are removed first.
 * Throws an Error whose message a person can read.
 * @returns {{ file: string, href: string, remove: () => void }}
 */
export function writeLaunchPage(dir, url, { lifetimeMs = LAUNCH_PAGE_LIFETIME_MS, now = Date.now() } = {}) {
  const link = new URL(url);
  if (link.protocol !== 'http:' || (link.hostname !== '127.0.0.1' && link.hostname !== 'localhost')) {
    throw new Error(`the link is not the local browser host's (${link.origin})`);
  }
  try {
    makePrivateDir(dir);
    removeStalePages(dir, now - lifetimeMs);
    const file = join(dir, `launch-${randomBytes(16).toString('hex')}.html`);
    const fd = openSync(file, 'wx', 0o600);
    try {
      writeSync(fd, launchPageHtml(url));
    } finally {
      closeSync(fd);
    }
    return { file, href: pathToFileURL(file).href, remove: () => rmSync(file, { force: true }) };
  } catch (error) {
    throw new Error(`its launch page could not be written in ${dir}: ${reason(error)}`);
  }
}

function makePrivateDir(dir) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = lstatSync(dir);
  if (!stat.isDirectory()) throw new Error('it is not a folder');
  // File modes and owners mean nothing on Windows; a user's AppData is theirs alone there.
  if (process.platform === 'win32') return;
  if (stat.uid !== process.getuid()) throw new Error('the folder belongs to another user');
  if ((stat.mode & 0o077) !== 0) chmodSync(dir, 0o700);
}

function removeStalePages(dir, before) {
  for (const name of readdirSync(dir)) {
    if (!LAUNCH_PAGE_NAME.test(name)) continue;
    const file = join(dir, name);
    if (lstatSync(file).mtimeMs < before) rmSync(file, { force: true });
  }
}

function reason(error) {
  const code = error && typeof error === 'object' && 'code' in error ? error.code : undefined;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOSPC') return 'the disk is full';
  if (code === 'EROFS') return 'the disk is read-only';
  if (code === 'EEXIST') return 'a file of that name is already there';
  if (code === 'ENOTDIR') return 'part of the path is not a folder';
  return error instanceof Error && !code ? error.message : `error ${code ?? 'unknown'}`;
}

/**
 * Opens the app window on `url` through a launch page (writeLaunchPage) in the app's data folder
 * `dataDir`, with the window's profile beside it. The page is removed after `lifetimeMs`, when the
 * browser cannot be started, and when this process exits, whichever comes first.
 * Throws (a readable message) when the page cannot be written; the window is then not started.
 * @returns {{ window: import('node:child_process').ChildProcess, launchPage: { file: string, href: string, remove: () => void } }}
 */
export function openAppWindow(browser, url, { dataDir, extraArgs = [], lifetimeMs = LAUNCH_PAGE_LIFETIME_MS }) {
  const launchPage = writeLaunchPage(join(dataDir, LAUNCH_DIR), url, { lifetimeMs });
  const window = spawn(browser, [...appWindowArgs(launchPage.href, join(dataDir, 'browser-window')), ...extraArgs], { stdio: 'ignore' });
  const remove = () => {
    clearTimeout(timer);
    process.off('exit', remove);
    launchPage.remove();
  };
  const timer = setTimeout(remove, lifetimeMs);
  timer.unref();
  window.once('error', remove);
  process.once('exit', remove);
  return { window, launchPage: { ...launchPage, remove } };
}
