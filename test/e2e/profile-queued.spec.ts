/**
 * A profile publish asked for while signed out waits for the connection; once it has run, My profile
 * shows what the server now holds (the queued change), never the copy from before it: a change made on
 * that copy would take the queued one back.
 */
import { expect, signIn, signOut, signedInOnMyKeys, test } from './fixtures';

test('after a queued profile publish ran, My profile starts from what it published', async ({ page, browserHost, newAccount }) => {
  test.setTimeout(90_000);
  const romeo = await newAccount('romeo');
  await signedInOnMyKeys(page, browserHost.url, romeo);
  await page.getByRole('button', { name: 'Account', exact: true }).click();
  await signOut(page);

  await page.getByRole('button', { name: 'My profile', exact: true }).click();
  const form = page.getByRole('form', { name: 'Profile' });
  await form.getByLabel('Nickname').fill('Romeo Q');
  await form.getByLabel('Contacts who see my presence').check();
  await form.getByRole('button', { name: 'Publish when online' }).click();
  await page.getByRole('button', { name: 'Activity', exact: true }).click();
  await expect(page.getByTestId('pending-actions').getByRole('listitem')).toHaveCount(1);

  await page.getByRole('button', { name: 'Account', exact: true }).click();
  await signIn(page, romeo);
  await expect(page.getByTestId('connection-status')).toHaveText(/Online/);
  await page.getByRole('button', { name: 'Activity', exact: true }).click();
  await expect(page.getByTestId('pending-actions')).toHaveCount(0, { timeout: 15_000 });
  await expect(page.getByTestId('activity-entry').filter({ hasText: 'Queued profile publish done' })).toHaveCount(1);

  await page.getByRole('button', { name: 'My profile', exact: true }).click();
  await expect(page.getByTestId('profile-source')).toContainText('as your server holds it');
  await expect(form.getByLabel('Nickname')).toHaveValue('Romeo Q');
  await expect(page.getByTestId('profile-changes')).toContainText('Nothing yet');
});
