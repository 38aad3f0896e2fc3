/**
 * Found by a new user's walk through the screens (branch new-user-screens): an address pasted as an
 * xmpp: link (this app's own link format), or one's own address in capitals, ended in "Something went
 * wrong inside the app". The link is read as its address; one's own address is named as such.
 */
import { expect, openApp, signIn, test } from './fixtures';

test('an address pasted as an xmpp: link is added; one’s own address in capitals is named as one’s own', async ({ page, browserHost, newAccount }) => {
  test.setTimeout(60_000);
  const [juliet, benvolio] = await Promise.all([newAccount('juliet'), newAccount('benvolio')]);
  await openApp(page, browserHost.url);
  await signIn(page, juliet);
  await expect(page.getByTestId('connection-status')).toHaveText(/Online/);
  await page.getByRole('button', { name: 'Contacts', exact: true }).click();
  const dialog = page.getByTestId('add-contact-dialog');

  await page.getByRole('button', { name: 'Add contact…' }).click();
  await dialog.getByLabel('Address').fill(`xmpp:${benvolio.jid}?roster`);
  await dialog.getByRole('button', { name: 'Add and ask to see presence' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('contact-row').filter({ hasText: benvolio.jid })).toBeVisible();

  await page.getByRole('button', { name: 'Add contact…' }).click();
  for (const [address, words] of [
    [juliet.jid.toUpperCase(), 'That is your own address.'],
    [`xmpp:${benvolio.jid}/balcony`, 'This link names one device of a contact'],
  ] as const) {
    await dialog.getByLabel('Address').fill(address);
    await dialog.getByRole('button', { name: 'Add and ask to see presence' }).click();
    await expect(dialog.getByText(words), address).toBeVisible();
    await expect(page.getByText('Something went wrong inside the app'), address).toHaveCount(0);
  }
});

test('an address whose domain ends in a dot signs in and is added without the dot (RFC 7622 §3.2)', async ({ page, browserHost, newAccount }) => {
  test.setTimeout(60_000);
  const [juliet, benvolio] = await Promise.all([newAccount('juliet'), newAccount('benvolio')]);
  await openApp(page, browserHost.url);
  await signIn(page, { ...juliet, jid: `${juliet.jid}.` });
  await expect(page.getByTestId('connection-status')).toHaveText(/Online/);
  await expect(page.getByTestId('bound-jid')).toHaveText(juliet.jid);
  await page.getByRole('button', { name: 'Contacts', exact: true }).click();
  const dialog = page.getByTestId('add-contact-dialog');
  await page.getByRole('button', { name: 'Add contact…' }).click();
  await dialog.getByLabel('Address').fill(`${benvolio.jid}.`);
  await dialog.getByRole('button', { name: 'Add and ask to see presence' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('contact-row').filter({ hasText: benvolio.jid })).toBeVisible();
  await expect(page.getByTestId('contact-row').filter({ hasText: `${benvolio.jid}.` })).toHaveCount(0);
});
