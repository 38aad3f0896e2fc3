/**
 * The renderer's way to main: the preload's transport (`window.keyring`) inside Electron, or the browser
 * host's WebSocket when the page was opened from `npm run start:browser`. Both carry the same contract,
 * and the screens get the same grouped `KeyringApi` over either, so they never know which shell they
 * run in.
 */
import type { KeyringApi } from '../../../contract';
import { groupedApi, type KeyringTransport } from '../../../contract/wire';
import { accountShown } from './account-epoch';
import { connectWebSocketTransport } from './ws-transport';

declare global {
  interface Window {
    keyring?: KeyringTransport;
  }
}

let api: Promise<KeyringApi> | undefined;

export function getApi(): Promise<KeyringApi> {
  // Every request names the account the window shows as it leaves: a change asked for it is refused
  // by main once another window signed in to another account (contract/wire.ts).
  api ??= (window.keyring ? Promise.resolve(window.keyring) : connectWebSocketTransport(window.location)).then((transport) => groupedApi(transport, accountShown));
  return api;
}
