/**
 * Another app of juliet's account publishes her vCard while her profile is open here (as the UI walk
 * did with slixmpp, here a second connection of hers publishing raw XEP-0060 items). My profile follows
 * the server: an untouched form takes the new note and phone number; a one-field publish keeps them on
 * the server; a field she is editing keeps her text and is named when the server changed it under her.
 * (Found by a UI walk: the form kept the old note, and publishing a new nickname put it back and dropped
 * the other app's phone number.)
 */
import xml from '@xmpp/xml';
import type { Profile } from '../../contract/index';
import { readVcard4Item, VCARD_ITEM_ID, vcard4Payload } from '../../main/profile/vcard4';
import { fetchItems } from '../../main/xmpp/fetch-items';
import { NS } from '../../main/xmpp/namespaces';
import { checkEveryLook, connectWith, expect, signedInOnMyProfile, test } from './fixtures';

test('another app’s note and phone number stay through a one-field publish; an edited field changed under it is named', async ({
  page,
  browserHost,
  newAccount,
  saveScreenshot,
}) => {
  test.setTimeout(150_000);
  const juliet = await newAccount('juliet');
  const other = await connectWith(juliet);
  const held = async (): Promise<Profile | undefined> => {
    const outcome = await fetchItems(other.session.client.iqCaller, juliet.jid, NS.vcard4);
    const item = outcome.status === 'ok' ? outcome.items[0] : undefined;
    const read = item ? readVcard4Item(item) : undefined;
    return read && 'profile' in read ? read.profile : undefined;
  };
  /** The other app publishes the whole vCard (XEP-0292 §4.1.2), to the node as it is. */
  const otherAppPublishes = async (profile: Profile) => {
    await other.session.client.iqCaller.set(xml('pubsub', { xmlns: NS.pubsub }, xml('publish', { node: NS.vcard4 }, xml('item', { id: VCARD_ITEM_ID }, vcard4Payload(profile)))));
  };
  try {
    await signedInOnMyProfile(page, browserHost.url, juliet);
    const form = page.getByRole('form', { name: 'Profile' });
    const publish = form.getByRole('button', { name: 'Publish changes' });
    const changes = page.getByTestId('profile-change');
    await form.getByLabel('Full name').fill('Juliet Capulet');
    await form.getByLabel('Nickname').fill('Jules');
    await form.getByLabel('Note').fill('My own note');
    await publish.click();
    await expect(page.getByTestId('profile-result')).toContainText('Published', { timeout: 30_000 });

    // The other app: a new note and a phone number. The untouched form follows the server.
    const published = await held();
    expect(published?.note).toBe('My own note');
    await otherAppPublishes({ ...(published as Profile), note: 'Note set by my phone app', phones: ['+39 045 555 0199'] });
    await expect(form.getByLabel('Note')).toHaveValue('Note set by my phone app', { timeout: 15_000 });
    await expect(form.getByLabel('Phone numbers (one per line)')).toHaveValue('+39 045 555 0199');

    // Only the nickname changed here: only it is published, onto what the server holds.
    await form.getByLabel('Nickname').fill('Julie');
    await expect(changes).toHaveText(['Nickname: Jules → Julie']);
    await publish.click();
    await expect(page.getByTestId('profile-result')).toContainText('Published', { timeout: 30_000 });
    expect(await held()).toMatchObject({ nickname: 'Julie', note: 'Note set by my phone app', phones: ['+39 045 555 0199'], fullName: 'Juliet Capulet' });

    // Juliet types a note; meanwhile the other app publishes another note and a new name. Her note stays
    // in the form, the name she left alone follows, and the note the server now holds is named.
    await form.getByLabel('Note').fill('Typed in the keyring app');
    await otherAppPublishes({ ...((await held()) as Profile), note: 'Second phone note', fullName: 'Juliet C.' });
    await expect(form.getByLabel('Full name')).toHaveValue('Juliet C.', { timeout: 15_000 });
    await expect(form.getByLabel('Note')).toHaveValue('Typed in the keyring app');
    const under = page.getByTestId('profile-changed-under');
    await expect(under).toContainText('Note: now “Second phone note”');
    await expect(changes).toHaveText(['Note: Second phone note → Typed in the keyring app']);
    await checkEveryLook(page, 'profile-changed-under', saveScreenshot);
    await publish.click();
    await expect(page.getByTestId('profile-result')).toContainText('Published', { timeout: 30_000 });
    await expect(under).toHaveCount(0);
    expect(await held()).toMatchObject({ note: 'Typed in the keyring app', fullName: 'Juliet C.', nickname: 'Julie', phones: ['+39 045 555 0199'] });
  } finally {
    await other.session.disconnect();
  }
});
