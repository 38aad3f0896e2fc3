/**
 * `npm run start:browser` (and `npm start` without an Electron binary): runs the main-process core in
 * Node and serves the UI to a local browser. Plain Node; no Electron.
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { APP_VERSION } from '../app-version.js';
import { createKeyringCore } from '../core.js';
import { defaultDataDir } from '../data-dir.js';
import { consoleLogger } from '../logger.js';
import { startBrowserHost } from './server.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'data-dir': { type: 'string' },
  },
  strict: true,
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`keyring: --port must be a port number, got ${values.port}`);
  process.exit(2);
}

// No OS keychain without Electron: the vault is protected by a passphrase the user enters in the page.
const core = createKeyringCore({
  host: 'browser',
  version: APP_VERSION,
  log: consoleLogger,
  dataDir: values['data-dir'] ?? defaultDataDir(),
  fetchKeysAtSignIn: true,
});
const host = await startBrowserHost({
  core,
  rendererDir: fileURLToPath(new URL('../renderer/', import.meta.url)),
  log: consoleLogger,
  port,
});
// Tests read this exact line to find the URL; people click it.
console.log(`Keyring for XMPP is running in your browser at: ${host.url}`);
console.log('Only this URL (with its token) can drive the app. Press Ctrl+C to stop.');

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await core.dispose();
  await host.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
