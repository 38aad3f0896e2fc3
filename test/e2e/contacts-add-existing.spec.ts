/**
 * Found by a new user's walk through the screens (branch new-user-screens): "Add contact…" is where a
 * person types an address they were given, often one already in their contacts. Adding it again may
 * cost them nothing: a roster group can be the audience of a published key.
 */
import { expect, signIn, test } from './fixtures';

test('adding an address already in the contacts says so, with its groups, and keeps them', async ({ friendsInTwoWindows }) => {
  test.setTimeout(90_000);
  const { julietPage, julietAccount, romeoAccount } = await friendsInTwoWindows();
  await signIn(julietPage, julietAccount);
  await expect(julietPage.getByTestId('connection-status')).toHaveText(/Online/);
  await julietPage.getByRole('button', { name: 'Contacts', exact: true }).click();
  const byGroup = julietPage.getByRole('list', { name: 'Contacts by group' });
  await expect(byGroup).toContainText('Friends');

  await julietPage.getByRole('button', { name: 'Add contact…' }).click();
  const dialog = julietPage.getByTestId('add-contact-dialog');
  await dialog.getByLabel('Address').fill(romeoAccount.jid.toUpperCase());
  await expect(dialog.getByTestId('already-contact')).toHaveText(`${romeoAccount.jid} is already in your contacts, in “Friends”. Adding keeps that group and adds any you name here.`);
  await dialog.getByLabel('Address').fill(romeoAccount.jid);
  await dialog.getByRole('button', { name: 'Add and ask to see presence' }).click();
  await expect(dialog).toBeHidden();

  // Still in Friends, and nowhere else: the list is the roster main answered after the add.
  await expect(byGroup.locator('.group-name')).toHaveText(['Friends']);
  await expect(byGroup).not.toContainText('Contacts without a group');
});
