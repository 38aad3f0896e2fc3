/**
 * The preload: exposes one object, `window.keyring`, a transport (contract/wire.ts KeyringTransport)
 * that routes requests and events by name over one IPC channel pair. It knows no channel and checks no
 * argument: main validates everything. No Electron object (event, ipcRenderer) is handed to the page,
 * and every `on` returns its own unsubscribe.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC_EVENT, IPC_REQUEST, type KeyringTransport } from '../contract/wire.js';

const transport: KeyringTransport = {
  request: (channel, params, account) => ipcRenderer.invoke(IPC_REQUEST, channel, params, account) as ReturnType<KeyringTransport['request']>,
  on: (event, listener) => {
    if (typeof event !== 'string' || typeof listener !== 'function') return () => {};
    const forward = (_e: IpcRendererEvent, name: unknown, payload: unknown) => {
      if (name === event) listener(payload);
    };
    ipcRenderer.on(IPC_EVENT, forward);
    return () => ipcRenderer.removeListener(IPC_EVENT, forward);
  },
};

contextBridge.exposeInMainWorld('keyring', transport);
