/**
 * Where the app keeps its vault when no folder is given: the same folder Electron's
 * app.getPath('userData') uses for this app, so the desktop app, the browser host and the CLI share one
 * vault (one of them at a time: main/vault/vault-lock.ts).
 */
import { homedir, platform } from 'node:os';
import { join } from 'node:path';

export const APP_DIR_NAME = 'Keyring for XMPP';

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  switch (platform()) {
    case 'darwin':
      return join(homedir(), 'Library', 'Application Support', APP_DIR_NAME);
    case 'win32':
      return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), APP_DIR_NAME);
    default:
      return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), APP_DIR_NAME);
  }
}
