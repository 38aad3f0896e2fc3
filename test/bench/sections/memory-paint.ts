/**
 * Memory and first paint with 5,000 contacts, through the real browser host (`node out/main/browser-host.js`,
 * what `npm run start:browser` runs: the app's main process when there is no Electron):
 *   - its vault holds 5,000 contacts, each with a real certificate (stored as a fetch would store it);
 *   - its account's roster on the benchmark's Prosody holds the same 5,000 contacts, in 20 groups;
 *   - Chromium (Debian's, through Playwright) opens the page; the vault is unlocked and the account
 *     online, the page loads the roster, then the Contacts screen is opened and timed to its first paint.
 * RSS is the browser host's (VmRSS of its process) once that paint is done, next to the same host with
 * an empty vault and roster.
 *
 * "Contacts opened → first rows painted" is measured twice, each time on a fresh page:
 *   - with the fetch: the page's roster:list request (sent when the account is online) is held back in
 *     the page (WebSocket.prototype.send, wrapped before the app's scripts run) until the server has
 *     settled after the sign-in; the Contacts screen is then opened and the request released in the
 *     same task, so the time runs from the click through the request to main, main asking the server
 *     for the roster, the answer back in the page, and the rows rendered, to the first frame painted
 *     with rows;
 *   - the roster already loaded: the page loads it as it does today, then the screen is opened.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
import WebSocket from 'ws';
import { Vault } from '../../../main/vault/vault.js';
import type { ContactKeyRecord } from '../../../main/vault/schema.js';
import { WIRE_PATH, WIRE_PROTOCOL, WIRE_TOKEN_PREFIX } from '../../../contract/wire.js';
import type { ConnectParams } from '../../../contract/index.js';
import { stopChild } from '../../support/prosody.js';
import { startBuiltBrowserHost, type BrowserHostProcess } from '../../support/browser-host-process.js';
import { LIGHT_SCRYPT } from '../../support/vaults.js';
import { BENCH_PASSPHRASE } from '../support/apps.js';
import type { MadeCertificate } from '../support/certs.js';
import { processCpuMs, processRssMb } from '../support/bench-server.js';

export interface PaintMeasure {
  /** undefined when the screen could not be measured; `why` says what is missing. */
  firstPaintMs?: number;
  /** Contacts opened → first rows painted, the roster fetched meanwhile (see above): median of WITH_FETCH_PAGES. */
  withFetchMs?: number;
  /** In that measure: the roster:list request leaving the page → its answer arriving (seen from Node). */
  withFetchRosterMs?: number;
  withFetchSamples?: { ms: number; rosterMs?: number }[];
  repaintMedianMs?: number;
  rowsPainted?: number;
  rosterAnswerMs?: number;
  why?: string;
}

export interface HostMeasure {
  contacts: number;
  rssMb: number;
  peakRssMb: number;
  /** The host's CPU (all threads) from its start to the measure: the sign-in's fetch included. */
  cpuMs: number;
  paint: PaintMeasure;
}

/** A vault as the app leaves it after fetching these contacts' keys once. */
export async function writeVault(dir: string, account: ConnectParams, certificates: readonly MadeCertificate[]): Promise<void> {
  const vault = await Vault.open({ dir, passphrase: BENCH_PASSPHRASE, scrypt: LIGHT_SCRYPT });
  const at = new Date().toISOString();
  const contacts: Record<string, ContactKeyRecord[]> = {};
  for (const c of certificates) {
    contacts[c.jid] = [{ fingerprint: c.fingerprint, certificate: c.der.toString('base64'), firstSeen: at, lastSeen: at, trust: 'unverified' }];
  }
  await vault.update((draft) => {
    draft.accounts[account.jid] = { jid: account.jid, settings: {}, ownKeys: [], contacts };
  });
  // The host opens it next: one process at a time (main/vault/vault-lock.ts).
  await vault.close();
}

type Host = BrowserHostProcess;

const startHost = (dataDir: string): Promise<Host> => startBuiltBrowserHost(dataDir);

/** Unlock and connect over the host's own WebSocket, as a page would. */
async function unlockAndConnect(host: Host, account: ConnectParams): Promise<void> {
  const ws = new WebSocket(`ws://127.0.0.1:${host.port}${WIRE_PATH}`, [WIRE_PROTOCOL, WIRE_TOKEN_PREFIX + host.token], {
    origin: host.origin,
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let nextId = 1;
  const request = (channel: string, params: unknown): Promise<void> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      const onMessage = (data: WebSocket.RawData) => {
        const message = JSON.parse(Buffer.isBuffer(data) ? data.toString('utf8') : '{}') as { kind: string; id?: number; result?: { ok: boolean; error?: { message: string } } };
        if (message.kind !== 'response' || message.id !== id) return;
        ws.off('message', onMessage);
        if (message.result?.ok) resolve();
        else reject(new Error(`${channel}: ${message.result?.error?.message ?? 'failed'}`));
      };
      ws.on('message', onMessage);
      ws.send(JSON.stringify({ id, channel, params }));
    });
  try {
    await request('vault:unlock', { passphrase: BENCH_PASSPHRASE });
    await request('account:connect', account);
  } finally {
    ws.close();
  }
}

/**
 * THE HOOK for the renderer figure: opens the Contacts screen and times it to the first frame painted
 * with contact rows (click → a frame whose rAF sees rows → a message posted from that rAF, which runs
 * after the frame is painted). When the app has no such screen or rows yet, says what is missing
 * instead of a number. It relies on: a nav button named "Contacts", rows with data-testid="contact-row".
 */
async function measureContactsPaint(page: Page, expected: number, lastJid: string): Promise<PaintMeasure> {
  const nav = page.getByRole('navigation', { name: 'Screens' });
  try {
    await nav.waitFor({ timeout: 15_000 });
  } catch {
    return { why: 'the app shows no screen navigation with the vault unlocked' };
  }
  const contactsButton = nav.getByRole('button', { name: /^Contacts/ });
  if ((await contactsButton.count()) === 0) return { why: 'the app has no Contacts screen yet' };
  const otherButton = nav.getByRole('button').first();

  const first = await openAndTime(page, false);
  if (!first) return { why: `the Contacts screen showed no contact rows (data-testid="contact-row") for ${expected} contacts` };
  // The screen must show all of them, not a first page: the last contact is findable by search.
  const repaints: number[] = [];
  for (let i = 0; i < 5; i++) {
    await otherButton.click();
    await page.waitForTimeout(100);
    const again = await openAndTime(page, false);
    if (again) repaints.push(again.ms);
  }
  const search = page.getByRole('searchbox', { name: 'Search contacts' });
  if ((await search.count()) > 0) {
    await search.fill(lastJid);
    const found = await page
      .waitForFunction(() => document.querySelectorAll('[data-testid="contact-row"]').length === 1, undefined, { timeout: 5000 })
      .then(() => true)
      .catch(() => false);
    if (!found) return { why: `the Contacts screen does not list all ${expected} contacts (searching ${lastJid} finds no single row)` };
    await search.fill('');
  }
  repaints.sort((a, b) => a - b);
  return { firstPaintMs: first.ms, rowsPainted: first.rows, repaintMedianMs: repaints[Math.floor(repaints.length / 2)] };
}

/**
 * Holds the page's roster:list requests back until window.__benchReleaseRoster() is called. Plain
 * JavaScript source, run before the app's own scripts (a function would be serialized as the test
 * runner compiled it, with helpers the page does not have).
 */
const HOLD_ROSTER_REQUESTS = `(() => {
  const send = Object.getOwnPropertyDescriptor(WebSocket.prototype, 'send').value;
  const held = [];
  let holding = true;
  window.__benchHeldRoster = () => held.length;
  window.__benchReleaseRoster = () => {
    holding = false;
    for (const [socket, data] of held.splice(0)) send.call(socket, data);
  };
  WebSocket.prototype.send = function (data) {
    if (holding && typeof data === 'string' && data.includes('"channel":"roster:list"')) {
      held.push([this, data]);
      return;
    }
    send.call(this, data);
  };
})();`;

/**
 * Clicks Contacts and times it to the first frame painted with contact rows (click → a frame whose rAF
 * sees rows → a message posted from that rAF, which runs after the frame is painted). With `release`,
 * the held roster:list request is let go right after the click, in the same task.
 */
function openAndTime(page: Page, release: boolean): Promise<{ ms: number; rows: number } | undefined> {
  return page.evaluate(
      ({ timeoutMs, release }) =>
        new Promise<{ ms: number; rows: number } | undefined>((resolve) => {
          const button = [...document.querySelectorAll('nav button')].find((b) => (b.textContent ?? '').trim().startsWith('Contacts'));
          if (!(button instanceof HTMLElement)) return resolve(undefined);
          const start = performance.now();
          button.click();
          if (release) (window as unknown as { __benchReleaseRoster: () => void }).__benchReleaseRoster();
          const check = () => {
            const rows = document.querySelectorAll('[data-testid="contact-row"]').length;
            if (rows === 0) {
              if (performance.now() - start > timeoutMs) resolve(undefined);
              else requestAnimationFrame(check);
              return;
            }
            const channel = new MessageChannel();
            channel.port1.onmessage = () => resolve({ ms: performance.now() - start, rows });
            channel.port2.postMessage(null);
          };
          requestAnimationFrame(check);
        }),
      { timeoutMs: 20_000, release },
    );
}

/** roster:list as the page asks it: request frame out → answer frame in (both seen from Node). */
function watchRoster(page: Page): { answerMs: () => number | undefined; loaded: Promise<void> } {
  let roster: { id: number; sentAt: number } | undefined;
  let answerMs: number | undefined;
  let rosterLoaded: () => void = () => undefined;
  const loaded = new Promise<void>((resolve) => (rosterLoaded = resolve));
  page.on('websocket', (socket) => {
    socket.on('framesent', ({ payload }) => {
      const sent = JSON.parse(String(payload)) as { id?: number; channel?: string };
      if (sent.channel === 'roster:list' && typeof sent.id === 'number') roster = { id: sent.id, sentAt: performance.now() };
    });
    socket.on('framereceived', ({ payload }) => {
      const received = JSON.parse(String(payload)) as { kind?: string; id?: number };
      if (roster === undefined || received.kind !== 'response' || received.id !== roster.id) return;
      answerMs ??= performance.now() - roster.sentAt;
      rosterLoaded();
    });
  });
  return { answerMs: () => answerMs, loaded };
}

const WITH_FETCH_PAGES = 3;

/** Contacts opened → first rows painted, the roster fetched meanwhile, on WITH_FETCH_PAGES fresh pages. */
async function measureWithFetch(
  browser: Browser,
  host: Host,
  settled: () => Promise<void>,
): Promise<Pick<PaintMeasure, 'withFetchMs' | 'withFetchRosterMs' | 'withFetchSamples' | 'why'>> {
  const samples: { ms: number; rosterMs?: number }[] = [];
  for (let i = 0; i < WITH_FETCH_PAGES; i++) {
    const one = await measureWithFetchOnce(browser, host, settled);
    if ('why' in one) return { why: one.why };
    samples.push(one);
  }
  const middle = [...samples].sort((a, b) => a.ms - b.ms)[Math.floor(samples.length / 2)];
  return {
    withFetchSamples: samples,
    ...(middle ? { withFetchMs: middle.ms, ...(middle.rosterMs === undefined ? {} : { withFetchRosterMs: middle.rosterMs }) } : {}),
  };
}

async function measureWithFetchOnce(browser: Browser, host: Host, settled: () => Promise<void>): Promise<{ ms: number; rosterMs?: number } | { why: string }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  try {
    await page.addInitScript({ content: HOLD_ROSTER_REQUESTS });
    const roster = watchRoster(page);
    await page.goto(host.url);
    const held = await page
      .waitForFunction(() => (window as unknown as { __benchHeldRoster: () => number }).__benchHeldRoster() > 0, undefined, { timeout: 20_000 })
      .then(() => true)
      .catch(() => false);
    if (!held) return { why: 'the page asked for no roster:list once online' };
    await page.getByRole('navigation', { name: 'Screens' }).waitFor({ timeout: 15_000 });
    await settled();
    const opened = await openAndTime(page, true);
    if (!opened) return { why: 'the Contacts screen showed no contact rows after the roster came' };
    const rosterMs = roster.answerMs();
    return { ms: opened.ms, ...(rosterMs === undefined ? {} : { rosterMs }) };
  } finally {
    await page.close();
  }
}

export async function measureHost(
  browser: Browser,
  account: ConnectParams,
  certificates: readonly MadeCertificate[],
  lastJid: string,
  /** Resolves once the server has finished the sign-in's work. */
  settled: () => Promise<void> = () => Promise.resolve(),
): Promise<HostMeasure> {
  const dataDir = await mkdtemp(join(tmpdir(), 'keyring-bench-host-'));
  let host: Host | undefined;
  try {
    await writeVault(dataDir, account, certificates);
    host = await startHost(dataDir);
    await unlockAndConnect(host, account);
    const withFetch = certificates.length === 0 ? {} : await measureWithFetch(browser, host, settled);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const roster = watchRoster(page);
    await page.goto(host.url);
    await Promise.race([roster.loaded, new Promise((r) => setTimeout(r, 20_000))]);
    const paint: PaintMeasure = certificates.length === 0 ? {} : await measureContactsPaint(page, certificates.length, lastJid);
    const rosterAnswerMs = roster.answerMs();
    if (rosterAnswerMs !== undefined) paint.rosterAnswerMs = rosterAnswerMs;
    if (withFetch.withFetchMs !== undefined) paint.withFetchMs = withFetch.withFetchMs;
    if (withFetch.withFetchRosterMs !== undefined) paint.withFetchRosterMs = withFetch.withFetchRosterMs;
    if (withFetch.withFetchSamples !== undefined) paint.withFetchSamples = withFetch.withFetchSamples;
    if (withFetch.why !== undefined) paint.why = paint.why ?? withFetch.why;
    await new Promise((r) => setTimeout(r, 1000)); // let the host settle (GC) before reading its RSS
    const { rssMb, peakMb } = await processRssMb(host.child.pid ?? 0);
    const cpuMs = await processCpuMs(host.child.pid ?? 0);
    await page.close();
    return { contacts: certificates.length, rssMb, peakRssMb: peakMb, cpuMs, paint };
  } finally {
    if (host) await stopChild(host.child);
    await rm(dataDir, { recursive: true, force: true });
  }
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    // As playwright.config.ts: this machine has no network but loopback.
    args: ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
