/**
 * `npm start` without Electron (scripts/start.mjs): which browser opens the app window, with what
 * arguments, and the launch page that carries the link to it. No real browser is started here (cheap: a
 * stand-in program); test/e2e/app-window.spec.ts opens a real Chromium window.
 */
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { appDataDir, appWindowArgs, findAppBrowser, launchPageHtml, openAppWindow, writeLaunchPage } from '../../scripts/app-window.mjs';

const only = (...files: string[]) => (file: string) => files.includes(file);

describe('the app window’s browser', () => {
  it('is the first Chromium or Chrome on PATH, Chromium first', () => {
    const env = { PATH: '/opt/bin:/usr/bin' };
    expect(findAppBrowser({ env, os: 'linux', executable: only('/usr/bin/google-chrome', '/usr/bin/chromium') })).toBe('/usr/bin/chromium');
    expect(findAppBrowser({ env, os: 'linux', executable: only('/usr/bin/google-chrome') })).toBe('/usr/bin/google-chrome');
  });

  it('is found where macOS installs it, off PATH', () => {
    expect(findAppBrowser({ env: { PATH: '/usr/bin' }, os: 'darwin', executable: only('/Applications/Google Chrome.app/Contents/MacOS/Google Chrome') })).toBe(
      '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
    );
  });

  it('is none when there is none (then start.mjs prints the link), or when KEYRING_BROWSER is set empty', () => {
    expect(findAppBrowser({ env: { PATH: '/usr/bin' }, os: 'linux', executable: () => false })).toBeUndefined();
    expect(findAppBrowser({ env: { PATH: '/usr/bin', KEYRING_BROWSER: '' }, os: 'linux', executable: () => true })).toBeUndefined();
    expect(findAppBrowser({ env: { PATH: '/usr/bin', KEYRING_BROWSER: '/x/brave' }, os: 'linux', executable: only('/x/brave') })).toBe('/x/brave');
  });

  it('opens an app window on the link with a profile of its own under the app’s data folder', () => {
    const dataDir = appDataDir(['--data-dir', '/tmp/kr'], {}, 'linux');
    expect(dataDir).toBe('/tmp/kr');
    const args = appWindowArgs('http://127.0.0.1:4000/#token=abc', join(dataDir, 'browser-window'));
    expect(args).toContain('--app=http://127.0.0.1:4000/#token=abc');
    expect(args).toContain('--user-data-dir=/tmp/kr/browser-window');
    expect(appDataDir([], { XDG_CONFIG_HOME: '/home/j/.config' }, 'linux')).toBe('/home/j/.config/Keyring for XMPP');
  });
});

/**
 * The link carries the browser host's token, and every local user reads every process's command line
 * (`ps`, /proc/PID/cmdline): the window is opened on a private launch page instead, which forwards to the link.
 */
describe('the app window’s launch page', () => {
  const LINK = 'http://127.0.0.1:4000/#token=s3cr3t-t0ken_value';
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyring-launch-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('puts the link on no command line: the window is started on the page, which forwards to it', async () => {
    const dataDir = tempDir();
    // The "browser": any long-lived program, started with the arguments the launcher gives the real one.
    const standIn = join(dataDir, 'browser');
    // (No `exec`: the shell keeps its arguments in /proc; its sleep goes with it.)
    writeFileSync(standIn, '#!/bin/sh\ntrap \'kill $! 2>/dev/null; exit 0\' TERM\nsleep 30 &\nwait\n', { mode: 0o700 });
    const { window, launchPage } = openAppWindow(standIn, LINK, { dataDir });
    try {
      await new Promise((resolve) => window.once('spawn', resolve));
      const cmdline = readFileSync(`/proc/${window.pid}/cmdline`, 'utf8').split('\0');
      expect(cmdline.join(' ')).not.toContain('s3cr3t-t0ken_value');
      expect(cmdline).toContain(`--app=${launchPage.href}`);
      expect(launchPage.href).toMatch(/^file:\/\/\/.*\/app-window-launch\/launch-[0-9a-f]{32}\.html$/);
      expect(readFileSync(launchPage.file, 'utf8')).toContain(`location.replace(${JSON.stringify(LINK)})`);
    } finally {
      window.kill();
      launchPage.remove();
    }
    expect(existsSync(launchPage.file)).toBe(false);
  });

  it('is readable by this user alone, in a folder only this user enters, under a new random name', () => {
    const dir = join(tempDir(), 'launch');
    const first = writeLaunchPage(dir, LINK);
    const second = writeLaunchPage(dir, LINK);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(first.file).mode & 0o777).toBe(0o600);
    expect(second.file).not.toBe(first.file);
  });

  it('tightens a folder of its own left open to others, and refuses one that is another user’s', () => {
    const dir = join(tempDir(), 'launch');
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o777);
    writeLaunchPage(dir, LINK);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    if (process.getuid?.() !== 0) return; // only root can hand a folder to another user
    chownSync(dir, 65534, 65534);
    expect(() => writeLaunchPage(dir, LINK)).toThrow(`its launch page could not be written in ${dir}: the folder belongs to another user`);
  });

  it('forwards only to the local browser host, and no link can end its script early', () => {
    expect(() => writeLaunchPage(tempDir(), 'https://evil.example/#token=x')).toThrow('not the local browser host');
    const html = launchPageHtml('http://127.0.0.1:4000/#token=</script><script>alert(1)</script>');
    expect(html).not.toContain('</script><script>alert');
    expect(html.match(/<script>/g)).toHaveLength(1);
  });

  it('removes the pages an earlier run left behind (killed before it could), not a page still waiting for its window', () => {
    const dir = join(tempDir(), 'launch');
    const old = writeLaunchPage(dir, LINK);
    const older = Date.now() / 1000 - 3600;
    utimesSync(old.file, older, older);
    const fresh = writeLaunchPage(dir, LINK);
    writeLaunchPage(dir, LINK);
    expect(existsSync(old.file)).toBe(false);
    expect(existsSync(fresh.file)).toBe(true);
  });

  it('is removed once its window has had the time to load it', async () => {
    const dataDir = tempDir();
    const { window, launchPage } = openAppWindow('/bin/true', LINK, { dataDir, lifetimeMs: 50 });
    await new Promise((resolve) => window.once('exit', resolve));
    await expect.poll(() => existsSync(launchPage.file)).toBe(false);
  });
});
