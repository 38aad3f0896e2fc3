import type { Result } from '../../../contract';
import { WIRE_PATH, WIRE_PROTOCOL, WIRE_TOKEN_PREFIX, type KeyringTransport, type WireMessage, type WireRequest } from '../../../contract/wire';

/** A browser-host page whose connection to the app closed: App.svelte listens for it. */
export const TRANSPORT_CLOSED_EVENT = 'keyring:transport-closed';
const CLOSED = 'The connection to the app was closed. Reload this page to connect again.';

/** Where this tab keeps the token once it took it from the link (sessionStorage: this tab only). */
const TOKEN_KEY = 'keyring:token';

/**
 * The per-run token: from the link's fragment (never sent over HTTP) on first load, then moved into
 * this tab's sessionStorage and taken out of the address bar, so a reload keeps working while the
 * token is in no URL, no history entry and no request. sessionStorage belongs to this tab alone and
 * ends with it; a token in a query string (which would reach a server) is never read.
 */
export function takeToken(location: Pick<Location, 'hash' | 'pathname' | 'search'>, storage: Storage, history: Pick<History, 'replaceState'>): string | undefined {
  const fromLink = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromLink) {
    storage.setItem(TOKEN_KEY, fromLink);
    history.replaceState(null, '', location.pathname + location.search);
    return fromLink;
  }
  return storage.getItem(TOKEN_KEY) ?? undefined;
}

/**
 * The browser host's transport: JSON requests over a WebSocket to the same origin, answered by id;
 * events pushed by main. The token (takeToken) goes in a WebSocket subprotocol, never in a URL.
 */
export async function connectWebSocketTransport(location: Location): Promise<KeyringTransport> {
  const token = takeToken(location, sessionStorage, history);
  if (!token) {
    throw new Error('This page needs the link the app printed when it started (`npm start` or `npm run start:browser`): it carries an access token.');
  }

  const wsUrl = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${WIRE_PATH}`;
  const socket = new WebSocket(wsUrl, [WIRE_PROTOCOL, WIRE_TOKEN_PREFIX + token]);
  const pending = new Map<number, (result: Result<unknown>) => void>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let nextId = 1;

  // The handshake's error only: once open, a connection that breaks keeps this tab's token, so the
  // reload the page then asks for reconnects (App.svelte).
  const handshake = new AbortController();
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => (handshake.abort(), resolve()), { once: true });
    socket.addEventListener(
      'error',
      () => {
        // A token from an earlier run (the app was restarted): forget it, so the next load asks for the new link.
        sessionStorage.removeItem(TOKEN_KEY);
        reject(new Error('The app refused this page (stale or wrong link?): open the link it printed when it started.'));
      },
      { once: true, signal: handshake.signal },
    );
  });

  socket.addEventListener('message', (event: MessageEvent<string>) => {
    let message: WireMessage;
    try {
      message = JSON.parse(event.data) as WireMessage;
    } catch {
      return;
    }
    if (message.kind === 'response' && message.id !== null) {
      pending.get(message.id)?.(message.result);
      pending.delete(message.id);
    } else if (message.kind === 'event') {
      for (const listener of listeners.get(message.event) ?? []) listener(message.payload);
    }
  });
  socket.addEventListener('close', () => {
    for (const resolve of pending.values()) {
      resolve({ ok: false, error: { code: 'internal', message: CLOSED } });
    }
    pending.clear();
    // Nothing this page asks can reach the app any more (it stopped, or closed this page's connection):
    // the page says so as a whole, not once per button pressed (App.svelte).
    window.dispatchEvent(new CustomEvent(TRANSPORT_CLOSED_EVENT));
  });

  return {
    request: (channel, params, account) => {
      if (socket.readyState !== WebSocket.OPEN) {
        return Promise.resolve({ ok: false, error: { code: 'internal', message: CLOSED } });
      }
      const id = nextId++;
      const message: WireRequest = { id, channel, ...(params === undefined ? {} : { params }), ...(account === undefined ? {} : { account }) };
      return new Promise((resolve) => {
        pending.set(id, resolve);
        socket.send(JSON.stringify(message));
      });
    },
    on: (event, listener) => {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener);
      return () => set.delete(listener);
    },
  };
}
