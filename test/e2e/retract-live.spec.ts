/**
 * On a server that pushes retractions (Prosody), romeo's open window follows juliet's key going away
 * without a refresh; his contact list shows who is online.
 */
import { befriend } from '../support/scenario';
import { connectWith, expect, openApp, signIn, test } from './fixtures';

test('juliet retracts; romeo’s view updates live, and shows juliet online', async ({ browser, launchApp, newAccount }) => {
  test.setTimeout(90_000);
  const [julietAccount, romeoAccount] = await Promise.all([newAccount('juliet'), newAccount('romeo')]);
  const [juliet, romeo] = await Promise.all([connectWith(julietAccount), connectWith(romeoAccount)]);
  await befriend(juliet, romeo, ['Friends']);
  await Promise.all([juliet.session.disconnect(), romeo.session.disconnect()]);

  const [julietApp, romeoApp] = await Promise.all([launchApp(), launchApp()]);
  const julietPage = await (await browser.newContext()).newPage();
  const romeoPage = await (await browser.newContext()).newPage();
  await openApp(romeoPage, romeoApp.url);
  await signIn(romeoPage, romeoAccount);
  await romeoPage.getByRole('button', { name: 'Contacts', exact: true }).click();
  const julietRow = romeoPage.getByTestId('contact-row').filter({ hasText: julietAccount.jid });
  await expect(julietRow).toContainText('offline');

  await openApp(julietPage, julietApp.url);
  await signIn(julietPage, julietAccount);
  await expect(julietRow).toContainText('online');
  await julietRow.click();

  await julietPage.getByRole('button', { name: 'My keys', exact: true }).click();
  await julietPage.getByLabel('Key size').selectOption('2048');
  await julietPage.getByRole('button', { name: 'Generate key' }).click();
  const key = julietPage.getByTestId('own-key');
  await expect(key).toHaveCount(1, { timeout: 30_000 });
  await key.getByRole('button', { name: 'Publish…' }).click();
  await key.getByLabel('Contacts who see my presence').check();
  await key.getByRole('button', { name: 'Publish', exact: true }).click();
  await expect(romeoPage.getByTestId('contact-key')).toHaveCount(1);

  await key.getByRole('button', { name: 'Retract' }).click();
  await expect(romeoPage.getByTestId('contact-key')).toHaveCount(0);
  await expect(romeoPage.getByText('1 withdrawn key')).toBeVisible();
});
