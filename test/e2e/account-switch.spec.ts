/**
 * Signing in to another account on the same app: from the moment Connect is pressed, no screen shows
 * the previous account's keys, contacts or profile as if they were the new one's, whether the new
 * sign-in succeeds or is refused (a wrong password). Signing back in brings the first account's back.
 */
import { expect, generateKey, signIn, test } from './fixtures';

test('another account signed in: My keys, Contacts and Profile show none of the previous one’s', async ({ friendsInTwoWindows, newAccount, saveScreenshot }) => {
  test.setTimeout(180_000);
  const { julietAccount, romeoAccount, romeoPage: page } = await friendsInTwoWindows();
  await expect(page.getByTestId('connection-status')).toHaveText(/Online/);
  const contactRow = page.getByTestId('contact-row').filter({ hasText: julietAccount.jid });
  await expect(contactRow).toHaveCount(1);
  await page.getByRole('button', { name: 'My keys', exact: true }).click();
  const romeoKey = await generateKey(page, 'romeo laptop');
  const keyCards = page.getByTestId('own-key');
  await expect(keyCards).toHaveCount(1);
  await page.getByRole('button', { name: 'My profile', exact: true }).click();
  const form = page.getByRole('form', { name: 'Profile' });
  await form.getByLabel('Nickname').fill('Romeo M.');
  await form.getByLabel('Contacts who see my presence').check();
  await form.getByRole('button', { name: 'Publish changes' }).click();
  await expect(page.getByTestId('profile-result')).toContainText('Profile: readable by contacts who see your presence.');

  /** What My keys, Contacts and My profile show of romeo's: his key, juliet in his roster, his nickname. */
  async function expectRomeos(shown: { keys: number; contacts: number; nickname: string }): Promise<void> {
    await page.getByRole('button', { name: 'My keys', exact: true }).click();
    await expect(keyCards).toHaveCount(shown.keys);
    await page.getByRole('button', { name: 'Contacts', exact: true }).click();
    await expect(contactRow).toHaveCount(shown.contacts);
    await page.getByRole('button', { name: 'My profile', exact: true }).click();
    await expect(form.getByLabel('Nickname')).toHaveValue(shown.nickname);
  }

  // Another account, with a password the server refuses: the keys and the roster listed are not its own.
  const other = await newAccount('mercutio');
  await page.getByRole('button', { name: 'Account', exact: true }).click();
  await signIn(page, { ...other, password: `${other.password}-wrong` });
  await expect(page.getByTestId('account-error')).toBeVisible({ timeout: 20_000 });
  await expectRomeos({ keys: 0, contacts: 0, nickname: '' });
  await saveScreenshot('account-switch-refused-profile', page);

  // Signed in to it for real: still nothing of romeo's.
  await page.getByRole('button', { name: 'Account', exact: true }).click();
  await signIn(page, other);
  await expect(page.getByTestId('connection-status')).toHaveText(/Online/);
  await expectRomeos({ keys: 0, contacts: 0, nickname: '' });

  // Back to romeo: his key and his contact again.
  await page.getByRole('button', { name: 'Account', exact: true }).click();
  await signIn(page, romeoAccount);
  await expect(page.getByTestId('connection-status')).toHaveText(/Online/);
  await expectRomeos({ keys: 1, contacts: 1, nickname: 'Romeo M.' });
  await page.getByRole('button', { name: 'My keys', exact: true }).click();
  await expect(page.locator(`[data-testid="own-key"] [data-fingerprint="${romeoKey}"]`)).toHaveCount(1);
});
