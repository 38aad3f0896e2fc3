/**
 * A request to see your presence (RFC 6121 §3.1.2) is shown, counted and answered only under the account
 * it was addressed to. The accounts review found tybalt's request to romeo listed under mercutio after a
 * switch, with Approve/Deny: approving it there pre-approved tybalt on mercutio's account (§3.4). Offline
 * no request is listed or counted (none can be answered then); the server sends the pending ones again at
 * the next login (§3.1.3), so romeo's come back with him.
 */
import { fetchRoster, subscriptionStanza } from '../../main/xmpp/roster';
import { until } from '../support/scenario';
import { checkEveryLook, connectWith, expect, openApp, signInOnline, SIZES, test } from './fixtures';

test('romeo’s request is not shown or counted under mercutio, nor offline, and comes back with romeo', async ({ page, launchApp, newAccount, saveScreenshot }) => {
  test.setTimeout(180_000);
  const [romeoAccount, mercutioAccount, tybaltAccount, benvolioAccount] = await Promise.all([
    newAccount('romeo'),
    newAccount('mercutio'),
    newAccount('tybalt'),
    newAccount('benvolio'),
  ]);
  const [tybalt, benvolio] = await Promise.all([connectWith(tybaltAccount), connectWith(benvolioAccount)]);
  try {
    const app = await launchApp();
    await openApp(page, app.url);
    const nav = page.getByRole('navigation', { name: 'Screens' });
    const badge = page.getByTestId('requests-badge');
    const requests = page.getByTestId('subscription-requests');
    const status = page.getByTestId('connection-status');
    const contacts = nav.getByRole('button', { name: /^Contacts/ });
    const account = nav.getByRole('button', { name: 'Account', exact: true });

    // Romeo, online: tybalt asks to see his presence.
    await signInOnline(page, romeoAccount);
    await tybalt.session.send(subscriptionStanza(romeoAccount.jid, 'subscribe'));
    await expect(badge).toHaveText('1');
    await contacts.click();
    await expect(requests).toContainText(tybaltAccount.jid);
    await checkEveryLook(page, 'contacts-request', saveScreenshot);
    // In the narrow list (800 px), who asks is shown whole before anyone approves: no part cut to "…".
    await page.setViewportSize(SIZES[1]);
    const cut = await requests.locator('.part').evaluateAll((parts) => parts.filter((p) => p.scrollWidth > p.clientWidth).map((p) => p.textContent));
    expect(cut, 'parts of the requester’s address cut at 800×600').toEqual([]);
    await page.setViewportSize(SIZES[0]);

    // Romeo signs out: nothing to answer offline, so neither the badge nor the list shows it.
    await account.click();
    await page.getByRole('button', { name: 'Disconnect' }).click();
    await expect(status).toHaveText(/Offline/);
    await expect.soft(badge, 'offline, the badge counts no request').toHaveCount(0);
    await expect.soft(nav.getByRole('button', { name: /contact request/ })).toHaveCount(0);
    await contacts.click();
    await expect(requests).toHaveCount(0);

    // Mercutio signs in on the same app; benvolio asks him. Only benvolio's request is his.
    await account.click();
    await signInOnline(page, mercutioAccount);
    await expect(status).toContainText(mercutioAccount.jid);
    await benvolio.session.send(subscriptionStanza(mercutioAccount.jid, 'subscribe'));
    await contacts.click();
    await expect(requests).toContainText(benvolioAccount.jid);
    await expect(requests, 'tybalt asked romeo, not mercutio').not.toContainText(tybaltAccount.jid);
    await expect(requests.getByRole('button', { name: 'Approve' })).toHaveCount(1);
    await expect(badge).toHaveText('1');
    await expect(nav.getByRole('button', { name: /^Contacts\s*, 1 contact request waiting$/ })).toBeVisible();

    // Back to romeo: his server sends tybalt's pending request again, and benvolio's is not his.
    await account.click();
    await signInOnline(page, romeoAccount);
    await expect(status).toContainText(romeoAccount.jid);
    await contacts.click();
    await expect(requests).toContainText(tybaltAccount.jid, { timeout: 15_000 });
    await expect(requests).not.toContainText(benvolioAccount.jid);
    await expect(badge).toHaveText('1');

    // Romeo answers it: tybalt sees romeo's presence, and the request is answered.
    await requests.getByRole('button', { name: 'Approve' }).click();
    await expect(requests).toHaveCount(0);
    await expect(badge).toHaveCount(0);
    await until(async () => (await fetchRoster(tybalt.session.iq)).some((item) => item.jid === romeoAccount.jid && (item.subscription === 'to' || item.subscription === 'both')), 'tybalt subscribed to romeo');
  } finally {
    await Promise.all([tybalt.session.disconnect(), benvolio.session.disconnect()]);
  }
});
