/**
 * What the desktop shell offers beyond the page: DevTools and the application menu. The page can ask
 * main to act for the signed-in account (window.keyring.request), so a console that someone talks a
 * person into pasting a line into would act as that person. The shipped app therefore has no DevTools
 * and no menu item or shortcut that opens them or reloads the page; a development run gets them only
 * when asked for with KEYRING_DEVTOOLS=1, since `npm start` runs the app unpackaged for people using it
 * from source too. Decisions only (types from Electron, nothing at run time), so unit tests cover them
 * (test/unit/electron-shell-policy.test.ts); index.ts and window.ts apply them.
 */
import type { BrowserWindowConstructorOptions, MenuItemConstructorOptions } from 'electron';

/** The environment variable that turns DevTools on in a development run. */
export const DEVTOOLS_FLAG = 'KEYRING_DEVTOOLS';

export interface ShellRun {
  /** Electron's app.isPackaged: the installed app, as electron-builder made it. */
  packaged: boolean;
  env: Readonly<Record<string, string | undefined>>;
}

/** DevTools only in a development run that asked for them; never in the packaged app, whatever its environment. */
export function devToolsAllowed(run: ShellRun): boolean {
  return !run.packaged && run.env[DEVTOOLS_FLAG] === '1';
}

/** The main window's options: isolated, sandboxed, no Node, and DevTools only when allowed. */
export function mainWindowOptions(options: { preload: string; devTools: boolean }): BrowserWindowConstructorOptions {
  return {
    width: 1100,
    height: 760,
    // The smallest size the screens are checked at (test/e2e screenshots at 800×600).
    minWidth: 800,
    minHeight: 600,
    title: 'Keyring for XMPP',
    show: false,
    webPreferences: {
      preload: options.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      spellcheck: false,
      devTools: options.devTools,
    },
  };
}

/**
 * The application menu, in place of Electron's default one (whose View menu has Reload and Toggle
 * Developer Tools, with their shortcuts). Edit stays, with its roles, since on macOS copy, paste and
 * undo in text fields work only through menu items; Quit stays; zoom stays for people who need larger
 * text. Reload and DevTools only when DevTools are allowed.
 */
export function applicationMenu(options: { platform: NodeJS.Platform; devTools: boolean; appName: string }): MenuItemConstructorOptions[] {
  const mac = options.platform === 'darwin';
  const appMenu: MenuItemConstructorOptions = mac
    ? {
        label: options.appName,
        submenu: [{ role: 'about' }, { type: 'separator' }, { role: 'hide' }, { role: 'hideOthers' }, { role: 'unhide' }, { type: 'separator' }, { role: 'quit' }],
      }
    : { label: 'File', submenu: [{ role: 'quit' }] };
  const edit: MenuItemConstructorOptions = {
    label: 'Edit',
    submenu: [
      { role: 'undo' },
      { role: 'redo' },
      { type: 'separator' },
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      ...(mac ? [{ role: 'pasteAndMatchStyle' } as const] : []),
      { role: 'delete' },
      { type: 'separator' },
      { role: 'selectAll' },
    ],
  };
  const view: MenuItemConstructorOptions = {
    label: 'View',
    submenu: [
      ...(options.devTools ? [{ role: 'reload' } as const, { role: 'forceReload' } as const, { role: 'toggleDevTools' } as const, { type: 'separator' } as const] : []),
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
    ],
  };
  return [appMenu, edit, view, ...(mac ? [{ role: 'windowMenu' } as const] : [])];
}
