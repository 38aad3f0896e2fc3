/**
 * Worker-scoped fixtures: one real Prosody and one built browser host (`node out/main/browser-host.js`,
 * exactly what `npm run start:browser` runs) per worker, stopped at the end.
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { test as base, expect, type Locator, type Page } from '@playwright/test';
import type { ConnectParams } from '../../contract';
import { AppEvents } from '../../main/events';
import { silentLogger } from '../../main/logger';
import { AccountSession } from '../../main/xmpp/session';
import { befriend, type Actor } from '../support/scenario';
import { startProsody, stopChild, type RestartableServer } from '../support/prosody';
import { startBuiltBrowserHost, type BrowserHostProcess } from '../support/browser-host-process';
import { startEjabberd } from '../support/ejabberd';
import { registerAccount, type ServerInfo, type XmppTestServer } from '../support/xmpp-server';

export type { BrowserHostProcess };

interface WorkerFixtures {
  prosody: RestartableServer;
  ejabberd: XmppTestServer;
  browserHost: BrowserHostProcess;
}

interface TestFixtures {
  /**
   * Closes, after each test, every browser window (context) the test opened beside Playwright's own
   * `page`. Left open, they piled up over a worker's tests (41 pages by the trust test in CI), each
   * given a trace chunk at every later test's start: load that made late tests time out.
   */
  closeWindowsAfterTest: void;
  /** Creates a fresh account on the test Prosody and returns connect parameters trusting its CA. */
  newAccount: (role: string) => Promise<ConnectParams>;
  /** Starts another app instance (its own browser host and vault), stopped after the test. */
  launchApp: () => Promise<BrowserHostProcess>;
  /** Saves a full-page screenshot as a kept artifact (test-results/screenshots/NAME.png). */
  saveScreenshot: (name: string, page?: Page) => Promise<void>;
  /**
   * Juliet and romeo on the test Prosody, mutually subscribed (romeo in her "Friends"), each with an app
   * window of their own: romeo's signed in and on Contacts, juliet's open but not yet signed in.
   * `roles` names the accounts (a long name makes a long address).
   */
  friendsInTwoWindows: (roles?: { juliet?: string; romeo?: string }) => Promise<FriendsInTwoWindows>;
}

export interface FriendsInTwoWindows {
  julietAccount: ConnectParams;
  romeoAccount: ConnectParams;
  julietPage: Page;
  romeoPage: Page;
}

export const SCREENSHOT_DIR = join('test-results', 'screenshots');

export const test = base.extend<TestFixtures, WorkerFixtures>({
  closeWindowsAfterTest: [
    async ({ browser }, use) => {
      await use();
      // Torn down after every other test fixture (set up first, as an auto fixture): Playwright has taken
      // its failure screenshots by then, and its own `context` is already closed.
      await Promise.all(browser.contexts().map((context) => context.close()));
    },
    { auto: true },
  ],
  prosody: [
    // eslint-disable-next-line no-empty-pattern -- Playwright requires a destructuring pattern here
    async ({}, use) => {
      const server = await startProsody();
      await use(server);
      await server.stop();
    },
    { scope: 'worker' },
  ],
  ejabberd: [
    // eslint-disable-next-line no-empty-pattern -- Playwright requires a destructuring pattern here
    async ({}, use) => {
      const server = await startEjabberd();
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
    await use((role) => accountOn(prosody.info, role, prosody.info.domains[0] ?? 'capulet.lit'));
  },
  // eslint-disable-next-line no-empty-pattern -- Playwright requires a destructuring pattern here
  launchApp: async ({}, use) => {
    const started: BrowserHostProcess[] = [];
    await use(async () => {
      const host = await startBuiltBrowserHost();
      started.push(host);
      return host;
    });
    await Promise.all(started.map((h) => stopChild(h.child)));
  },
  friendsInTwoWindows: async ({ browser, launchApp, newAccount }, use) => {
    await use(async (roles) => {
      const [julietAccount, romeoAccount] = await Promise.all([newAccount(roles?.juliet ?? 'juliet'), newAccount(roles?.romeo ?? 'romeo')]);
      const [juliet, romeo] = await Promise.all([connectWith(julietAccount), connectWith(romeoAccount)]);
      await befriend(juliet, romeo, ['Friends']);
      await Promise.all([juliet.session.disconnect(), romeo.session.disconnect()]);

      const [julietApp, romeoApp] = await Promise.all([launchApp(), launchApp()]);
      const julietPage = await (await browser.newContext()).newPage();
      const romeoPage = await (await browser.newContext()).newPage();
      await openApp(romeoPage, romeoApp.url);
      await signIn(romeoPage, romeoAccount);
      await romeoPage.getByRole('button', { name: 'Contacts', exact: true }).click();
      await openApp(julietPage, julietApp.url);
      return { julietAccount, romeoAccount, julietPage, romeoPage };
    });
  },
  saveScreenshot: async ({ page }, use) => {
    await mkdir(SCREENSHOT_DIR, { recursive: true });
    await use(async (name, other) => {
      // The whole page in one picture, taken from its top: the sticky header and sidebar (App.svelte)
      // are drawn where the window is scrolled to, which left them in the middle of the picture. The
      // page is scrolled back to where it was after.
      const target = other ?? page;
      const scrolledTo = await target.evaluate(() => {
        const y = window.scrollY;
        window.scrollTo(0, 0);
        return y;
      });
      try {
        await target.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
      } finally {
        await target.evaluate((y) => window.scrollTo(0, y), scrolledTo);
      }
    });
  },
});

export { expect };

/** A new account on `server` (`role` and a random suffix, at `domain`), and how the app connects to it. */
export async function accountOn(server: ServerInfo, role: string, domain: string): Promise<ConnectParams> {
  const local = `${role}-${randomBytes(3).toString('hex')}`;
  const password = randomBytes(12).toString('base64url');
  await registerAccount(server, local, domain, password);
  return { jid: `${local}@${domain}`, password, host: server.host, port: server.port, caFile: server.caFile };
}

/** The vault passphrase every e2e app instance uses (each browser host has a fresh data dir). */
export const E2E_PASSPHRASE = 'e2e vault passphrase';

/** Opens the app and, when the vault is still locked, creates or unlocks it as a person would. */
export async function openApp(page: Page, url: string): Promise<void> {
  await page.goto(url);
  const create = page.getByRole('heading', { name: 'Create your vault' });
  const unlock = page.getByRole('heading', { name: 'Unlock your keys' });
  const nav = page.getByRole('navigation', { name: 'Screens' });
  await expect(create.or(unlock).or(nav)).toBeVisible();
  if (await create.isVisible()) {
    await page.getByLabel('Choose a vault passphrase').fill(E2E_PASSPHRASE);
    await page.getByLabel('Type it again').fill(E2E_PASSPHRASE);
    await page.getByRole('button', { name: 'Create vault' }).click();
    await expect(nav).toBeVisible({ timeout: 15_000 });
  } else if (await unlock.isVisible()) {
    await page.getByLabel('Vault passphrase').fill(E2E_PASSPHRASE);
    await page.getByRole('button', { name: 'Unlock' }).click();
    await expect(nav).toBeVisible({ timeout: 15_000 });
  }
  // The app comes back to the screen last used; the worker's browser host is shared, so each test
  // starts from the Account screen as a fresh start would.
  const account = nav.getByRole('button', { name: 'Account', exact: true });
  if ((await account.getAttribute('aria-current')) !== 'page') await account.click();
}

/**
 * Makes a key from My keys through the "New key…" dialog (RSA 2048: quick), optionally named, waits
 * until it is listed (newest first) and answers its fingerprint.
 */
export async function generateKey(page: Page, name?: string): Promise<string> {
  // The keys listed before, by fingerprint, not a count: right after a sign-in the list may still be the
  // one of the account signed in before (the host is shared by a worker's tests) until it is read again,
  // and a count taken then never matched (CI saw 1 + 1 expected where the new account had 0 + 1).
  const fingerprints = () => page.getByTestId('own-key').getByTestId('fingerprint').evaluateAll((els) => els.map((el) => el.getAttribute('data-fingerprint') ?? ''));
  const before = new Set(await fingerprints());
  await page.getByRole('button', { name: 'New key…' }).click();
  const dialog = page.getByTestId('generate-dialog');
  await dialog.getByLabel('Key size').selectOption('2048');
  if (name !== undefined) await dialog.getByLabel(/^Name/).fill(name);
  await dialog.getByRole('button', { name: 'Generate key' }).click();
  await expect(dialog).toBeHidden({ timeout: 30_000 });
  // Newest first: the new key heads the list.
  await expect.poll(async () => (await fingerprints()).filter((fingerprint) => !before.has(fingerprint)).length, { timeout: 30_000 }).toBe(1);
  return (await page.getByTestId('own-key').first().getByTestId('fingerprint').getAttribute('data-fingerprint')) ?? '';
}

/** The card of one own key on My keys, wherever the list puts it. */
export function ownKey(page: Page, fingerprint: string): Locator {
  return page.getByTestId('own-key').filter({ has: page.locator(`[data-testid="fingerprint"][data-fingerprint="${fingerprint}"]`) });
}

/** Makes a key on My keys and publishes it for anyone, closing the publish dialog again. */
export function publishKeyForAnyone(page: Page): Promise<string> {
  return publishNewKey(page, 'Anyone');
}

/** Makes a key on My keys and publishes it for the audience its label names, closing the dialog again. */
export async function publishNewKey(page: Page, audience: 'Anyone' | 'Contacts who see my presence'): Promise<string> {
  await page.getByRole('button', { name: 'My keys', exact: true }).click();
  const fingerprint = await generateKey(page);
  const key = ownKey(page, fingerprint);
  await key.getByRole('button', { name: 'Publish…' }).click();
  await key.getByLabel(audience).check();
  await key.getByRole('button', { name: /^(Change for all and publish|Publish)$/ }).click();
  await expect(key.getByTestId('publish-result')).toBeVisible();
  await key.getByRole('button', { name: 'Close' }).click();
  return fingerprint;
}

/**
 * Holds back main's answer to keys:generate on `page`'s connection to the app (set up before the page
 * opens it) until `release()`: what the window does while a key is being made is then seen however
 * fast this machine makes it. `answered()`: whether main has answered yet.
 */
export async function holdGenerateAnswer(page: Page): Promise<{ answered: () => boolean; release: () => void }> {
  let generateId: number | undefined;
  let held: string | undefined;
  let holding = true;
  let toPage: ((message: string) => void) | undefined;
  await page.routeWebSocket(/\/ipc/, (ws) => {
    const server = ws.connectToServer();
    toPage = (message) => ws.send(message);
    ws.onMessage((message) => {
      const request = JSON.parse(String(message)) as { id?: number; channel?: string };
      if (request.channel === 'keys:generate') generateId = request.id;
      server.send(message);
    });
    server.onMessage((message) => {
      const answer = JSON.parse(String(message)) as { kind?: string; id?: number };
      if (holding && answer.kind === 'response' && answer.id !== undefined && answer.id === generateId) held = String(message);
      else ws.send(message);
    });
  });
  return {
    answered: () => held !== undefined,
    release: () => {
      holding = false;
      if (held !== undefined) toPage?.(held);
    },
  };
}

/**
 * Holds back the page's requests on `channel` before they reach main, until `release`: a request made
 * while the account was online arrives after something else happened (a Disconnect), as a slow one
 * does. Set up before the page opens its IPC socket (openApp).
 */
export async function holdRequests(page: Page, channel: string): Promise<{ held: () => number; release: () => void }> {
  const held: string[] = [];
  let holding = true;
  let toServer: ((message: string) => void) | undefined;
  await page.routeWebSocket(/\/ipc/, (ws) => {
    const server = ws.connectToServer();
    toServer = (message) => server.send(message);
    ws.onMessage((message) => {
      const request = JSON.parse(String(message)) as { channel?: string };
      if (holding && request.channel === channel) held.push(String(message));
      else server.send(message);
    });
    server.onMessage((message) => ws.send(message));
  });
  return {
    held: () => held.length,
    release: () => {
      holding = false;
      for (const message of held.splice(0)) toServer?.(message);
    },
  };
}

/** A contact's key, by fingerprint, on the contact's pane of `page`. */
export function contactKey(page: Page, fingerprint: string): Locator {
  return page.locator(`[data-testid="contact-key"]:has([data-fingerprint="${fingerprint}"])`);
}

/**
 * Juliet (signed in in her window) publishes a new key for contacts who see her presence, and romeo, in
 * his, opens her and verifies it by typing its fingerprint. Returns the key's fingerprint.
 */
export async function publishedAndVerifiedByRomeo(julietPage: Page, romeoPage: Page, julietJid: string): Promise<string> {
  const fingerprint = await publishNewKey(julietPage, 'Contacts who see my presence');
  await romeoPage.getByTestId('contact-row').filter({ hasText: julietJid }).click();
  await contactKey(romeoPage, fingerprint).getByRole('button', { name: 'Compare fingerprints…' }).click();
  const compare = romeoPage.getByTestId('compare-dialog');
  await compare.getByLabel('Their fingerprint or verification link').fill(fingerprint);
  await compare.getByRole('button', { name: 'Compare and verify' }).click();
  await expect(contactKey(romeoPage, fingerprint)).toHaveAttribute('data-trust', 'verified');
  return fingerprint;
}

/** axe-core's WCAG 2.1 A/AA findings on the page as it is now, one line each (empty when clean). */
export async function axeViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

/** The two window sizes every screen is checked at: a laptop, and the smallest (sidebar as icons). */
export const SIZES = [
  { width: 1280, height: 800 },
  { width: 800, height: 600 },
] as const;

type SaveScreenshot = (name: string, page?: Page) => Promise<void>;

/**
 * In the page's current theme, at each size: nothing spills sideways, a screenshot is kept
 * (`screen-NAME-WxH-THEME`), axe finds nothing. The pointer rests in a corner, away from tooltips.
 */
export async function checkAtEverySize(page: Page, name: string, colorScheme: string, saveScreenshot: SaveScreenshot): Promise<void> {
  for (const size of SIZES) {
    await page.setViewportSize(size);
    await page.mouse.move(size.width - 1, size.height - 1);
    // A tooltip's fade started by the pointer at the other size (the sidebar's labels) ends before axe
    // measures contrast: mid-fade text was read as too faint on a loaded machine.
    await page.evaluate(async () => {
      await Promise.all(document.getAnimations().map((animation) => animation.finished.catch(() => undefined)));
      await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    });
    const where = `${name} at ${size.width}×${size.height}, ${colorScheme}`;
    const sideways = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(sideways, `${where}: the page scrolls sideways`).toBeLessThanOrEqual(0);
    await saveScreenshot(`screen-${name}-${size.width}x${size.height}-${colorScheme}`, page);
    expect(await axeViolations(page), where).toEqual([]);
  }
}

/**
 * Which of `controls` (named as the test names them) a person cannot see at the page's size now without
 * scrolling: each must lie wholly inside the viewport and inside `within`, a dialog that scrolls its own
 * content (what it has scrolled out of sight can still be inside the viewport, as its margins are).
 */
export async function outOfView(page: Page, within: Locator, controls: Record<string, Locator>): Promise<string[]> {
  const viewport = page.viewportSize();
  const frame = await within.boundingBox();
  if (!viewport || !frame) return Object.keys(controls);
  const hidden: string[] = [];
  for (const [name, control] of Object.entries(controls)) {
    const box = await control.boundingBox();
    const inside = (outer: { x: number; y: number; width: number; height: number }) =>
      box !== null && box.x >= outer.x && box.y >= outer.y && box.x + box.width <= outer.x + outer.width && box.y + box.height <= outer.y + outer.height;
    if (!inside({ x: 0, y: 0, ...viewport }) || !inside(frame)) hidden.push(`${name} at ${JSON.stringify(box)}`);
  }
  return hidden;
}

/** checkAtEverySize in the light and the dark theme; leaves the page light, at the larger size. */
export async function checkEveryLook(page: Page, name: string, saveScreenshot: SaveScreenshot): Promise<void> {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await checkAtEverySize(page, name, colorScheme, saveScreenshot);
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize(SIZES[0]);
}

/** One browser host serves the whole worker: signs out whoever an earlier test left signed in. */
export async function signOut(page: Page): Promise<void> {
  const disconnect = page.getByRole('button', { name: 'Disconnect' });
  const form = page.getByLabel('XMPP address');
  await expect(disconnect.or(form)).toBeVisible();
  if (await disconnect.isVisible()) await disconnect.click();
  await expect(form).toBeVisible();
}

/** Fills the sign-in form as a person would, server settings included. */
export async function signIn(page: Page, account: ConnectParams): Promise<void> {
  await signOut(page);
  await page.getByLabel('XMPP address').fill(account.jid);
  await page.getByLabel('Password').fill(account.password);
  // Open unless a sign-in of another window already left them open (the form follows the account).
  if (!(await page.getByLabel('Server host').isVisible())) await page.getByText('Server settings').click();
  await page.getByLabel('Server host').fill(account.host ?? '');
  await page.getByLabel('Port').fill(String(account.port ?? ''));
  await page.getByLabel('Extra CA certificate (PEM file path)').fill(account.caFile ?? '');
  // As a person would: the CA's fingerprint is read before Connect.
  if (account.caFile) await expect(page.getByTestId('ca-fingerprint')).toContainText('SHA-256');
  await page.getByRole('button', { name: 'Connect' }).click();
}

/**
 * Signs `account` in again from Account (a sign-in reads every published node) and answers the drift
 * banner, once it shows as an alarm under `heading`.
 */
export async function driftAlarmAfterSignIn(page: Page, account: ConnectParams, heading: string): Promise<Locator> {
  await page.getByRole('button', { name: 'Account', exact: true }).click();
  await signIn(page, account);
  const banner = page.getByTestId('drift-banner');
  await expect(banner).toBeVisible({ timeout: 20_000 });
  await expect(banner).toHaveAttribute('role', 'alert');
  await expect(banner.getByRole('heading', { name: heading })).toBeVisible();
  return banner;
}

/** Signs `account` in and waits until the header says it is online. */
export async function signInOnline(page: Page, account: ConnectParams): Promise<void> {
  await signIn(page, account);
  await expect(page.getByTestId('connection-status')).toHaveText(/Online/, { timeout: 20_000 });
}

/** The same account with a password its server refuses. */
export function withWrongPassword(account: ConnectParams): ConnectParams {
  return { ...account, password: `${account.password}-wrong` };
}

/**
 * Signs in an account whose server refuses it (a wrong password, an address it does not have) and
 * waits until the Account form says so; answers that error, which names the account still worked for.
 */
export async function signInRefused(page: Page, account: ConnectParams): Promise<Locator> {
  await signIn(page, account);
  const error = page.getByTestId('account-error');
  await expect(error).toContainText('rejected the address or password', { timeout: 20_000 });
  return error;
}

/** Goes to a screen by its button in the app's navigation. */
export function goTo(page: Page, screen: string): Promise<void> {
  return page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: screen, exact: true }).click();
}

/** Reloads the window and waits for the app's screens again. */
export async function reloadApp(page: Page): Promise<void> {
  await page.reload();
  await expect(page.getByRole('navigation', { name: 'Screens' })).toBeVisible();
}

/** Opens the app, signs `account` in, waits until it is online and goes to My keys. */
export async function signedInOnMyKeys(page: Page, url: string, account: ConnectParams): Promise<void> {
  await openApp(page, url);
  await signIn(page, account);
  await expect(page.getByTestId('connection-status')).toHaveText(/Online/);
  await page.getByRole('button', { name: 'My keys', exact: true }).click();
}

/** Opens the app, signs `account` in, waits until it is online and on My profile as the server holds it. */
export async function signedInOnMyProfile(page: Page, url: string, account: ConnectParams): Promise<void> {
  await openApp(page, url);
  await signIn(page, account);
  await expect(page.getByTestId('connection-status')).toHaveText(/Online/, { timeout: 20_000 });
  await page.getByRole('button', { name: 'My profile', exact: true }).click();
  await expect(page.getByTestId('profile-source')).toContainText('as your server holds it');
}

/** A test-side session for setting the scene (subscriptions, groups) the way any client would. */
export async function connectWith(params: ConnectParams): Promise<Actor> {
  const session = new AccountSession({ events: new AppEvents(), log: silentLogger });
  await session.connect(params);
  return { params, session, jid: params.jid };
}
