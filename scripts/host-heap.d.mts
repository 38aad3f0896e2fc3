/** V8's heap settings the browser host runs with (see host-heap.mjs for why and what was measured). */
export const HOST_HEAP_FLAGS: readonly string[];
