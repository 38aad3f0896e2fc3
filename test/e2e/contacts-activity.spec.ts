/**
 * Each change reaches Activity once. Juliet publishes a key while romeo's app is signed out (nothing is
 * pushed at login, XEP-0222); romeo opens her and the fetch finds the key: the fetch's answer is the
 * only path that change takes to his window, so Activity says "New key from juliet" once, not twice.
 */
import { expect, generateKey, signIn, signOut, test } from './fixtures';

test('a key found by opening a contact is one entry in Activity', async ({ friendsInTwoWindows }) => {
  test.setTimeout(90_000);
  const { julietAccount, romeoAccount, julietPage, romeoPage } = await friendsInTwoWindows();
  await romeoPage.getByRole('button', { name: 'Account', exact: true }).click();
  await signOut(romeoPage);

  await signIn(julietPage, julietAccount);
  await expect(julietPage.getByTestId('connection-status')).toHaveText(/Online/);
  await julietPage.getByRole('button', { name: 'My keys', exact: true }).click();
  await generateKey(julietPage);
  const key = julietPage.getByTestId('own-key').first();
  await key.getByRole('button', { name: 'Publish…' }).click();
  await key.getByLabel('Contacts who see my presence').check();
  await key.getByRole('button', { name: 'Publish', exact: true }).click();
  await expect(key.getByTestId('publication')).toBeVisible();

  await signIn(romeoPage, romeoAccount);
  await expect(romeoPage.getByTestId('connection-status')).toHaveText(/Online/);
  await romeoPage.getByRole('button', { name: 'Contacts', exact: true }).click();
  await romeoPage.getByTestId('contact-row').filter({ hasText: julietAccount.jid }).click();
  await expect(romeoPage.getByTestId('contact-key')).toHaveCount(1);

  await romeoPage.getByRole('button', { name: 'Activity', exact: true }).click();
  const entries = romeoPage.getByTestId('activity-entry').filter({ hasText: `New key from ${julietAccount.jid}` });
  await expect(entries).toHaveCount(1);
  // Still one a moment later: no event repeats what the answer said.
  await romeoPage.waitForTimeout(1000);
  await expect(entries).toHaveCount(1);
});
