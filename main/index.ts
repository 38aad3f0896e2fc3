/**
 * The Electron entry: app lifecycle, the window and its security policy, and the wiring of the
 * main-process core to IPC. Everything else lives in plain-TypeScript services (see core.ts).
 */
import { app, Menu, powerMonitor, protocol } from 'electron';
import { APP_VERSION } from './app-version.js';
import { createKeyringCore } from './core.js';
import { registerIpc } from './electron/ipc.js';
import { APP_SCHEME, registerAppProtocol } from './electron/app-protocol.js';
import { createMainWindow, hardenWebContents } from './electron/window.js';
import { applicationMenu, devToolsAllowed } from './electron/shell-policy.js';
import { consoleLogger } from './logger.js';
import { electronKeychain } from './electron/keychain.js';

// Every renderer runs sandboxed, whatever a window's own preferences say (as Element does).
app.enableSandbox();
// The UI is served from app://keyring/ so CSP 'self' means the app's own files and nothing else.
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  // The packaged app has no DevTools and no Reload; a development run only with KEYRING_DEVTOOLS=1.
  const devTools = devToolsAllowed({ packaged: app.isPackaged, env: process.env });
  hardenWebContents(app, { devTools });

  void app.whenReady().then(() => {
    // safeStorage and the user-data path are only usable once the app is ready.
    const core = createKeyringCore({
      host: 'electron',
      version: APP_VERSION,
      log: consoleLogger,
      dataDir: app.getPath('userData'),
      keychain: electronKeychain(),
      fetchKeysAtSignIn: true,
    });
    app.on('will-quit', () => {
      void core.dispose();
    });
    // The machine woke up, or was unlocked: a stream may have died meanwhile, and a reconnect waiting
    // for its backoff should not wait any longer (the browser host hears the page's 'online' event).
    const reconnectNow = (): void => void core.session.reconnectNow();
    powerMonitor.on('resume', reconnectNow);
    powerMonitor.on('unlock-screen', reconnectNow);
    registerAppProtocol();
    // Ours in place of Electron's default menu, whose View menu reloads the page and opens DevTools.
    Menu.setApplicationMenu(Menu.buildFromTemplate(applicationMenu({ platform: process.platform, devTools, appName: app.name })));
    const window = createMainWindow({ devTools });
    registerIpc(core, window);
    app.on('second-instance', () => {
      if (window.isMinimized()) window.restore();
      window.focus();
    });
  });

  app.on('window-all-closed', () => app.quit());
}
