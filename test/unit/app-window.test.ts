/**
 * `npm start` without Electron (scripts/start.mjs): which browser opens the app window, and with what
 * arguments. The window itself is not started here (cheap: no browser process).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appDataDir, appWindowArgs, findAppBrowser } from '../../scripts/app-window.mjs';

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
