// V8's settings for the app's Node processes. The heap's, for the browser host (`node out/main/browser-host.js`): the same for `npm start`
// without Electron, `npm run start:browser`, the tests that start the host and `npm run bench`.
//
// Why: a sign-in that fetches thousands of contacts' keys allocates fast, and V8 then grows its old
// space up to ~4× what survives and its young generation to 16 MB semi-spaces, and keeps those pages
// after the burst (no collection gives them back while the app sits idle). Measured with 5,000
// contacts (`BENCH_ONLY=memory npm run bench`, three interleaved rounds): the host's RSS after the
// burst 242–245 MB with V8's defaults, 217–221 MB with 4 MB semi-spaces alone, 170–178 MB with the
// heap grown by half what survived alone, 145–149 MB with both. The bulk fetch's CPU (the core under
// the same flags, `BENCH_V8_FLAGS`) did not rise: 0.77 and 0.92 s against 0.84 and 0.98 s for 2,000
// contacts, taking turns. Electron's main process takes V8 flags only from its own command line, so
// the desktop app keeps its V8's defaults.
export const HOST_HEAP_FLAGS = ['--max-semi-space-size=4', '--heap-growing-percent=50'];

// V8's JIT, for the browser host and the `keyring` CLI (which sets it as it starts, scripts/keyring.mjs).
//
// Why: the work a key manager does in bulk comes in bursts (every contact's keys fetched and checked at
// sign-in), and V8 throws away most optimized code between bursts (code tied to objects the last burst
// left for the collector), so each burst compiles its hot functions with TurboFan again: measured with
// `--trace-opt` on a 2,000-contact fetch after a warm-up, ~150 functions and ~0.5 s of compiling on V8's
// worker threads, a third of the fetch's CPU, for code that then ran a few thousand times. A function
// waits for ~15× V8's budget of work (66 KB of bytecode run → 1 MB) before it is optimized: only what is
// really hot is compiled. Measured on that fetch (BENCH_V8_FLAGS, median of 3, Prosody, taking turns
// with slixmpp in each run): the app's CPU 0.74–0.77 s against 0.83–0.89 s with V8's default, wall time
// unchanged (1.80–1.86 s against 1.82–1.97 s). V8's other levers measured the same way did less or
// moved the work: no inlining 0.75 s, Maglev instead of TurboFan 0.85 s, compiling on the main thread
// 0.88 s. Electron's main process takes V8 flags only from its command line, so the desktop app keeps
// its V8's defaults (its V8 also tiers up on other counters).
export const JIT_FLAGS = ['--interrupt-budget=1048576'];

export const HOST_V8_FLAGS = [...HOST_HEAP_FLAGS, ...JIT_FLAGS];
