/**
 * Found by a user's walk (review-walk4): after a publish went through, the dialog stayed open with
 * Publish still its primary button and Enter publishing again. Now Close is primary and focused: a
 * second Enter closes the dialog, and the key was published once.
 */
import { expect, generateKey, ownKey, signedInOnMyKeys, test } from './fixtures';

test('Enter, then Enter again, after a publish: published once, and the dialog closed', async ({ page, browserHost, newAccount }) => {
  const juliet = await newAccount('juliet');
  await signedInOnMyKeys(page, browserHost.url, juliet);
  const fingerprint = await generateKey(page);
  const key = ownKey(page, fingerprint);
  await key.getByRole('button', { name: 'Publish…' }).click();
  await key.getByLabel('Anyone').check();
  await page.keyboard.press('Enter');
  await expect(key.getByTestId('publish-result')).toBeVisible();
  await expect(key.getByRole('button', { name: 'Close' })).toBeFocused();
  await expect(key.getByRole('button', { name: 'Close' })).toHaveClass(/primary/);
  await page.keyboard.press('Enter');
  await expect(key.getByTestId('publish-result')).toHaveCount(0);
  await page.getByRole('button', { name: 'Activity', exact: true }).click();
  await expect(page.getByTestId('activity-entry').filter({ hasText: 'Published your key' })).toHaveCount(1);
});
