/**
 * The connection as the Account screen and the header say it (review walk 4, items 12 and 18):
 * - not signed in reads "Offline" whether no sign-in was tried, one was refused (with why), or the
 *   person disconnected: one word, never "Not connected" for the same state;
 * - during an outage Account says "Reconnecting…" in words, since when, the last error in main's words,
 *   the next try, and offers "Reconnect now" (while the header says "Reconnecting…", Account used to say
 *   only "Signed in as …");
 * - the header, with the connection's state, stays in sight when a long page is scrolled (and the
 *   sidebar's screens below it), and covers none of the page's start.
 */
import { join } from 'node:path';
import { expect, openApp, SCREENSHOT_DIR, signIn, signInOnline, signInRefused, SIZES, test, withWrongPassword } from './fixtures';

test('Offline is one word with its reason; an outage is said on Account with since when, why and Reconnect now; the header stays in sight', async ({
  page,
  launchApp,
  newAccount,
  prosody,
}) => {
  test.setTimeout(120_000);
  const app = await launchApp();
  const juliet = await newAccount('juliet');
  const label = page.getByTestId('connection-label');
  const reason = page.getByTestId('connection-reason');
  await openApp(page, app.url);
  // Before any sign-in.
  await expect(label).toHaveText('Offline');
  await expect(reason).toHaveCount(0);
  // Refused: the same word, and why.
  await signInRefused(page, withWrongPassword(juliet));
  await expect(label).toHaveText('Offline');
  await expect(reason).toHaveText('(address or password refused)');

  await signInOnline(page, juliet);
  const card = page.getByRole('main');
  const outage = card.getByTestId('account-outage');
  await expect(outage).toHaveCount(0);
  await prosody.pause();
  try {
    await expect(label).toHaveText('Reconnecting…', { timeout: 5_000 });
    // Account says it too, in words: since when, why, what happens next, and what the person can do.
    await expect(outage).toContainText('Reconnecting…');
    await expect(outage.getByTestId('outage-since')).toHaveText(/^\d\d:\d\d:\d\d$/);
    await expect(outage).toContainText('The connection to your server was lost at');
    await expect(outage.getByTestId('outage-next')).toHaveText(/^\((next try in \d+ s.*|trying now)\)$/);
    const cause = outage.getByTestId('outage-cause');
    await expect(cause).toContainText(/^Last error: \S/);
    // Main's words, never a library's.
    await expect(cause).not.toContainText(/ECONN|Error:|at [\w.]+ \(/);
    // Signed in moments ago: the next step is the network or the server, not the server name and port.
    await expect(cause).toContainText('check that this computer is online, or ask your server’s admin whether the server is down');
    await expect(cause).not.toContainText('server name and port');
    const reconnect = card.getByRole('button', { name: 'Reconnect now' });
    await expect(reconnect).toBeVisible();
    await expect(card.getByRole('button', { name: 'Disconnect' })).toBeVisible();
    for (const size of SIZES) {
      await page.setViewportSize(size);
      for (const colorScheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme });
        await page.screenshot({ path: join(SCREENSHOT_DIR, `account-outage-${size.width}x${size.height}-${colorScheme}.png`) });
      }
    }
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize(SIZES[0]);
    // Reconnect now tries at once; with the server still down, that try fails and is counted.
    await expect(reconnect).toBeEnabled({ timeout: 10_000 });
    await reconnect.click();
    await expect(outage.getByTestId('outage-next')).toContainText(/tr(y|ies) failed so far/, { timeout: 10_000 });
    await expect(page.locator('body')).not.toBeFocused();

    // A long page scrolled to its end at the smallest size: the header is still in sight, at the top.
    await page.setViewportSize(SIZES[1]);
    await page.evaluate(() => {
      const filler = document.createElement('div');
      filler.id = 'e2e-filler';
      filler.style.height = '3000px';
      document.querySelector('main')?.append(filler);
      window.scrollTo(0, document.documentElement.scrollHeight);
    });
    await expect.poll(() => page.evaluate(() => window.scrollY)).toBeGreaterThan(1000);
    const header = await page.getByRole('banner').boundingBox();
    expect(header?.y).toBe(0);
    await expect(page.getByTestId('connection-status')).toBeInViewport({ ratio: 1 });
    // And the screens beside it: the sidebar's buttons stay in reach too.
    await expect(page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Activity', exact: true })).toBeInViewport({ ratio: 1 });
    // Scrolled back to the start: the screen's title is below the header, not under it.
    await page.evaluate(() => {
      document.getElementById('e2e-filler')?.remove();
      window.scrollTo(0, 0);
    });
    const title = await page.getByRole('heading', { name: 'Account', level: 2 }).boundingBox();
    const top = await page.getByRole('banner').boundingBox();
    expect(title && top && title.y >= top.y + top.height).toBe(true);
  } finally {
    await prosody.resume();
  }
  await expect(label).toHaveText('Online', { timeout: 30_000 });
  await expect(outage).toHaveCount(0);
  // Disconnected: the same word as before any sign-in, and nothing to explain.
  await page.getByRole('button', { name: 'Disconnect' }).click();
  await expect(label).toHaveText('Offline');
  await expect(reason).toHaveCount(0);
  await signIn(page, juliet);
  await expect(label).toHaveText('Online', { timeout: 20_000 });
});
