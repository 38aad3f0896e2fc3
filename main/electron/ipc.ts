import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { IPC_EVENT, IPC_REQUEST } from '../../contract/wire.js';
import type { KeyringCore } from '../core.js';
import { refuseOversizedRequest } from '../ipc/request-size.js';
import { APP_ORIGIN } from './app-protocol.js';

/**
 * Routes the renderer's requests to the core's dispatcher (which validates every argument) and pushes
 * the core's events to the window. Requests from any frame other than our own window's top frame at our
 * own origin are refused (VS Code's and Fiddle's habit), and so is a request larger than the browser
 * host would take (request-size.ts), before anything reads it.
 */
export function registerIpc(core: KeyringCore, window: BrowserWindow): void {
  ipcMain.handle(IPC_REQUEST, async (event: IpcMainInvokeEvent, channel: unknown, params: unknown, account: unknown) => {
    if (!isTrustedSender(event, window)) {
      return { ok: false, error: { code: 'unknown-channel', message: 'Request from an untrusted frame' } };
    }
    // The account the window shows goes with it, checked by the dispatcher (an address, bounded).
    return refuseOversizedRequest(params) ?? core.dispatch(channel, params, { account });
  });
  const unsubscribe = core.events.subscribe((event, payload) => {
    if (!window.isDestroyed()) window.webContents.send(IPC_EVENT, event, payload);
  });
  window.on('closed', () => {
    unsubscribe();
    ipcMain.removeHandler(IPC_REQUEST);
  });
}

function isTrustedSender(event: IpcMainInvokeEvent, window: BrowserWindow): boolean {
  const frame = event.senderFrame;
  return (
    event.sender === window.webContents &&
    frame !== null &&
    frame === window.webContents.mainFrame &&
    new URL(frame.url).origin === APP_ORIGIN
  );
}
