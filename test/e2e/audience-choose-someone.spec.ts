/**
 * Found by a user's walk (review-walk4): with "Only contacts I choose" and nobody ticked, Publish was
 * disabled with no word why. The chooser now says what it waits for, and the words go once someone is.
 */
import { checkEveryLook, expect, generateKey, ownKey, signIn, test } from './fixtures';

test('"Only contacts I choose" with nobody ticked says to tick someone; Publish waits, then goes', async ({ friendsInTwoWindows, saveScreenshot }) => {
  test.setTimeout(90_000);
  const { julietAccount, julietPage: page } = await friendsInTwoWindows();
  await signIn(page, julietAccount);
  await expect(page.getByTestId('connection-status')).toHaveText(/Online/);
  await page.getByRole('button', { name: 'My keys', exact: true }).click();
  const fingerprint = await generateKey(page);
  const key = ownKey(page, fingerprint);
  await key.getByRole('button', { name: 'Publish…' }).click();
  await key.getByLabel('Only contacts I choose').check();
  await expect(key.getByTestId('choose-someone')).toHaveText('Tick at least one contact to publish.');
  await expect(key.getByRole('button', { name: /^(Change for all and publish|Publish)$/ })).toBeDisabled();
  await checkEveryLook(page, 'audience-choose-someone', saveScreenshot);
  await key.getByRole('checkbox').first().check();
  await expect(key.getByTestId('choose-someone')).toHaveCount(0);
  await expect(key.getByRole('button', { name: /^(Change for all and publish|Publish)$/ })).toBeEnabled();
});
