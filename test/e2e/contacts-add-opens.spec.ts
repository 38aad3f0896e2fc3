/**
 * Review walk 4, item 19: adding a contact closed the dialog without a word, the card still showed the
 * contact open before, and focus went back to "Add contact…". Now the new contact is selected and opened,
 * their card says what was asked of them, and the keyboard is on that line.
 */
import { checkEveryLook, expect, openApp, signIn, test } from './fixtures';

test('adding a contact opens them and says that presence was asked for', async ({ page, browserHost, newAccount, saveScreenshot }) => {
  test.setTimeout(120_000);
  const [juliet, benvolio, paris] = await Promise.all([newAccount('juliet'), newAccount('benvolio'), newAccount('paris')]);
  await openApp(page, browserHost.url);
  await signIn(page, juliet);
  await expect(page.getByTestId('connection-status')).toHaveText(/Online/);
  await page.getByRole('button', { name: 'Contacts', exact: true }).click();
  const dialog = page.getByTestId('add-contact-dialog');
  const add = async (address: string) => {
    await page.getByRole('button', { name: 'Add contact…' }).click();
    await dialog.getByLabel('Address').fill(address);
    await dialog.getByRole('button', { name: 'Add and ask to see presence' }).click();
    await expect(dialog).toBeHidden();
  };

  await add(benvolio.jid);
  await expect(page.getByTestId('contact-address')).toHaveText(benvolio.jid);

  // A second add: the card is the new contact's, not the one open before.
  await add(paris.jid);
  await expect(page.getByTestId('contact-address')).toHaveText(paris.jid);
  await expect(page.getByTestId('contact-row').filter({ hasText: paris.jid })).toHaveAttribute('aria-current', 'true');
  const note = page.getByTestId('added-note');
  await expect(note).toHaveText(`Asked ${paris.jid} to share presence.`);
  await expect(note).toBeFocused();
  await expect(page.getByTestId('subscription')).toContainText('You asked to see theirs');
  await checkEveryLook(page, 'contact-added', saveScreenshot);

  // Adding them again sends nothing new: the note says so, not that it asked again.
  await add(paris.jid);
  await expect(note).toHaveText(`Saved. You had already asked ${paris.jid} to share presence; waiting for their answer.`);

  // Opening another contact lets the note go.
  await page.getByTestId('contact-row').filter({ hasText: benvolio.jid }).click();
  await expect(page.getByTestId('contact-address')).toHaveText(benvolio.jid);
  await expect(note).toHaveCount(0);
});
