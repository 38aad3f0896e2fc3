/**
 * The real desktop shell, through Playwright's Electron driver. Runs when the Electron binary is present
 * (`node node_modules/electron/install.js` fetched it); otherwise every test here is reported as skipped
 * with the reason. The browser-host suite covers the same renderer and handlers either way.
 */
import { _electron as electron, type ElectronApplication, type Page } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import { findElectronBinary } from '../../scripts/electron-binary.mjs';
import { expect, test } from './fixtures';

const binary = findElectronBinary();
const root = fileURLToPath(new URL('../..', import.meta.url));

test.describe('the Electron desktop shell', () => {
  test.skip(
    binary === undefined,
    'Electron binary not present (its download is blocked here); run `node node_modules/electron/install.js` to enable',
  );

  let app: ElectronApplication;
  let page: Page;

  test.beforeAll(async () => {
    const asRoot = process.getuid?.() === 0 ? ['--no-sandbox'] : [];
    app = await electron.launch({ executablePath: binary, args: [...asRoot, root] });
    page = await app.firstWindow();
  });

  test.afterAll(async () => {
    await app?.close();
  });

  test('the window is isolated, sandboxed and without Node', async () => {
    const prefs = await app.evaluate(({ BrowserWindow }) => {
      // getLastWebPreferences (untyped, used by Electron's own specs) reports what the renderer was
      // actually created with, after app.enableSandbox() and any defaults.
      const contents = BrowserWindow.getAllWindows()[0]?.webContents as unknown as
        | { getLastWebPreferences(): Record<string, unknown> | null }
        | undefined;
      const p = contents?.getLastWebPreferences();
      return { contextIsolation: p?.contextIsolation, sandbox: p?.sandbox, nodeIntegration: p?.nodeIntegration };
    });
    expect(prefs).toEqual({ contextIsolation: true, sandbox: true, nodeIntegration: false });
    expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
    expect(await page.evaluate(() => typeof (globalThis as { process?: unknown }).process)).toBe('undefined');
    expect(page.url()).toBe('app://keyring/index.html');
  });

  test('a request goes renderer → preload → main handler and back', async () => {
    await expect(page.getByText('desktop app')).toBeVisible();
    const info = await page.evaluate(async () => {
      const api = (window as unknown as { keyring: { request(c: string): Promise<unknown> } }).keyring;
      return api.request('app:getInfo');
    });
    expect(info).toMatchObject({ ok: true, value: { host: 'electron' } });
    const bad = await page.evaluate(async () => {
      const api = (window as unknown as { keyring: { request(c: string, p: unknown): Promise<unknown> } }).keyring;
      return api.request('account:connect', { jid: 42 });
    });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid-argument', field: 'jid' } });
  });

  test('navigation away and new windows are denied', async () => {
    await page.evaluate(() => {
      window.location.href = 'https://example.com/';
    });
    await page.waitForTimeout(300);
    expect(page.url()).toBe('app://keyring/index.html');
    expect(await page.evaluate(() => window.open('https://example.com/') === null)).toBe(true);
    expect(app.windows()).toHaveLength(1);
  });
});
