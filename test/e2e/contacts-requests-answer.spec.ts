/**
 * Answering requests to see your presence: the list says, before Approve, that approving also lets them
 * read what is published for "Contacts who see my presence" (it did silently); Approve and Deny move the
 * keyboard on to the next request, and after the last one to the top of the contact list (it fell to the page).
 */
import { join } from 'node:path';
import { subscriptionStanza } from '../../main/xmpp/roster';
import { connectWith, expect, openApp, SCREENSHOT_DIR, signInOnline, SIZES, test } from './fixtures';

test('the request list says what Approve grants; Approve and Deny move focus to the next request, then to the list', async ({ page, browserHost, newAccount }) => {
  test.setTimeout(90_000);
  const [julietAccount, mercutioAccount, tybaltAccount] = await Promise.all([newAccount('juliet'), newAccount('mercutio'), newAccount('tybalt')]);
  const [mercutio, tybalt] = await Promise.all([connectWith(mercutioAccount), connectWith(tybaltAccount)]);
  try {
    await openApp(page, browserHost.url);
    await signInOnline(page, julietAccount);
    await mercutio.session.send(subscriptionStanza(julietAccount.jid, 'subscribe'));
    await tybalt.session.send(subscriptionStanza(julietAccount.jid, 'subscribe'));
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: /^Contacts/ }).click();

    const requests = page.getByTestId('subscription-requests');
    const rows = requests.locator('.request');
    await expect(rows).toHaveCount(2);
    const grants = 'Approving also lets them read the keys and profile you publish for contacts who see your presence.';
    await expect(requests.getByTestId('requests-grants')).toHaveText(grants);
    await expect(rows.first().getByRole('button', { name: 'Approve' })).toHaveAccessibleDescription(grants);
    for (const size of SIZES) {
      await page.setViewportSize(size);
      for (const colorScheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme });
        await page.screenshot({ path: join(SCREENSHOT_DIR, `contacts-requests-${size.width}x${size.height}-${colorScheme}.png`) });
      }
    }
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize(SIZES[0]);

    // Deny the first from the keyboard: focus goes to the request left, on its Approve.
    const secondJid = (await rows.nth(1).locator('.who').textContent())?.trim() ?? '';
    await rows.first().getByRole('button', { name: 'Deny' }).focus();
    await page.keyboard.press('Enter');
    await expect(rows).toHaveCount(1);
    const nextApprove = rows.first().getByRole('button', { name: 'Approve' });
    await expect(nextApprove).toBeFocused();
    // Approve the last one: focus goes to the top of the contact list, not to the page.
    await page.keyboard.press('Enter');
    await expect(requests).toHaveCount(0);
    await expect(page.getByLabel('Search contacts')).toBeFocused();
    await expect(page.getByTestId('contact-row').filter({ hasText: secondJid })).toBeVisible();
  } finally {
    await Promise.all([mercutio.session.disconnect(), tybalt.session.disconnect()]);
  }
});
