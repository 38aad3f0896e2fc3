/**
 * `npm start` without Electron opens the browser host in an app window of Chromium (scripts/start.mjs,
 * scripts/app-window.mjs openAppWindow). Here the real built host and a real Chromium (headless, with a
 * debugging port for the test to look in): the window reaches the app with the token, and no process
 * on the machine has the token on its command line or in its environment, which every local user can
 * read (`ps`, /proc/PID/cmdline); with it, a local program drives the host (it sends any Origin it likes).
 */
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from '@playwright/test';
import { openAppWindow } from '../../scripts/app-window.mjs';
import { expect, test } from './fixtures';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Every process whose command line or environment names `secret`, as "PID: where". */
async function processesNaming(secret: string): Promise<string[]> {
  const found: string[] = [];
  for (const pid of (await readdir('/proc')).filter((name) => /^\d+$/.test(name))) {
    for (const part of ['cmdline', 'environ']) {
      // A process that ended meanwhile, or another user's environment: nothing to read.
      const text = await readFile(`/proc/${pid}/${part}`, 'latin1').catch(() => '');
      const naming = text.split('\0').filter((item) => item.includes(secret));
      if (naming.length > 0) found.push(`${pid} ${part}: ${naming.join(' ').replaceAll(secret, '<token>')}`);
    }
  }
  return found;
}

/** The port Chromium's DevTools listens on, once it wrote it into the profile. */
async function devToolsPort(profile: string): Promise<number> {
  await expect.poll(() => readFile(join(profile, 'DevToolsActivePort'), 'utf8').catch(() => ''), { timeout: 30_000 }).toMatch(/^\d+\n/);
  return Number((await readFile(join(profile, 'DevToolsActivePort'), 'utf8')).split('\n')[0]);
}

test('the app window reaches the app, and its token is on no process’s command line', async ({ launchApp }) => {
  // A cold Chromium on a machine busy with other tests takes its time to start and to end.
  test.setTimeout(120_000);
  const host = await launchApp();
  const dataDir = await mkdtemp(join(tmpdir(), 'keyring-app-window-'));
  const { window, launchPage } = openAppWindow(CHROMIUM, host.url, {
    dataDir,
    extraArgs: [
      '--headless=new',
      '--remote-debugging-port=0',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
    ],
  });
  let browser: Browser | undefined;
  try {
    // The launch page: in a folder only this user enters, readable by this user only.
    const page = fileURLToPath(launchPage.href);
    expect((await stat(dirname(page))).mode & 0o777).toBe(0o700);
    expect((await stat(page)).mode & 0o777).toBe(0o600);

    browser = await chromium.connectOverCDP(`http://127.0.0.1:${await devToolsPort(join(dataDir, 'browser-window'))}`);
    const context = browser.contexts()[0];
    await expect.poll(() => context?.pages().some((p) => p.url().startsWith(host.origin)), { timeout: 30_000 }).toBe(true);
    const app = context?.pages().find((p) => p.url().startsWith(host.origin));
    if (!app) throw new Error('no app window page');
    // app:getInfo answered over the WebSocket: the token reached the page and the host took it.
    await expect(app.getByText('browser host')).toBeVisible({ timeout: 30_000 });
    expect(new URL(app.url()).hash).toBe('');

    expect(await processesNaming(host.token)).toEqual([]);
    launchPage.remove();
    await expect(stat(page)).rejects.toThrow();
  } finally {
    // Chromium is closed the way its own menu closes it (Browser.close over CDP), so its helper
    // processes end and stop writing into the profile before the folder is removed; SIGTERM, then
    // SIGKILL, only when it does not end by itself. (SIGTERM alone left helpers writing into
    // Default/ while the folder was being removed, and once left the test waiting until its timeout.)
    const ended = new Promise((resolve) => (window.exitCode !== null || window.signalCode !== null ? resolve(null) : window.once('exit', resolve)));
    const endedWithin = (ms: number) => Promise.race([ended.then(() => true), new Promise<boolean>((resolve) => setTimeout(resolve, ms, false))]);
    await browser
      ?.newBrowserCDPSession()
      .then((session) => session.send('Browser.close'))
      .catch(() => undefined);
    if (!(await endedWithin(10_000))) window.kill('SIGTERM');
    if (!(await endedWithin(5_000))) window.kill('SIGKILL');
    await ended;
    await browser?.close().catch(() => undefined);
    launchPage.remove();
    await rm(dataDir, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 });
  }
});
