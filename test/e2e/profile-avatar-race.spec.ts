/**
 * A contact's picture the page asked main for again (contacts:fetchAvatar) can land after a newer avatar
 * was announced: a slow contact's server, or answers overtaking each other. The page shows the avatar
 * published now, never the older picture over it.
 *
 * The page's socket is wrapped before the app's scripts run: its fetchAvatar requests are held back
 * (not sent to main) and answered from the test, and main's events are played into it, so the order is
 * the test's. Everything else goes to the real browser host, signed in to the test Prosody.
 */
import { createHash } from 'node:crypto';
import type { Page } from '@playwright/test';
import type { ContactProfileView } from '../../contract';
import { makePng } from '../support/images';
import { checkEveryLook, connectWith, expect, openApp, signIn, test } from './fixtures';
import { befriend } from '../support/scenario';

const AVATAR_METADATA_NODE = 'urn:xmpp:avatar:metadata';
const AVATAR_DATA_NODE = 'urn:xmpp:avatar:data';

/** Holds the page's contacts:fetchAvatar requests for the test to answer; counts the answers to the others by channel. */
const HOLD_AVATAR_REQUESTS = `(() => {
  const Native = window.WebSocket;
  window.__sockets = [];
  window.__held = [];
  window.__answered = {};
  const channels = {};
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      window.__sockets.push(this);
      this.addEventListener('message', (event) => {
        try {
          const message = JSON.parse(event.data);
          const channel = message.kind === 'response' ? channels[message.id] : undefined;
          if (channel) window.__answered[channel] = (window.__answered[channel] ?? 0) + 1;
        } catch {}
      });
    }
    send(data) {
      try {
        const request = JSON.parse(data);
        if (request.channel === 'contacts:fetchAvatar') {
          window.__held.push(request);
          return;
        }
        channels[request.id] = request.channel;
      } catch {}
      super.send(data);
    }
  };
})();`;

/** Delivers `message` to the page as if main had sent it, and waits long enough for the page to apply it. */
function fromMain(page: Page, message: unknown): Promise<void> {
  return page.evaluate(async (message) => {
    const socket = (window as unknown as { __sockets: WebSocket[] }).__sockets.at(-1);
    if (!socket) throw new Error('the page opened no WebSocket');
    socket.dispatchEvent(new MessageEvent('message', { data: JSON.stringify(message) }));
    // Events are applied together every EVENT_BATCH_MS (100 ms); an answer at once.
    await new Promise((resolve) => setTimeout(resolve, 400));
  }, message);
}

function heldRequests(page: Page): Promise<{ id: number; params: { jid: string; id: string } }[]> {
  return page.evaluate(() => (window as unknown as { __held: { id: number; params: { jid: string; id: string } }[] }).__held);
}

function answered(page: Page, channel: string): Promise<number> {
  return page.evaluate((channel) => (window as unknown as { __answered: Record<string, number> }).__answered[channel] ?? 0, channel);
}

test('a picture asked for an older avatar that lands after a newer one is announced does not replace it', async ({ page, launchApp, newAccount, saveScreenshot }) => {
  test.setTimeout(120_000);
  const [julietAccount, romeoAccount] = await Promise.all([newAccount('juliet'), newAccount('romeo')]);
  const [juliet, romeo] = await Promise.all([connectWith(julietAccount), connectWith(romeoAccount)]);
  await befriend(juliet, romeo, ['Friends']);
  await Promise.all([juliet.session.disconnect(), romeo.session.disconnect()]);

  await page.addInitScript({ content: HOLD_AVATAR_REQUESTS });
  const app = await launchApp();
  await openApp(page, app.url);
  await signIn(page, romeoAccount);
  await expect(page.getByTestId('connection-status')).toHaveText(/Online/);
  await page.getByRole('button', { name: 'Contacts', exact: true }).click();
  await page.getByTestId('contact-row').filter({ hasText: julietAccount.jid }).click();
  // Opening her card reads her profile (she has published none): that answer comes first.
  await expect.poll(() => answered(page, 'contacts:fetchProfile')).toBeGreaterThan(0);

  const older = makePng(48, 48);
  const newer = makePng(64, 64, true);
  const info = (png: Buffer, side: number) => ({ id: createHash('sha1').update(png).digest('hex'), type: 'image/png', bytes: png.length, width: side, height: side });
  const avatarEvent = (avatar: ContactProfileView['avatar']): ContactProfileView => ({
    jid: julietAccount.jid,
    origin: 'notification',
    updated: [AVATAR_METADATA_NODE],
    refreshed: ['avatar'],
    ...(avatar ? { avatar } : {}),
    sources: [{ node: AVATAR_METADATA_NODE, status: 'ok' }],
  });

  // Main announces the older avatar without its picture (sent before, dropped by the page since): the
  // page asks main for it, and that answer is slow.
  await fromMain(page, { kind: 'event', event: 'contacts:profile', payload: avatarEvent({ info: info(older, 48), sameAsBefore: true }) });
  await expect.poll(async () => (await heldRequests(page)).length).toBe(1);
  const [request] = await heldRequests(page);
  expect(request?.params).toEqual({ jid: julietAccount.jid, id: info(older, 48).id });

  // Meanwhile she publishes a newer avatar, and main sends it with its picture.
  await fromMain(page, { kind: 'event', event: 'contacts:profile', payload: avatarEvent({ info: info(newer, 64), dataBase64: newer.toString('base64') }) });
  const picture = page.getByTestId('contact-detail').getByTestId('profile-avatar');
  await expect(picture).toHaveAttribute('src', `data:image/png;base64,${newer.toString('base64')}`);

  // The older picture lands last: the page keeps showing the newer one.
  const lateAnswer: ContactProfileView = {
    ...avatarEvent({ info: info(older, 48), dataBase64: older.toString('base64') }),
    origin: 'fetch',
    updated: [AVATAR_DATA_NODE],
  };
  await fromMain(page, { kind: 'response', id: request?.id, result: { ok: true, value: lateAnswer } });
  await expect(picture).toHaveAttribute('src', `data:image/png;base64,${newer.toString('base64')}`);
  await checkEveryLook(page, 'contact-avatar-after-late-answer', saveScreenshot);
});
