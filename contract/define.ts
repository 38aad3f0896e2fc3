/**
 * How a domain file declares a channel once: `request(schema).returns<Result>()` pairs the zod schema
 * main checks the parameters against with the type it answers; `event<Payload>()` names what an event
 * carries. The result and payload types exist for the compiler only: at run time a request is its
 * schema and an event is an empty object. Everything else (channel names, the handler table, the
 * grouped API) is derived from these declarations in index.ts.
 */
import type { z } from 'zod';

declare const answers: unique symbol;
declare const carries: unique symbol;

/** A request: its parameter schema, and what main answers (a type, never a value). */
export interface RequestSpec<P extends z.ZodType = z.ZodType, R = unknown> {
  readonly params: P;
  /** Type-level only: never present at run time. */
  readonly [answers]: R;
}

/** An event main pushes: what it carries (a type, never a value). */
export interface EventSpec<P = unknown> {
  /** Type-level only: never present at run time. */
  readonly [carries]: P;
}

export function request<P extends z.ZodType>(params: P): { returns<R>(): RequestSpec<P, R> } {
  // The answer type is a phantom: the object holds the schema and nothing else.
  return { returns: <R>() => ({ params }) as RequestSpec<P, R> };
}

export function event<P>(): EventSpec<P> {
  return {} as EventSpec<P>;
}

/** What a request answers. */
export type ResultOf<S> = S extends RequestSpec<z.ZodType, infer R> ? R : never;
/** What an event carries. */
export type PayloadOf<S> = S extends EventSpec<infer P> ? P : never;
