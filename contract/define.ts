/**
 * How a domain file declares a channel once: `request(schema).returns<Result>()` pairs the zod schema
 * main checks the parameters against with the type it answers; `accountChange(schema).returns<Result>()`
 * does the same for a request that changes something of the account the app works for; `event<Payload>()`
 * names what an event carries. The result and payload types exist for the compiler only: at run time a request is its
 * schema and an event is an empty object. Everything else (channel names, the handler table, the
 * grouped API) is derived from these declarations in index.ts.
 */
import type { z } from 'zod';

declare const answers: unique symbol;
declare const carries: unique symbol;

/** A request: its parameter schema, and what main answers (a type, never a value). */
export interface RequestSpec<P extends z.ZodType = z.ZodType, R = unknown> {
  readonly params: P;
  /**
   * Whether it changes something of the account the app works for (its keys, roster, profile, trust,
   * queue, nodes). A window names the account it shows beside every request (contract/wire.ts), and
   * main refuses such a change, before any handler runs, when that is no longer the account the app
   * works for: another window signed in to another account meanwhile (main/ipc/dispatcher.ts).
   */
  readonly forAccount: boolean;
  /** Type-level only: never present at run time. */
  readonly [answers]: R;
}

/** An event main pushes: what it carries (a type, never a value). */
export interface EventSpec<P = unknown> {
  /** Type-level only: never present at run time. */
  readonly [carries]: P;
}

/** A request that reads, or concerns no one account (the app, the vault, signing in). */
export function request<P extends z.ZodType>(params: P): { returns<R>(): RequestSpec<P, R> } {
  // The answer type is a phantom: the object holds the schema and the flag, nothing else.
  return { returns: <R>() => ({ params, forAccount: false }) as RequestSpec<P, R> };
}

/** A request that changes something of the account the app works for: done only for the account the window asked it for. */
export function accountChange<P extends z.ZodType>(params: P): { returns<R>(): RequestSpec<P, R> } {
  return { returns: <R>() => ({ params, forAccount: true }) as RequestSpec<P, R> };
}

export function event<P>(): EventSpec<P> {
  return {} as EventSpec<P>;
}

/** What a request answers. */
export type ResultOf<S> = S extends RequestSpec<z.ZodType, infer R> ? R : never;
/** What an event carries. */
export type PayloadOf<S> = S extends EventSpec<infer P> ? P : never;
