/**
 * Found by a user's walk (review-walk4): online on Prosody, "People in roster groups I choose" is
 * disabled (the server refuses it); offline, or after a reload, it was offered again, and a publish
 * queued with it failed on reconnect. What the server takes is now kept for the account while it is
 * offline, and read again whenever the app is online without it (a reload, a reconnect).
 */
import { expect, generateKey, ownKey, reloadApp, signedInOnMyKeys, test } from './fixtures';

test('the roster-group audience Prosody refuses stays refused after a reload and while offline', async ({ page, browserHost, newAccount }) => {
  test.setTimeout(90_000);
  const juliet = await newAccount('juliet');
  await signedInOnMyKeys(page, browserHost.url, juliet);
  const fingerprint = await generateKey(page);
  const rosterChoice = () => ownKey(page, fingerprint).getByRole('radio', { name: /People in roster groups I choose/ });
  const openPublish = async () => {
    await ownKey(page, fingerprint).getByRole('button', { name: 'Publish…' }).click();
    await expect(rosterChoice()).toBeVisible();
  };

  await openPublish();
  await expect(rosterChoice()).toBeDisabled();
  await page.getByRole('button', { name: 'Close' }).click();

  await reloadApp(page);
  await expect(page.getByTestId('connection-status')).toHaveText(/Online/);
  await page.getByRole('button', { name: 'My keys', exact: true }).click();
  await openPublish();
  await expect(rosterChoice()).toBeDisabled();
  await page.getByRole('button', { name: 'Close' }).click();

  await page.getByRole('button', { name: 'Account', exact: true }).click();
  await page.getByRole('button', { name: 'Disconnect' }).click();
  await expect(page.getByTestId('connection-status')).toHaveText(/Offline/);
  await page.getByRole('button', { name: 'My keys', exact: true }).click();
  await openPublish();
  await expect(rosterChoice()).toBeDisabled();
  await expect(ownKey(page, fingerprint).getByText('(your server does not take this)')).toBeVisible();
});
