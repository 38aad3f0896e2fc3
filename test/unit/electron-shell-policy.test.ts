/**
 * What the desktop shell offers beyond the page (main/electron/shell-policy.ts): the packaged app has
 * no DevTools and no menu item or shortcut that opens them or reloads the page, so nobody can be talked
 * into pasting a line into a console that drives window.keyring. Edit (copy, paste, undo) and Quit stay.
 * Electron itself is not run here (its binary cannot be fetched); test/e2e/electron.spec.ts checks the
 * wiring where it can.
 */
import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { applicationMenu, devToolsAllowed, mainWindowOptions } from '../../main/electron/shell-policy.js';

/** Every role in a menu template, submenus included. */
function roles(template: readonly MenuItemConstructorOptions[]): string[] {
  return template.flatMap((item) => [
    ...(item.role ? [item.role] : []),
    ...(Array.isArray(item.submenu) ? roles(item.submenu) : []),
  ]);
}

const PLATFORMS = ['darwin', 'linux', 'win32'] as const;
const DEV_ROLES = ['reload', 'forceReload', 'toggleDevTools'];

describe('DevTools', () => {
  it('never in the packaged app, whatever its environment says', () => {
    expect(devToolsAllowed({ packaged: true, env: {} })).toBe(false);
    expect(devToolsAllowed({ packaged: true, env: { KEYRING_DEVTOOLS: '1' } })).toBe(false);
  });

  it('in a development run only when asked for (npm start runs it unpackaged for people using it from source too)', () => {
    expect(devToolsAllowed({ packaged: false, env: {} })).toBe(false);
    expect(devToolsAllowed({ packaged: false, env: { KEYRING_DEVTOOLS: '0' } })).toBe(false);
    expect(devToolsAllowed({ packaged: false, env: { KEYRING_DEVTOOLS: 'yes' } })).toBe(false);
    expect(devToolsAllowed({ packaged: false, env: { KEYRING_DEVTOOLS: '1' } })).toBe(true);
  });

  it('the window is created with DevTools off unless allowed, and keeps its isolation either way', () => {
    const shipped = mainWindowOptions({ preload: '/app/preload/index.cjs', devTools: false }).webPreferences;
    expect(shipped).toMatchObject({ devTools: false, contextIsolation: true, sandbox: true, nodeIntegration: false, preload: '/app/preload/index.cjs' });
    expect(mainWindowOptions({ preload: '/p', devTools: true }).webPreferences).toMatchObject({ devTools: true, contextIsolation: true, sandbox: true });
  });
});

describe('the application menu', () => {
  it.each(PLATFORMS)('%s, shipped: no Reload or DevTools; Edit and Quit kept', (platform) => {
    const shipped = roles(applicationMenu({ platform, devTools: false, appName: 'Keyring for XMPP' }));
    for (const role of DEV_ROLES) expect(shipped).not.toContain(role);
    expect(shipped).toEqual(expect.arrayContaining(['undo', 'redo', 'cut', 'copy', 'paste', 'selectAll', 'quit']));
  });

  it.each(PLATFORMS)('%s, development run with DevTools: Reload and DevTools are there', (platform) => {
    expect(roles(applicationMenu({ platform, devTools: true, appName: 'Keyring for XMPP' }))).toEqual(expect.arrayContaining(DEV_ROLES));
  });

  it('macOS gets its app menu under the app’s name; elsewhere Quit is under File', () => {
    const mac = applicationMenu({ platform: 'darwin', devTools: false, appName: 'Keyring for XMPP' });
    expect(mac[0]?.label).toBe('Keyring for XMPP');
    expect(roles([mac[0] ?? {}])).toContain('quit');
    const linux = applicationMenu({ platform: 'linux', devTools: false, appName: 'Keyring for XMPP' });
    expect(linux[0]).toEqual({ label: 'File', submenu: [{ role: 'quit' }] });
  });
});
