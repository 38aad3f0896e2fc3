/**
 * The signed-in Account screen names the account as people know it (the bare address, as the header
 * does) and the resource, the server's name for this connection, only on a small line of its own
 * ("This device: …"). The screen's title stands above the card, as on every other screen, not inside
 * it as a second "Account". Checked at both sizes, light and dark, with axe. Disconnect gives the keyboard's
 * place to the sign-in form that replaces the card: its first field.
 */
import { checkEveryLook, expect, openApp, signIn, test } from './fixtures';

test('signed in: the card names the account once, and this device’s resource on a line of its own', async ({ page, browserHost, newAccount, saveScreenshot }) => {
  test.setTimeout(120_000);
  const account = await newAccount('juliet');
  await openApp(page, browserHost.url);
  await checkEveryLook(page, 'account-signed-out-form', saveScreenshot);
  await signIn(page, account);
  await expect(page.getByTestId('connection-status')).toHaveText(/Online/);
  await expect(page.getByTestId('pep-support')).toBeVisible();

  const card = page.locator('section.card').filter({ has: page.getByRole('button', { name: 'Disconnect' }) });
  // The title is the screen's, above the card; the card holds no heading of its own.
  const title = page.getByRole('heading', { name: 'Account', exact: true, level: 2 });
  await expect(title).toHaveClass(/screen-title/);
  await expect(card.getByRole('heading')).toHaveCount(0);

  await expect(card.getByTestId('bound-jid')).toHaveText(account.jid);
  const device = card.getByTestId('this-device');
  await expect(device).toHaveText(/^This device: keyring-[0-9a-f]+$/);
  // The full address with its resource is said nowhere in the card: the resource only on its own line.
  await expect(card).not.toContainText(`${account.jid}/`);
  await checkEveryLook(page, 'account-signed-in', saveScreenshot);
  // Disconnect goes with the card: the sign-in form takes its place, and focus its first field, not the page.
  await card.getByRole('button', { name: 'Disconnect' }).click();
  await expect(page.getByLabel('XMPP address')).toBeFocused();
  await checkEveryLook(page, 'account-after-disconnect', saveScreenshot);
});
