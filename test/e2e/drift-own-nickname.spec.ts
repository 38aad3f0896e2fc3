/**
 * Juliet's nickname changed by another app of hers (a phone app setting the XEP-0172 node alone, as chat
 * apps do) while her vCard still says the old one. My profile shows the node's nickname, the one the
 * banner quotes and contacts' chat apps show, says that the card holds another, and lists each copy a
 * publish would change: a note published alone no longer puts the old nickname back without a word.
 * (Walk 6: the form said "Jules" under "as your server holds it", and Publish undid the phone's "Julie".)
 */
import xml from '@xmpp/xml';
import { fetchItems } from '../../main/xmpp/fetch-items';
import { NS } from '../../main/xmpp/namespaces';
import { nickPayload, readNickItem } from '../../main/profile/nickname';
import { readVcard4Item } from '../../main/profile/vcard4';
import { checkEveryLook, connectWith, driftAlarmAfterSignIn, expect, signedInOnMyProfile, test } from './fixtures';

test('a nickname set by another app shows in the form, both copies are named, and a publish lists what it changes of each', async ({
  page,
  browserHost,
  newAccount,
  saveScreenshot,
}) => {
  test.setTimeout(150_000);
  const juliet = await newAccount('juliet');
  await signedInOnMyProfile(page, browserHost.url, juliet);
  const form = page.getByRole('form', { name: 'Profile' });
  const nickname = form.getByLabel('Nickname');
  const listed = page.getByTestId('profile-changes').getByTestId('profile-change');
  await nickname.fill('Jules');
  await form.getByLabel('Contacts who see my presence').check();
  await form.getByRole('button', { name: 'Publish changes' }).click();
  await expect(page.getByTestId('profile-result')).toContainText('Published', { timeout: 30_000 });

  // Her phone app, the same account, sets the nickname node the ordinary way.
  const phone = await connectWith(juliet);
  try {
    const held = async () => {
      const [nick, card] = await Promise.all([fetchItems(phone.session.client.iqCaller, juliet.jid, NS.nick), fetchItems(phone.session.client.iqCaller, juliet.jid, NS.vcard4)]);
      const nickItem = nick.status === 'ok' ? nick.items[0] : undefined;
      const cardItem = card.status === 'ok' ? card.items[0] : undefined;
      const nickRead = nickItem ? readNickItem(nickItem) : undefined;
      const cardRead = cardItem ? readVcard4Item(cardItem) : undefined;
      return { node: nickRead && 'nickname' in nickRead ? nickRead.nickname : undefined, card: cardRead && 'profile' in cardRead ? cardRead.profile.nickname : undefined };
    };
    await phone.session.client.iqCaller.set(xml('pubsub', { xmlns: NS.pubsub }, xml('publish', { node: NS.nick }, xml('item', { id: 'current' }, nickPayload('Julie')))));
    expect(await held()).toEqual({ node: 'Julie', card: 'Jules' });

    // Live, and again after a sign-in that reads every node (and raises the drift alarm).
    await expect(nickname).toHaveValue('Julie');
    await driftAlarmAfterSignIn(page, juliet, 'Your nickname: not as you published it');
    await page.getByRole('button', { name: 'My profile', exact: true }).click();
    await expect(page.getByTestId('profile-source')).toContainText('as your server holds it');
    await expect(nickname).toHaveValue('Julie');
    const copies = page.getByTestId('nickname-copies');
    await expect(copies).toHaveText(
      'Your server holds two nicknames: “Julie”, which chat apps show, and “Jules” in your profile card. This field started from “Julie”; publishing puts what it holds in both.',
    );
    await expect(nickname).toHaveAttribute('aria-describedby', /nickname-copies/);

    // Only the note changed by her: the card's nickname taking "Julie" is listed too.
    await form.getByLabel('Note').fill('n');
    await expect(listed).toHaveText(['Nickname in your profile card: Jules → Julie', 'Note: added n']);
    await checkEveryLook(page, 'my-profile-two-nicknames', saveScreenshot);
    // "Jules" typed back: putting it back on the node is listed before anything goes out.
    await nickname.fill('Jules');
    await expect(listed).toHaveText(['Nickname: Julie → Jules', 'Note: added n']);

    // She keeps the phone's "Julie": published, both copies say it, and the form has nothing left to change.
    await nickname.fill('Julie');
    await form.getByRole('button', { name: 'Publish changes' }).click();
    await expect(page.getByTestId('profile-result')).toContainText('Published', { timeout: 30_000 });
    expect(await held()).toEqual({ node: 'Julie', card: 'Julie' });
    await expect(nickname).toHaveValue('Julie');
    await expect(copies).toHaveCount(0);
    await expect(page.getByTestId('profile-changes')).toContainText('Nothing yet');
  } finally {
    await phone.session.disconnect();
  }
});
