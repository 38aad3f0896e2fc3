/**
 * Found by a user's walk (review-walk4): after "Create vault", focus was on the page, not on the
 * address field the person types next. Now it is there.
 */
import { E2E_PASSPHRASE, expect, test } from './fixtures';

test('after Create vault, the address field has focus', async ({ page, launchApp }) => {
  const app = await launchApp();
  await page.goto(app.url);
  await page.getByLabel('Choose a vault passphrase').fill(E2E_PASSPHRASE);
  await page.getByLabel('Type it again').fill(E2E_PASSPHRASE);
  await page.getByRole('button', { name: 'Create vault' }).click();
  await expect(page.getByLabel('XMPP address')).toBeFocused();
});
