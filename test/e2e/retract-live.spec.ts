/**
 * On a server that pushes retractions (Prosody), romeo's open window follows juliet's key going away
 * without a refresh; his contact list shows who is online.
 */
import { expect, generateKey, signIn, test } from './fixtures';

test('juliet retracts; romeo’s view updates live, and shows juliet online', async ({ friendsInTwoWindows }) => {
  test.setTimeout(90_000);
  const { julietAccount, julietPage, romeoPage } = await friendsInTwoWindows();
  const julietRow = romeoPage.getByTestId('contact-row').filter({ hasText: julietAccount.jid });
  await expect(julietRow).toContainText('offline');

  await signIn(julietPage, julietAccount);
  await expect(julietRow).toContainText('online');
  await julietRow.click();

  await julietPage.getByRole('button', { name: 'My keys', exact: true }).click();
  await generateKey(julietPage);
  const key = julietPage.getByTestId('own-key');
  await key.getByRole('button', { name: 'Publish…' }).click();
  await key.getByLabel('Contacts who see my presence').check();
  await key.getByRole('button', { name: 'Publish', exact: true }).click();
  await expect(romeoPage.getByTestId('contact-key')).toHaveCount(1);

  await key.getByRole('button', { name: 'Close' }).click();
  await key.getByRole('button', { name: 'Retract…' }).click();
  await key.getByTestId('retract-dialog').getByRole('button', { name: 'Retract', exact: true }).click();
  await expect(romeoPage.getByTestId('contact-key')).toHaveCount(0);
  await expect(romeoPage.getByTestId('withdrawn-keys')).toContainText('1 key withdrawn by');
});
