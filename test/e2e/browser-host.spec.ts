import { request } from 'node:http';
import WebSocket from 'ws';
import { WIRE_PATH, WIRE_PROTOCOL, WIRE_TOKEN_PREFIX, type WireMessage } from '../../contract/wire';
import { expect, openApp, signIn, signOut, test, type BrowserHostProcess } from './fixtures';

test('the page asks main for app info over the WebSocket, and connects to the real Prosody', async ({
  page,
  launchApp,
  newAccount,
  saveScreenshot,
}) => {
  const juliet = await newAccount('juliet');
  // A host of its own: the worker's shared one may be left by an earlier test with a refused sign-in
  // ("Offline (address or password refused)"), and this test is about what a fresh app says.
  const host = await launchApp();
  await openApp(page, host.url);
  await signOut(page);

  // app:getInfo answered by main's handler: the footer names the shell.
  await expect(page.getByText('browser host')).toBeVisible();
  await expect(page.getByTestId('connection-status')).toHaveText(/Offline/);
  // The token is taken out of the address bar once read.
  expect(new URL(page.url()).hash).toBe('');
  await saveScreenshot('account-signed-out');

  await signIn(page, juliet);

  await expect(page.getByTestId('connection-status')).toHaveText(new RegExp(`Online.*${juliet.jid}`));
  await expect(page.getByTestId('support-pep')).toHaveText('yes');
  await expect(page.getByTestId('support-publish-options')).toHaveText('yes');
  // What Prosody 0.12's configuration takes, not the one model it advertises (presence).
  await expect(page.getByTestId('support-audiences')).toContainText(
    'You can publish for: anyone, contacts who see your presence, only contacts you choose. Roster groups are not possible on this server',
  );
  // Who hears of changes at once: as measured on the Prosody the server names (XEP-0092).
  await expect(page.getByTestId('support-notifications')).toContainText('Contacts on other servers yes, at once');
  await expect(page.getByTestId('pep-support')).toContainText(/measured on Prosody 0\.12\. Yours is Prosody 0\.12\./);
  await saveScreenshot('account-online-support');

  await page.getByRole('button', { name: 'Disconnect' }).click();
  await expect(page.getByTestId('connection-status')).toHaveText(/Offline/);
});

test('a second window that sent no request learns the new state from a pushed event', async ({
  browser,
  page,
  launchApp,
  newAccount,
}) => {
  const romeo = await newAccount('romeo');
  // A host of its own, fresh: "Offline" is what an app no one was refused on says.
  const browserHost = await launchApp();
  const watcher = await (await browser.newContext()).newPage();
  await openApp(watcher, browserHost.url);
  await signOut(watcher);
  await expect(watcher.getByTestId('connection-status')).toHaveText(/Offline/);

  // Drive the connection from the first page only.
  await openApp(page, browserHost.url);
  await signIn(page, romeo);

  await expect(watcher.getByTestId('connection-status')).toHaveText(new RegExp(`Online.*${romeo.jid}`));
  await page.getByRole('button', { name: 'Disconnect' }).click();
  await expect(watcher.getByTestId('connection-status')).toHaveText(/Offline/);
});

test('a wrong password shows a clear error and what to do next', async ({ page, browserHost, newAccount, saveScreenshot }) => {
  const juliet = await newAccount('juliet');
  await openApp(page, browserHost.url);
  await signIn(page, { ...juliet, password: 'wrong password' });
  await expect(page.getByTestId('account-error')).toContainText('rejected the address or password');
  await expect(page.getByTestId('account-error')).toContainText('Check the address and password.');
  // Never the refused address in the header (it never signed in here): "Offline", with why, or the account an
  // earlier test signed in on this shared host, offline (main/services/working-account.ts).
  await expect(page.getByTestId('connection-label')).toHaveText('Offline');
  await expect(page.getByTestId('connection-status')).not.toContainText(juliet.jid);
  // Connect was disabled while it ran: focus is back in the password field, to type it again.
  await expect(page.getByLabel('Password')).toBeFocused();
  await saveScreenshot('account-wrong-password');
});

test('the CA fingerprint shows as the path is pasted, and Connect then works at the first click, at 800×600', async ({ page, browserHost, newAccount }) => {
  // The CA's fingerprint used to be read again when the field lost focus, and the form shrank while it was,
  // moving Connect from under the click that took the focus away: the click did nothing.
  const juliet = await newAccount('juliet');
  await page.setViewportSize({ width: 800, height: 600 });
  await openApp(page, browserHost.url);
  // signIn pastes the CA path, waits for its fingerprint, then clicks Connect once.
  await signIn(page, juliet);
  await expect(page.getByTestId('connection-status')).toHaveText(/Online/);
  // The form is gone: focus is on the screen's heading, not lost to the page.
  await expect(page.getByRole('heading', { name: 'Account', exact: true })).toBeFocused();
  // The host serves the whole worker: the next test starts signed out.
  await signOut(page);
});

test('reloading the tab keeps working: the token lives in this tab’s session storage, in no URL', async ({ page, context, browserHost }) => {
  await openApp(page, browserHost.url);
  expect(new URL(page.url()).hash).toBe('');
  await page.reload();
  // The vault stays unlocked in main, so the reloaded tab goes straight to the screens.
  await expect(page.getByRole('navigation', { name: 'Screens' })).toBeVisible();
  await expect(page.getByText('browser host')).toBeVisible();
  expect(page.url()).not.toContain(browserHost.token);
  // Another tab without the link gets nothing: session storage is this tab's own.
  const other = await context.newPage();
  await other.goto(`${browserHost.origin}/`);
  await expect(other.getByRole('alert')).toContainText('the link the app printed when it started');
  await other.close();
});

test('a page opened with a wrong token is refused and says why', async ({ page, browserHost }) => {
  await page.goto(`${browserHost.origin}/#token=not-the-token`);
  await expect(page.getByRole('alert')).toContainText('refused this page');
});

test.describe('the WebSocket refuses what did not come from our page', () => {
  test('wrong token, foreign Origin, foreign Host and missing token are all refused with 403', async ({ browserHost }) => {
    const good = { origin: browserHost.origin, host: `127.0.0.1:${browserHost.port}`, token: browserHost.token };
    expect(await upgradeStatus(browserHost, good)).toBe(101);
    expect(await upgradeStatus(browserHost, { ...good, token: 'x'.repeat(good.token.length) })).toBe(403);
    expect(await upgradeStatus(browserHost, { ...good, token: '' })).toBe(403);
    expect(await upgradeStatus(browserHost, { ...good, origin: 'http://evil.example' })).toBe(403);
    expect(await upgradeStatus(browserHost, { ...good, origin: `http://127.0.0.1:${browserHost.port + 1}` })).toBe(403);
    // DNS rebinding: a foreign name resolving to 127.0.0.1 arrives with its own Host header.
    expect(await upgradeStatus(browserHost, { ...good, host: `evil.example:${browserHost.port}` })).toBe(403);
  });

  test('a foreign Host cannot even load the page (DNS rebinding)', async ({ browserHost }) => {
    expect(await httpStatus(browserHost.port, `127.0.0.1:${browserHost.port}`)).toBe(200);
    expect(await httpStatus(browserHost.port, `evil.example:${browserHost.port}`)).toBe(421);
  });
});

test('malformed and invalid requests get typed errors, and the host keeps serving', async ({ browserHost }) => {
  const ws = await openWire(browserHost);
  try {
    ws.send('this is not json');
    expect(await nextResponse(ws)).toEqual({
      kind: 'response',
      id: null,
      result: { ok: false, error: { code: 'invalid-argument', message: 'Malformed request message' } },
    });

    ws.send(JSON.stringify({ id: 1, channel: 'account:connect', params: { jid: 5, password: 'x' } }));
    const badJid = await nextResponse(ws);
    expect(badJid.kind === 'response' && badJid.result).toMatchObject({
      ok: false,
      error: { code: 'invalid-argument', field: 'jid' },
    });

    ws.send(JSON.stringify({ id: 2, channel: 'account:connect', params: { jid: 'a@b.c', password: 'x', evil: true } }));
    const extra = await nextResponse(ws);
    expect(extra.kind === 'response' && extra.result).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });

    ws.send(JSON.stringify({ id: 3, channel: 'fs:readFile', params: '/etc/shadow' }));
    const unknown = await nextResponse(ws);
    expect(unknown.kind === 'response' && unknown.result).toMatchObject({ ok: false, error: { code: 'unknown-channel' } });

    ws.send(JSON.stringify({ id: 4, channel: 'account:checkSupport' }));
    const offline = await nextResponse(ws);
    expect(offline.kind === 'response' && offline.result).toMatchObject({ ok: false, error: { code: 'not-connected' } });

    ws.send(JSON.stringify({ id: 5, channel: 'app:getInfo' }));
    const info = await nextResponse(ws);
    expect(info).toMatchObject({ kind: 'response', id: 5, result: { ok: true, value: { host: 'browser' } } });
  } finally {
    ws.close();
  }
  expect(browserHost.child.exitCode).toBeNull();
});

async function upgradeStatus(
  host: BrowserHostProcess,
  o: { origin: string; host: string; token: string },
): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}${WIRE_PATH}`, [WIRE_PROTOCOL, WIRE_TOKEN_PREFIX + o.token], {
      origin: o.origin,
      headers: { Host: o.host },
    });
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', (error) => reject(error));
  });
}

async function openWire(host: BrowserHostProcess): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${host.port}${WIRE_PATH}`, [WIRE_PROTOCOL, WIRE_TOKEN_PREFIX + host.token], {
    origin: host.origin,
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return ws;
}

async function nextResponse(ws: WebSocket): Promise<WireMessage> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const message = JSON.parse(Buffer.isBuffer(data) ? data.toString('utf8') : '{}') as WireMessage;
      if (message.kind === 'response') {
        ws.off('message', onMessage);
        resolve(message);
      }
    };
    ws.on('message', onMessage);
  });
}

/** GET / with a chosen Host header (fetch forbids setting Host). */
async function httpStatus(port: number, hostHeader: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', headers: { Host: hostHeader } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once('error', reject);
    req.end();
  });
}
