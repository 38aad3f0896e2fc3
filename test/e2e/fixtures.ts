/**
 * Worker-scoped fixtures: one real Prosody and one built browser host (`node out/main/browser-host.js`,
 * exactly what `npm run start:browser` runs) per worker, stopped at the end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base, expect } from '@playwright/test';
import type { ConnectParams } from '../../preload/contract';
import { startProsody, stopChild } from '../support/prosody';
import { registerAccount, type XmppTestServer } from '../support/xmpp-server';

export interface BrowserHostProcess {
  url: string;
  origin: string;
  token: string;
  port: number;
  child: ChildProcess;
  output: () => string;
}

interface WorkerFixtures {
  prosody: XmppTestServer;
  browserHost: BrowserHostProcess;
}

interface TestFixtures {
  /** Creates a fresh account on the test Prosody and returns connect parameters trusting its CA. */
  newAccount: (role: string) => Promise<ConnectParams>;
  /** Saves a full-page screenshot as a kept artifact (test-results/screenshots/NAME.png). */
  saveScreenshot: (name: string) => Promise<void>;
}

export const SCREENSHOT_DIR = join('test-results', 'screenshots');

export const test = base.extend<TestFixtures, WorkerFixtures>({
  prosody: [
    // eslint-disable-next-line no-empty-pattern -- Playwright requires a destructuring pattern here
    async ({}, use) => {
      const server = await startProsody();
      await use(server);
      await server.stop();
    },
    { scope: 'worker' },
  ],
  browserHost: [
    // eslint-disable-next-line no-empty-pattern -- Playwright requires a destructuring pattern here
    async ({}, use) => {
      const host = await startBuiltBrowserHost();
      await use(host);
      await stopChild(host.child);
    },
    { scope: 'worker' },
  ],
  newAccount: async ({ prosody }, use) => {
    await use(async (role) => {
      const local = `${role}-${randomBytes(3).toString('hex')}`;
      const password = randomBytes(12).toString('base64url');
      const { info } = prosody;
      const domain = info.domains[0] ?? 'capulet.lit';
      await registerAccount(info, local, domain, password);
      return { jid: `${local}@${domain}`, password, host: info.host, port: info.port, caFile: info.caFile };
    });
  },
  saveScreenshot: async ({ page }, use) => {
    await mkdir(SCREENSHOT_DIR, { recursive: true });
    await use(async (name) => {
      await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
    });
  },
});

export { expect };

async function startBuiltBrowserHost(): Promise<BrowserHostProcess> {
  // A vault of its own per run: tests never touch the user's real data folder.
  const dataDir = await mkdtemp(join(tmpdir(), 'keyring-e2e-data-'));
  const child = spawn(process.execPath, ['out/main/browser-host.js', '--port', '0', '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`browser host printed no URL:\n${output}`)), 15_000);
    child.stdout?.on('data', (d: Buffer) => {
      output += d.toString();
      const match = /running in your browser at: (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`browser host exited (${code}):\n${output}`)));
  });
  const parsed = new URL(url);
  const token = new URLSearchParams(parsed.hash.slice(1)).get('token') ?? '';
  return { url, origin: parsed.origin, token, port: Number(parsed.port), child, output: () => output };
}
