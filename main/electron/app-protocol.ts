import { net, protocol } from 'electron';
import { join, normalize, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SECURITY_HEADERS } from '../security/csp.js';

export const APP_SCHEME = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://keyring`;
export const APP_START_URL = `${APP_ORIGIN}/index.html`;

/** Serves out/renderer under app://keyring/ with the shared security headers; nothing outside it. */
export function registerAppProtocol(): void {
  const root = join(import.meta.dirname, '..', 'renderer');
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    const relative = normalize(decodeURIComponent(url.pathname)).replace(/^([/\\])+/, '');
    const file = join(root, relative || 'index.html');
    if (url.host !== 'keyring' || !file.startsWith(root + sep)) {
      return new Response('Not found', { status: 404 });
    }
    const response = await net.fetch(pathToFileURL(file).toString());
    const headers = new Headers(response.headers);
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) headers.set(name, value);
    return new Response(response.body, { status: response.status, headers });
  });
}
