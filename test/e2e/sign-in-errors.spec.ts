/**
 * Sign-in errors point where the mistake is: a domain that does not resolve is named, with the part of
 * the form to check (the address after @, or the Server host when one was typed), never "the server name
 * and port" the person did not fill; an address whose domain is not a domain name is refused under the
 * field; and an error stops being shown once the fields it was about are edited.
 * Screenshots at 1280×800 and 800×600, light and dark; axe finds nothing.
 */
import type { Page } from '@playwright/test';
import { checkEveryLook, expect, openApp, signIn, signOut, test } from './fixtures';

async function connectAs(page: Page, jid: string, host = ''): Promise<void> {
  await page.getByLabel('XMPP address').fill(jid);
  await page.getByLabel('Password').fill('wherefore');
  // The form remembers the server settings of the last account signed in (an earlier test's, on the
  // test server): set them as this case means them, empty for "from the address".
  const hostField = page.getByLabel('Server host');
  if (!(await hostField.isVisible())) await page.getByText('Server settings').click();
  await hostField.fill(host);
  await page.getByLabel('Port').fill('');
  await page.getByRole('button', { name: 'Connect' }).click();
}

test('a domain that does not resolve is named, with what to check: the address, or the server host typed', async ({ page, browserHost, saveScreenshot }) => {
  test.setTimeout(90_000);
  await openApp(page, browserHost.url);
  await signOut(page);
  const error = page.getByTestId('account-error');

  await connectAs(page, 'juliet@capulett.lit');
  await expect(error).toContainText('capulett.lit was not found.', { timeout: 20_000 });
  await expect(error).toContainText('Check the part after @ in your address');
  await expect(error).not.toContainText('server name and port');
  await expect(error).not.toContainText('ENOTFOUND');
  // Focus is on the address to correct, its text not selected: one keystroke must not replace it.
  const address = page.getByLabel('XMPP address');
  await expect(address).toBeFocused();
  expect(await address.evaluate((input: HTMLInputElement) => [input.selectionStart, input.selectionEnd])).toEqual([19, 19]);
  await checkEveryLook(page, 'sign-in-domain-not-found', saveScreenshot);

  await connectAs(page, 'juliet@capulet.lit', 'xmpp.capulett.lit');
  await expect(error).toContainText('xmpp.capulett.lit was not found.', { timeout: 20_000 });
  await expect(error).toContainText('Check the Server host under Server settings');
  await expect(error).not.toContainText('server name and port');
  await checkEveryLook(page, 'sign-in-host-not-found', saveScreenshot);
});

test('an error goes once the address, the password or a server setting it was about is edited, and comes back with the next Connect', async ({ page, browserHost }) => {
  test.setTimeout(90_000);
  await openApp(page, browserHost.url);
  await signOut(page);
  const error = page.getByTestId('account-error');
  await connectAs(page, 'juliet@capulett.lit');
  await expect(error).toBeVisible({ timeout: 20_000 });
  await page.getByLabel('XMPP address').fill('juliet@capulet.lit');
  await expect(error).toBeHidden();

  await connectAs(page, 'juliet@capulett.lit');
  await expect(error).toBeVisible({ timeout: 20_000 });
  await page.getByLabel('Password').pressSequentially('!');
  await expect(error).toBeHidden();

  await connectAs(page, 'juliet@capulett.lit');
  await expect(error).toBeVisible({ timeout: 20_000 });
  if (!(await page.getByLabel('Port').isVisible())) await page.getByText('Server settings').click();
  await page.getByLabel('Port').fill('5223');
  await expect(error).toBeHidden();
});

test('an address whose part after @ is not a domain name is refused under the field, saying why', async ({ page, browserHost, saveScreenshot }) => {
  test.setTimeout(60_000);
  await openApp(page, browserHost.url);
  await signOut(page);
  await connectAs(page, 'juliet@capulet,lit');
  const address = page.getByLabel('XMPP address');
  const why = '“capulet,lit” is not a server name: after the @ come letters, digits and hyphens, in parts separated by dots, like capulet.lit';
  await expect(address).toHaveAttribute('aria-invalid', 'true');
  await expect(address).toHaveAccessibleDescription(why);
  // Right under the field, where the person typing reads it.
  await expect(page.locator('label:has(input[name="jid"]) + p[role="alert"]')).toHaveText(why);
  await expect(page.getByTestId('account-error')).toBeHidden();
  await checkEveryLook(page, 'sign-in-domain-comma', saveScreenshot);

  // Fixing it takes the refusal away at once.
  await address.fill('juliet@capulet.lit');
  await expect(address).not.toHaveAttribute('aria-invalid');
  await expect(page.locator('label:has(input[name="jid"]) + p[role="alert"]')).toHaveCount(0);
});

test('a server whose CA was not chosen is refused in words that say what to do, with no OpenSSL code', async ({ page, launchApp, newAccount, saveScreenshot }) => {
  test.setTimeout(90_000);
  const app = await launchApp();
  const romeo = await newAccount('romeo');
  await openApp(page, app.url);
  // The test server's CA left out, as a person who has not chosen it yet.
  await signIn(page, { ...romeo, caFile: '' });
  const error = page.getByTestId('account-error');
  await expect(error).toContainText('extra CA certificate', { timeout: 20_000 });
  await expect(error).not.toContainText(/[A-Z]{3,}_[A-Z_]{3,}|ERR_|openssl|unable to verify/i);
  await expect(page.getByTestId('connection-label')).not.toHaveText('Online');
  await checkEveryLook(page, 'sign-in-ca-not-chosen', saveScreenshot);
});
