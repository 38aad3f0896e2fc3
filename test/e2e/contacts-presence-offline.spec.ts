/**
 * Found by a new user's walk through the screens (branch new-user-screens): after Disconnect the header
 * said Offline while contacts kept a green "Online" dot. With the connection gone, no presence is known.
 */
import { expect, signIn, test } from './fixtures';

test('after Disconnect, no contact shows as online: their presence is unknown', async ({ friendsInTwoWindows }) => {
  test.setTimeout(90_000);
  const { julietPage, julietAccount, romeoAccount } = await friendsInTwoWindows();
  await signIn(julietPage, julietAccount);
  await expect(julietPage.getByTestId('connection-status')).toHaveText(/Online/);
  await julietPage.getByRole('button', { name: 'Contacts', exact: true }).click();
  const romeoDot = julietPage.getByTestId('contact-row').filter({ hasText: romeoAccount.jid }).locator('.presence');
  await expect(romeoDot).toHaveAttribute('data-presence', 'online', { timeout: 15_000 });

  await julietPage.getByRole('button', { name: 'Account', exact: true }).click();
  await julietPage.getByRole('button', { name: 'Disconnect' }).click();
  await expect(julietPage.getByTestId('connection-status')).toHaveText(/Offline/);
  await julietPage.getByRole('button', { name: 'Contacts', exact: true }).click();
  await expect(romeoDot).toHaveAttribute('data-presence', 'unknown');
  await expect(romeoDot).toHaveAttribute('title', 'Presence unknown while you are offline');
  await expect(julietPage.getByRole('list', { name: 'Contacts by group' })).not.toContainText(/\bonline\b/);
});
