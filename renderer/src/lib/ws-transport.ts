import type { Result } from '../../../contract';
import { WIRE_PATH, WIRE_PROTOCOL, WIRE_TOKEN_PREFIX, type KeyringTransport, type WireMessage, type WireRequest } from '../../../contract/wire';

/**
 * The browser host's transport: JSON requests over a WebSocket to the same origin, answered by id;
 * events pushed by main. The per-run token comes from the URL fragment (never sent over HTTP) and is
 * removed from the address bar once read.
 */
export async function connectWebSocketTransport(location: Location): Promise<KeyringTransport> {
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  if (!token) {
    throw new Error('This page needs the link printed by `npm run start:browser` (it carries an access token).');
  }
  history.replaceState(null, '', location.pathname + location.search);

  const wsUrl = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${WIRE_PATH}`;
  const socket = new WebSocket(wsUrl, [WIRE_PROTOCOL, WIRE_TOKEN_PREFIX + token]);
  const pending = new Map<number, (result: Result<unknown>) => void>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let nextId = 1;

  await new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve(), { once: true });
    socket.addEventListener('error', () => reject(new Error('The app refused this page (stale or wrong link?).')), {
      once: true,
    });
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
      resolve({ ok: false, error: { code: 'internal', message: 'The connection to the app was closed.' } });
    }
    pending.clear();
  });

  return {
    request: (channel, params) => {
      if (socket.readyState !== WebSocket.OPEN) {
        return Promise.resolve({ ok: false, error: { code: 'internal', message: 'The connection to the app was closed.' } });
      }
      const id = nextId++;
      const message: WireRequest = params === undefined ? { id, channel } : { id, channel, params };
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
