/**
 * Each change reaches Activity once. Juliet publishes a key while romeo's app is signed out (nothing is
 * pushed at login, XEP-0222); romeo's background fetch at sign-in finds the key, and opening her
 * fetches again and finds nothing new: Activity says "New RSA 2048 key", juliet, once, not twice. The
 * same words as juliet's own Activity says of the key she made: one wording, with the size.
 */
import { checkEveryLook, expect, generateKey, signIn, signOut, test } from './fixtures';

test('a key found by opening a contact is one entry in Activity', async ({ friendsInTwoWindows, saveScreenshot }) => {
  test.setTimeout(180_000);
  const { julietAccount, romeoAccount, julietPage, romeoPage } = await friendsInTwoWindows();
  await romeoPage.getByRole('button', { name: 'Account', exact: true }).click();
  await signOut(romeoPage);

  await signIn(julietPage, julietAccount);
  await expect(julietPage.getByTestId('connection-status')).toHaveText(/Online/);
  await julietPage.getByRole('button', { name: 'My keys', exact: true }).click();
  const fingerprint = await generateKey(julietPage);
  const key = julietPage.getByTestId('own-key').first();
  await key.getByRole('button', { name: 'Publish…' }).click();
  await key.getByLabel('Contacts who see my presence').check();
  await key.getByRole('button', { name: 'Publish', exact: true }).click();
  await expect(key.getByTestId('publication')).toBeVisible();
  await key.getByRole('button', { name: 'Close' }).click();

  await signIn(romeoPage, romeoAccount);
  await expect(romeoPage.getByTestId('connection-status')).toHaveText(/Online/);
  await romeoPage.getByRole('button', { name: 'Contacts', exact: true }).click();
  await romeoPage.getByTestId('contact-row').filter({ hasText: julietAccount.jid }).click();
  await expect(romeoPage.getByTestId('contact-key')).toHaveCount(1);

  await romeoPage.getByRole('button', { name: 'Activity', exact: true }).click();
  const entries = romeoPage.getByTestId('activity-entry').filter({ hasText: julietAccount.jid });
  await expect(entries).toHaveCount(1);
  await expect(entries).toContainText('New RSA 2048 key');
  // Still one a moment later: no event repeats what the answer said.
  await romeoPage.waitForTimeout(1000);
  await expect(entries).toHaveCount(1);

  // Juliet's own Activity tells the key she made in the same words.
  await julietPage.getByRole('button', { name: 'Activity', exact: true }).click();
  const made = julietPage.getByTestId('activity-entry').filter({ has: julietPage.locator(`[title="${fingerprint}"]`) });
  await expect(made.filter({ hasText: 'New RSA 2048 key' })).toHaveCount(1);
  await checkEveryLook(romeoPage, 'activity-contact-new-key', saveScreenshot);
  await checkEveryLook(julietPage, 'activity-own-new-key', saveScreenshot);
});
