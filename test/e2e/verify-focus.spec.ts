/**
 * After a comparison that matches, focus lands on the key's status line ("Verified"), not on "Take back
 * verification": pressing Enter twice (a double press) used to close the dialog and then take the
 * verification back at once, with nothing on screen but the badge going back.
 */
import { join } from 'node:path';
import { expect, publishNewKey, SCREENSHOT_DIR, signIn, SIZES, test } from './fixtures';

test('Enter twice after a match keeps the key verified, focus on its status line', async ({ friendsInTwoWindows }) => {
  test.setTimeout(120_000);
  const { julietAccount, julietPage, romeoPage } = await friendsInTwoWindows();
  await signIn(julietPage, julietAccount);
  await expect(julietPage.getByTestId('connection-status')).toHaveText(/Online/);
  const fingerprint = await publishNewKey(julietPage, 'Contacts who see my presence');

  await romeoPage.getByTestId('contact-row').filter({ hasText: julietAccount.jid }).click();
  const key = romeoPage.locator(`[data-testid="contact-key"]:has([data-fingerprint="${fingerprint}"])`);
  await expect(key).toHaveAttribute('data-trust', 'unverified');
  await key.getByRole('button', { name: 'Compare fingerprints…' }).click();
  const dialog = romeoPage.getByTestId('compare-dialog');
  await dialog.getByLabel('Their fingerprint or verification link').fill(fingerprint);
  await romeoPage.keyboard.press('Enter');
  await expect(dialog).toBeHidden();
  await expect(key).toHaveAttribute('data-trust', 'verified');
  // The second Enter (the app answers a match within a moment) must not take the verification back.
  await romeoPage.keyboard.press('Enter');
  await romeoPage.waitForTimeout(1_500);
  await expect(key).toHaveAttribute('data-trust', 'verified');
  await expect(key.getByRole('button', { name: 'Take back verification' })).toBeVisible();
  // Focus is on the key's status line, which says so; Enter there does nothing.
  const status = key.getByTestId('key-status');
  await expect(status).toBeFocused();
  await expect(status).toContainText('Verified');

  for (const size of SIZES) {
    await romeoPage.setViewportSize(size);
    for (const colorScheme of ['light', 'dark'] as const) {
      await romeoPage.emulateMedia({ colorScheme });
      await romeoPage.screenshot({ path: join(SCREENSHOT_DIR, `verify-focus-${size.width}x${size.height}-${colorScheme}.png`) });
    }
  }
});
