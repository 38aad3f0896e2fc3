import { BrowserWindow, shell, type App } from 'electron';
import { join } from 'node:path';
import { APP_ORIGIN, APP_START_URL } from './app-protocol.js';
import { ExternalLinkPolicy } from './link-policy.js';
import { mainWindowOptions } from './shell-policy.js';

/** The app's one window; `devTools` from shell-policy.ts (never in the packaged app). */
export function createMainWindow(options: { devTools: boolean }): BrowserWindow {
  const window = new BrowserWindow(mainWindowOptions({ preload: join(import.meta.dirname, '..', 'preload', 'index.cjs'), devTools: options.devTools }));
  window.once('ready-to-show', () => window.show());
  void window.loadURL(APP_START_URL);
  return window;
}

/**
 * Applies to every web contents the app ever creates: no navigation away from the app, no new windows,
 * no <webview>, no permissions (neither granted on request nor reported as granted when a page checks),
 * no DevTools unless allowed (shell-policy.ts).
 * An https link opens in the system browser only right after the user's own click or key press in that
 * web contents (link-policy.ts), never inside the app and never from a script alone.
 */
export function hardenWebContents(app: App, options: { devTools: boolean }): void {
  app.on('web-contents-created', (_event, contents) => {
    // Without DevTools allowed, any that open anyway (a web contents made without our preferences) close.
    if (!options.devTools) contents.on('devtools-opened', () => contents.closeDevTools());
    contents.on('will-navigate', (event, url) => {
      if (!url.startsWith(`${APP_ORIGIN}/`)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    const links = new ExternalLinkPolicy();
    // Input events come from the OS through the browser process; a script cannot forge them.
    contents.on('input-event', (_e, input) => links.noteInput(input, Date.now()));
    contents.setWindowOpenHandler(({ url }) => {
      const link = links.decide(url, Date.now());
      // No system browser to open it with is not the page's concern; the link stays on screen as text.
      if (link !== undefined) shell.openExternal(link).catch(() => undefined);
      return { action: 'deny' };
    });
    contents.session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
    contents.session.setPermissionCheckHandler(() => false);
  });
}
