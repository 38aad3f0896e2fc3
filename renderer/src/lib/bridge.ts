/**
 * The renderer's way to main: the preload's `window.keyring` inside Electron, or the browser host's
 * WebSocket when the page was opened from `npm run start:browser`. Both implement the same
 * `KeyringApi`, so screens never know which shell they run in.
 */
import type { KeyringApi } from '../../../preload/contract';
import { connectWebSocketApi } from './ws-transport';

declare global {
  interface Window {
    keyring?: KeyringApi;
  }
}

let api: Promise<KeyringApi> | undefined;

export function getApi(): Promise<KeyringApi> {
  api ??= window.keyring ? Promise.resolve(window.keyring) : connectWebSocketApi(window.location);
  return api;
}
