/**
 * The real desktop shell, through Playwright's Electron driver. Runs when the Electron binary is present
 * (`node node_modules/electron/install.js` fetched it); otherwise every test here is reported as skipped
 * with the reason. The browser-host suite covers the same renderer and handlers either way.
 */
import { _electron as electron, type ElectronApplication, type Page } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import { MAX_REQUEST_BYTES } from '../../contract/limits';
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

  test('no DevTools and no Reload without KEYRING_DEVTOOLS=1: not in the window, the menu or its shortcuts', async () => {
    const shell = await app.evaluate(({ BrowserWindow, Menu }) => {
      const contents = BrowserWindow.getAllWindows()[0]?.webContents;
      const prefs = (contents as unknown as { getLastWebPreferences(): Record<string, unknown> | null } | undefined)?.getLastWebPreferences();
      contents?.openDevTools();
      const roles: string[] = [];
      const top = Menu.getApplicationMenu()?.items ?? [];
      const walk = (items: typeof top): void => {
        for (const item of items) {
          if (item.role) roles.push(item.role.toLowerCase());
          if (item.submenu) walk(item.submenu.items);
        }
      };
      walk(top);
      return { devTools: prefs?.devTools, opened: contents?.isDevToolsOpened(), roles };
    });
    expect(shell.devTools).toBe(false);
    expect(shell.opened).toBe(false);
    expect(shell.roles).toEqual(expect.arrayContaining(['copy', 'paste', 'undo', 'quit']));
    expect(shell.roles).not.toContain('toggledevtools');
    expect(shell.roles).not.toContain('reload');
    expect(shell.roles).not.toContain('forcereload');
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

  test('a request larger than the browser host takes is refused in main, before its schema is read', async () => {
    const reply = await page.evaluate(async (chars) => {
      const api = (window as unknown as { keyring: { request(c: string, p: unknown): Promise<unknown> } }).keyring;
      return api.request('keys:import', { files: ['A'.repeat(chars)] });
    }, MAX_REQUEST_BYTES + 1);
    expect(reply).toMatchObject({ ok: false, error: { code: 'invalid-argument', message: expect.stringMatching(/^This request is larger than/) as unknown } });
  });

  test('a page asking whether it has a permission is told no', async () => {
    const states = await page.evaluate(async () => ({
      notifications: Notification.permission,
      geolocation: (await navigator.permissions.query({ name: 'geolocation' })).state,
      camera: (await navigator.permissions.query({ name: 'camera' })).state,
    }));
    expect(states).toEqual({ notifications: 'denied', geolocation: 'denied', camera: 'denied' });
  });

  test.describe('links to the outside', () => {
    test.beforeEach(async () => {
      // Record what main would hand to the system browser instead of opening it.
      await app.evaluate(({ shell }) => {
        const opened: string[] = [];
        (globalThis as { opened?: string[] }).opened = opened;
        shell.openExternal = (url: string) => {
          opened.push(url);
          return Promise.resolve();
        };
      });
    });
    const opened = () => app.evaluate(() => (globalThis as { opened?: string[] }).opened ?? []);
    const addLink = (href: string) =>
      page.evaluate((url) => {
        const a = Object.assign(document.createElement('a'), { href: url, target: '_blank', textContent: `link ${url}` });
        a.dataset.testid = 'outside-link';
        document.body.prepend(a);
      }, href);

    test('a script opening a window with no click opens nothing, not even https', async () => {
      await page.evaluate(() => window.open('https://example.com/by-script'));
      await page.waitForTimeout(1_500);
      expect(await opened()).toEqual([]);
    });

    test('a click on an https link opens it in the system browser, once', async () => {
      await addLink('https://example.com/clicked');
      await page.getByTestId('outside-link').click();
      await expect.poll(opened).toEqual(['https://example.com/clicked']);
      // The click is used up: a script cannot open a second link on it.
      await page.evaluate(() => window.open('https://example.com/riding-on-the-click'));
      await page.waitForTimeout(300);
      expect(await opened()).toEqual(['https://example.com/clicked']);
      await page.getByTestId('outside-link').evaluate((a) => a.remove());
    });

    test('a click on a link that is not https opens nothing', async () => {
      await addLink('http://example.com/plain');
      await page.getByTestId('outside-link').click();
      await page.waitForTimeout(500);
      expect(await opened()).toEqual([]);
      expect(app.windows()).toHaveLength(1);
      await page.getByTestId('outside-link').evaluate((a) => a.remove());
    });
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
