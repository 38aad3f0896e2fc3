/** V8's heap settings the browser host runs with (see host-v8-flags.mjs for why and what was measured). */
export const HOST_HEAP_FLAGS: readonly string[];
/** V8's JIT settings of the browser host and the CLI (see host-v8-flags.mjs). */
export const JIT_FLAGS: readonly string[];
/** Every V8 flag the browser host is started with. */
export const HOST_V8_FLAGS: readonly string[];
