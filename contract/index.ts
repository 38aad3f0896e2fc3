/**
 * The one contract between the screens (renderer, CLI) and the core in main, grouped by domain. Each
 * domain file declares its channels once (define.ts); everything here is derived from them:
 *
 * - the channel names, `'<domain>:<name>'` ('keys:publish'), and the event names ('contacts:keys');
 * - `Handlers`, the table main answers with (main/ipc/handlers.ts), grouped the same way;
 * - `KeyringApi`, what the screens call: `api.keys.publish({ fingerprint, access })` answers a
 *   `Result`, and `api.on('contacts:keys', listener)` returns its unsubscribe.
 *
 * Main validates every parameter against its schema (types do not cross a process boundary); the
 * renderer and the preload import this file as types only (docs/adding-a-channel.md).
 */
import type { z } from 'zod';
import { account } from './account.js';
import { app } from './app.js';
import { backup } from './backup.js';
import { contacts } from './contacts.js';
import { devices } from './devices.js';
import type { PayloadOf, RequestSpec, ResultOf } from './define.js';
import type { Result } from './domain.js';
import { drift } from './drift.js';
import { keys } from './keys.js';
import { profile } from './profile.js';
import { queue } from './queue.js';
import { roster } from './roster.js';
import { vault } from './vault.js';

export * from './domain.js';
export type * from './account.js';
export type * from './app.js';
export type * from './backup.js';
export type * from './contacts.js';
export type * from './devices.js';
export type * from './drift.js';
export type * from './keys.js';
export type * from './profile.js';
export type * from './profile-changes.js';
export type * from './queue.js';
export type * from './roster.js';
export type * from './vault.js';
export { ConnectParams } from './account.js';
export { ProfileParams } from './profile.js';

export const CONTRACT = { app, account, vault, keys, backup, contacts, devices, roster, queue, profile, drift };

type Contract = typeof CONTRACT;
export type Domain = keyof Contract;
type Requests<D extends Domain> = Contract[D]['requests'];
type Events<D extends Domain> = Contract[D]['events'];

/** 'keys:publish', 'roster:list', …: every request's name on the wire. */
export type RequestChannel = { [D in Domain]: `${D}:${Extract<keyof Requests<D>, string>}` }[Domain];
/** 'contacts:keys', 'account:state', …: every event's name on the wire. */
export type EventName = { [D in Domain]: `${D}:${Extract<keyof Events<D>, string>}` }[Domain];

type SpecOf<C extends RequestChannel> = C extends `${infer D extends Domain}:${infer N}` ? Requests<D>[N & keyof Requests<D>] : never;
type EventSpecOf<E extends EventName> = E extends `${infer D extends Domain}:${infer N}` ? Events<D>[N & keyof Events<D>] : never;
type ParamsOf<S> = S extends RequestSpec<infer P> ? P : never;

/** By channel: what a request takes, as the caller writes it (before the schema's defaults and normalizing). */
export type RequestParamsMap = { [C in RequestChannel]: z.input<ParamsOf<SpecOf<C>>> };
/** By channel: what a request answers. */
export type RequestResults = { [C in RequestChannel]: ResultOf<SpecOf<C>> };
/** By event: what it carries. */
export type EventPayloads = { [E in EventName]: PayloadOf<EventSpecOf<E>> };
export type RequestParams<C extends RequestChannel> = RequestParamsMap[C];
export type RequestResult<C extends RequestChannel> = RequestResults[C];
export type EventPayload<E extends EventName> = EventPayloads[E];

/** One handler per request, grouped like the contract; each gets parameters that passed their schema. */
export type Handlers = {
  [D in Domain]: { [N in keyof Requests<D>]: (params: z.output<ParamsOf<Requests<D>[N]>>) => Promise<ResultOf<Requests<D>[N]>> };
};

type Call<S> = z.input<ParamsOf<S>> extends undefined
  ? () => Promise<Result<ResultOf<S>>>
  : undefined extends z.input<ParamsOf<S>>
    ? (params?: z.input<ParamsOf<S>>) => Promise<Result<ResultOf<S>>>
    : (params: z.input<ParamsOf<S>>) => Promise<Result<ResultOf<S>>>;

/** The API the screens get, whichever shell hosts them (Electron preload, browser host, CLI). */
export type KeyringApi = { readonly [D in Domain]: { readonly [N in keyof Requests<D>]: Call<Requests<D>[N]> } } & {
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
};

/** The declaration of a request channel, or undefined for any name the contract does not have. */
export function requestSpec(channel: unknown): RequestSpec | undefined {
  if (typeof channel !== 'string') return undefined;
  const [domain, name, ...rest] = channel.split(':');
  if (domain === undefined || name === undefined || rest.length > 0 || !Object.hasOwn(CONTRACT, domain)) return undefined;
  const requests: Record<string, RequestSpec> = CONTRACT[domain as Domain].requests;
  return Object.hasOwn(requests, name) ? requests[name] : undefined;
}
