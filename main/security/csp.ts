/**
 * The renderer's Content Security Policy, one definition for every way the UI is served: the Electron
 * window's custom protocol, the browser host's HTTP headers, and (minus the header-only directives) the
 * <meta> tag that Vite writes into index.html. No inline script or style, nothing remote; `connect-src
 * 'self'` lets the browser host's page reach its own WebSocket and nothing else.
 */
const DIRECTIVES: readonly string[] = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "object-src 'none'",
];

/** Directives a <meta> CSP cannot carry (browsers ignore them there); sent as a header only. */
const HEADER_ONLY: readonly string[] = ["frame-ancestors 'none'"];

export const CSP_HEADER = [...DIRECTIVES, ...HEADER_ONLY].join('; ');
export const CSP_META = DIRECTIVES.join('; ');

/** Response headers for every renderer document and asset, whichever host serves it. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CSP_HEADER,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Frame-Options': 'DENY',
};
