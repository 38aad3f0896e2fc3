/**
 * A sign-in fetches every contact's keys and main announces each one (`contacts:keys`): with thousands
 * of contacts, thousands of events in a few seconds. The page takes them in without its thread being
 * held: applied one at a time, each copied the whole keys map and worked out the changed keys again,
 * and with 5,000 contacts the Contacts screen, opened meanwhile, showed no rows for over 20 s.
 *
 * The events are played into the page's own socket (as main would send them, one message per task),
 * so the count does not depend on a server with thousands of accounts.
 */
import { createHash } from 'node:crypto';
import type { Page } from '@playwright/test';
import type { ContactProfileView } from '../../contract';
import { expect, openApp, signOut, test } from './fixtures';

const CONTACTS = 3000;
/** XEP-0172 and XEP-0084 node names, as main's views name their sources. */
const NICK_NODE = 'http://jabber.org/protocol/nick';
const AVATAR_METADATA_NODE = 'urn:xmpp:avatar:metadata';

/**
 * Keeps the page's WebSockets reachable from the test, and counts the requests it sends by channel (run
 * before the app's own scripts).
 */
const KEEP_SOCKETS = `(() => {
  const Native = window.WebSocket;
  window.__sockets = [];
  window.__requests = {};
  window.WebSocket = class extends Native {
    constructor(...args) { super(...args); window.__sockets.push(this); }
    send(data) {
      try {
        const channel = JSON.parse(data).channel;
        if (typeof channel === 'string') window.__requests[channel] = (window.__requests[channel] ?? 0) + 1;
      } catch {}
      super.send(data);
    }
  };
})();`;

/** How many requests the page sent on `channel` since it opened. */
function requestsSent(page: Page, channel: string): Promise<number> {
  return page.evaluate((channel) => (window as unknown as { __requests: Record<string, number> }).__requests[channel] ?? 0, channel);
}

/** Plays `payloads` into the page's socket as main's `event`s, one message per task; how long the page took. */
function playEvents(page: Page, event: string, payloads: readonly unknown[]): Promise<number> {
  return page.evaluate(
    async ({ event, payloads }) => {
      const socket = (window as unknown as { __sockets: WebSocket[] }).__sockets.at(-1);
      if (!socket) throw new Error('the page opened no WebSocket');
      const nextTask = () =>
        new Promise<void>((resolve) => {
          const channel = new MessageChannel();
          channel.port1.onmessage = () => resolve();
          channel.port2.postMessage(null);
        });
      const started = performance.now();
      for (const payload of payloads) {
        socket.dispatchEvent(new MessageEvent('message', { data: JSON.stringify({ kind: 'event', event, payload }) }));
        await nextTask();
      }
      return performance.now() - started;
    },
    { event, payloads },
  );
}

test('3,000 contacts’ keys announced one after another keep the page responsive', async ({ page, launchApp }) => {
  test.setTimeout(90_000);
  await page.addInitScript({ content: KEEP_SOCKETS });
  const app = await launchApp();
  await openApp(page, app.url);

  const at = new Date().toISOString();
  // One contact among them has a key that replaced another: the navigation counts it.
  const changed = { fingerprint: 'ab'.repeat(32), status: 'valid', reason: '', trust: 'changed', decision: 'distrusted', firstSeen: at, lastSeen: at };
  const views = Array.from({ length: CONTACTS }, (_, i) => ({
    jid: `contact-${i}@flood.example`,
    fetch: 'ok',
    keys: i === 7 ? [changed] : [],
    invalid: [],
    changes: [],
    policy: 'tofu',
    policySource: 'account',
    mismatches: [],
  }));
  const took = await playEvents(page, 'contacts:keys', views);

  await expect(page.getByRole('button', { name: /^Contacts.*1 changed key/ })).toBeVisible();
  // Taking them in is the page's work alone (no round trip): 1.5 s on a loaded machine with the events
  // applied together; applied one by one, 68 s.
  expect(took, `${CONTACTS} events took ${Math.round(took)} ms`).toBeLessThan(5000);
  await signOut(page);
});

// The same for other apps' keys: a sign-in reads every roster contact's OMEMO devices and OpenPGP keys
// (`devices:contact`, one event each). Applied one at a time, with 5,000 contacts the page fell minutes
// behind and the roster the Contacts screen asked for waited behind the events on the socket.
test('3,000 contacts’ OMEMO devices announced one after another keep the page responsive', async ({ page, launchApp }) => {
  test.setTimeout(120_000);
  await page.addInitScript({ content: KEEP_SOCKETS });
  const app = await launchApp();
  await openApp(page, app.url);

  const at = new Date().toISOString();
  const device = (i: number) => ({
    protocol: 'omemo',
    deviceId: 1000 + i,
    fingerprint: (i % 256).toString(16).padStart(2, '0').repeat(32),
    firstSeen: at,
    lastSeen: at,
    // One contact among them has a device whose key changed: the navigation counts it.
    state: i === 7 ? 'changed' : 'new',
    decision: i === 7 ? 'changed' : 'trusted',
    problems: [],
  });
  const views = Array.from({ length: CONTACTS }, (_, i) => ({
    jid: `contact-${i}@flood.example`,
    sources: [{ protocol: 'omemo', status: 'ok' }],
    keys: [device(i)],
    leftOut: 0,
    mismatches: [],
  }));
  const took = await playEvents(page, 'devices:contact', views);

  await expect(page.getByRole('button', { name: /^Contacts.*1 changed key/ })).toBeVisible();
  expect(took, `${CONTACTS} events took ${Math.round(took)} ms`).toBeLessThan(5000);
  // Told once in Activity, not lost in the batching.
  await page.getByRole('button', { name: 'Activity', exact: true }).click();
  await expect(page.getByText('OMEMO device 1007 has another key than before: compare it')).toHaveCount(1);
  await page.getByRole('button', { name: 'Account', exact: true }).click();
  await signOut(page);
});

// The same for contacts' profiles: a sign-in (or a reconnect) sends presence with +notify, and the
// server pushes every contact's last nickname, avatar metadata and vCard (XEP-0163 §4.3.2), one
// `contacts:profile` event each. Here as main sends a nickname notification for a contact whose avatar
// it sent before: the avatar's metadata without its data (`sameAsBefore`).
test('3,000 contacts’ profile notifications one after another keep the page responsive', async ({ page, launchApp }) => {
  test.setTimeout(120_000);
  await page.addInitScript({ content: KEEP_SOCKETS });
  const app = await launchApp();
  await openApp(page, app.url);

  const views = Array.from({ length: CONTACTS }, (_, i): ContactProfileView => ({
    jid: `contact-${i}@flood.example`,
    origin: 'notification',
    updated: [NICK_NODE],
    refreshed: ['nickname'],
    nickname: `Contact ${i}`,
    avatar: {
      info: { id: createHash('sha1').update(`avatar ${i}`).digest('hex'), type: 'image/png', bytes: 4000 + i, width: 96, height: 96 },
      sameAsBefore: true,
    },
    sources: [
      { node: NICK_NODE, status: 'ok' },
      { node: AVATAR_METADATA_NODE, status: 'ok' },
    ],
  }));
  const took = await playEvents(page, 'contacts:profile', views);
  // Applied together: 0.4–0.8 s on a loaded machine; applied one by one (a merge, a map copy, an Activity
  // line and a fetch each), 4.8–5.8 s.
  expect(took, `${CONTACTS} events took ${Math.round(took)} ms`).toBeLessThan(2500);

  // Still usable: another screen opens at once.
  await page.getByRole('button', { name: 'Contacts', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Contacts', exact: true })).toBeVisible({ timeout: 2000 });
  // Activity tells the burst on one line, instead of 3,000 (of which the last 500 would have pushed
  // everything else out of the list).
  await page.getByRole('button', { name: 'Activity', exact: true }).click();
  const updates = page.getByTestId('activity-entry').filter({ hasText: /Profile update/ });
  await expect(updates).toHaveCount(1);
  await expect(updates).toContainText('Profile updates from 3,000 contacts');
  // All applied by now. The page asked main again only for the pictures of the profiles it keeps, not
  // for every contact's, and for the picture alone (online, at most one read from the contact's server
  // each, where a whole profile fetch is four).
  expect(await requestsSent(page, 'contacts:fetchAvatar')).toBeGreaterThan(0);
  expect(await requestsSent(page, 'contacts:fetchAvatar')).toBeLessThan(CONTACTS);
  expect(await requestsSent(page, 'contacts:fetchProfile')).toBe(0);
  await page.getByRole('button', { name: 'Account', exact: true }).click();
  await signOut(page);
});
