/**
 * The preload: exposes one object, `window.keyring`, implementing the contract's `KeyringApi`. It only
 * routes by name; main validates every argument. No Electron object (event, ipcRenderer) is handed to
 * the page, and every `on` returns its own unsubscribe.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC_EVENT, IPC_REQUEST, isEventName, isRequestChannel } from './channels.js';
import type { KeyringApi } from './contract.js';

const api: KeyringApi = {
  request: ((channel: unknown, params?: unknown) => {
    if (!isRequestChannel(channel)) {
      return Promise.resolve({ ok: false, error: { code: 'unknown-channel', message: 'Unknown request' } });
    }
    return ipcRenderer.invoke(IPC_REQUEST, channel, params);
  }) as KeyringApi['request'],
  on: ((event: unknown, listener: (payload: unknown) => void) => {
    if (!isEventName(event) || typeof listener !== 'function') return () => {};
    const forward = (_e: IpcRendererEvent, name: unknown, payload: unknown) => {
      if (name === event) listener(payload);
    };
    ipcRenderer.on(IPC_EVENT, forward);
    return () => ipcRenderer.removeListener(IPC_EVENT, forward);
  }) as KeyringApi['on'],
};

contextBridge.exposeInMainWorld('keyring', api);
