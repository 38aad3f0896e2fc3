/**
 * Transport framing only: how the contract travels between the screens and main, with no dependencies,
 * so the sandboxed preload and the renderer bundle import it at run time. Two transports carry it:
 * Electron IPC (one channel pair, routed by name) and the browser host's WebSocket (JSON messages).
 * Both refuse a request over MAX_REQUEST_BYTES (limits.ts).
 */
import type { KeyringApi } from './index.js';
import type { Result } from './domain.js';

/**
 * What each transport offers the renderer: requests routed by name, events by name. Main validates.
 * `account`: the bare JID of the account the window shows (none while it shows none), carried beside
 * the request; main refuses a change of an account's data asked for another account than the one it
 * works for now (contract/define.ts accountChange).
 */
export interface KeyringTransport {
  request(channel: string, params?: unknown, account?: string): Promise<Result<unknown>>;
  on(event: string, listener: (payload: unknown) => void): () => void;
}

/** Electron IPC channels that carry every request and every event. */
export const IPC_REQUEST = 'keyring:request';
export const IPC_EVENT = 'keyring:event';

/** The browser host's WebSocket subprotocols: the wire version, and the per-run token carried beside it. */
export const WIRE_PROTOCOL = 'keyring.v1';
export const WIRE_TOKEN_PREFIX = 'keyring.token.';
/** Path of the browser host's WebSocket endpoint. */
export const WIRE_PATH = '/ipc';

export interface WireRequest {
  id: number;
  channel: string;
  params?: unknown;
  /** The account the window shows (KeyringTransport.request); left out while it shows none. */
  account?: string;
}

export type WireMessage =
  | { kind: 'response'; id: number | null; result: Result<unknown> }
  | { kind: 'event'; event: string; payload: unknown };

/**
 * The grouped API over a transport: `api.keys.publish(params)` sends 'keys:publish'. Built from names
 * as they are asked for, so nothing of the contract is needed at run time; a name the contract does
 * not have is answered 'unknown-channel' by main. `then` is never a channel, so the API can be the
 * value of a promise.
 *
 * `account`, for a window: the account it shows, read as each request leaves, and sent beside every
 * one (main checks it for the requests that change an account's data, and ignores it for the rest:
 * which those are is the contract's to say, not the window's). The core's own callers (the CLI, tests)
 * give none (main/ipc/dispatcher.ts says why).
 */
export function groupedApi(transport: KeyringTransport, account?: () => string | undefined): KeyringApi {
  const send = (channel: string, params: unknown): Promise<Result<unknown>> => {
    if (account === undefined) return params === undefined ? transport.request(channel) : transport.request(channel, params);
    return transport.request(channel, params, account());
  };
  const domains = new Map<string, object>();
  const domain = (name: string): object =>
    new Proxy(
      {},
      {
        get: (_target, request) =>
          typeof request === 'string' && request !== 'then' ? (params?: unknown) => send(`${name}:${request}`, params) : undefined,
      },
    );
  return new Proxy({} as KeyringApi, {
    get: (_target, name) => {
      if (name === 'on') return transport.on.bind(transport);
      if (typeof name !== 'string' || name === 'then') return undefined;
      let group = domains.get(name);
      if (!group) domains.set(name, (group = domain(name)));
      return group;
    },
  });
}
