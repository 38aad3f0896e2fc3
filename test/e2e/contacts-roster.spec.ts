/**
 * Making contacts in the app: juliet adds romeo to "Friends"; romeo's window shows the request and
 * approves it (asking back); juliet approves in turn; both now see each other with a mutual
 * subscription, and juliet can regroup and remove him.
 */
import { expect, openApp, signIn, test } from './fixtures';

test('add a contact with a group, approve requests on both sides, regroup, remove', async ({ browser, launchApp, newAccount }) => {
  test.setTimeout(90_000);
  const [juliet, romeo] = await Promise.all([newAccount('juliet'), newAccount('romeo')]);
  const [julietApp, romeoApp] = await Promise.all([launchApp(), launchApp()]);
  const julietPage = await (await browser.newContext()).newPage();
  const romeoPage = await (await browser.newContext()).newPage();
  for (const [page, app, account] of [
    [julietPage, julietApp, juliet],
    [romeoPage, romeoApp, romeo],
  ] as const) {
    await openApp(page, app.url);
    await signIn(page, account);
    await expect(page.getByTestId('connection-status')).toHaveText(/Online/);
    await page.getByRole('button', { name: 'Contacts', exact: true }).click();
  }

  await julietPage.getByRole('button', { name: 'Add contact…' }).click();
  await julietPage.getByLabel('Address').fill(romeo.jid);
  await julietPage.getByLabel('Groups, comma-separated').fill('Friends');
  await julietPage.getByRole('button', { name: 'Add and ask to see presence' }).click();
  await expect(julietPage.getByTestId('contact-row').filter({ hasText: romeo.jid })).toBeVisible();
  await expect(julietPage.getByText('Friends', { exact: false }).first()).toBeVisible();

  // Romeo sees a request waiting, on the Contacts button itself, wherever he is.
  await romeoPage.getByRole('button', { name: 'Account', exact: true }).click();
  await expect(romeoPage.getByTestId('requests-badge')).toHaveText('1');
  await expect(romeoPage.getByRole('button', { name: /^Contacts\s*, 1 contact request waiting$/ })).toBeVisible();
  await romeoPage.getByRole('button', { name: /^Contacts/ }).click();
  const romeoRequests = romeoPage.getByTestId('subscription-requests');
  await expect(romeoRequests).toContainText(juliet.jid);
  await romeoRequests.getByRole('button', { name: 'Approve' }).click();
  await expect(romeoPage.getByTestId('requests-badge')).toHaveCount(0);

  const julietRequests = julietPage.getByTestId('subscription-requests');
  await expect(julietRequests).toContainText(romeo.jid);
  await julietRequests.getByRole('button', { name: 'Approve' }).click();

  await julietPage.getByTestId('contact-row').filter({ hasText: romeo.jid }).click();
  const detail = julietPage.getByTestId('contact-detail');
  await expect(detail.getByTestId('subscription')).toHaveText('You see each other’s presence.', { timeout: 15_000 });

  await detail.getByLabel(`Groups of ${romeo.jid}`).fill('Friends, Family');
  await detail.getByRole('button', { name: 'Save groups' }).click();
  await expect(julietPage.getByRole('list', { name: 'Contacts by group' })).toContainText('Family');

  await detail.getByRole('button', { name: 'Remove contact…' }).click();
  await julietPage.getByTestId('remove-contact-dialog').getByRole('button', { name: 'Remove contact', exact: true }).click();
  await expect(julietPage.getByTestId('contact-row').filter({ hasText: romeo.jid })).toHaveCount(0);
});
