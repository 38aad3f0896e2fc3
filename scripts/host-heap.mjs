// V8's heap settings for the browser host (`node out/main/browser-host.js`): the same for `npm start`
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
