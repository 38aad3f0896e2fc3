/**
 * Another app of juliet's account (Gajim, Conversations, a phone) published her vCard with details My
 * profile does not show: a birthday, gender, job title, role, chat address, language, structured name,
 * a phone number marked "work", and a second full name. She publishes a nickname here. The change list
 * names what stays and what cannot (the second name), and the server still holds all the rest after (XEP-0292 §4.1.2: the whole vCard goes out each time).
 * (Found by a UI walk: they were all erased while the window said "Everything else stays as published".)
 */
import xml from '@xmpp/xml';
import { fetchItems } from '../../main/xmpp/fetch-items';
import { NS } from '../../main/xmpp/namespaces';
import { VCARD_ITEM_ID, VCARD_NS } from '../../main/profile/vcard4';
import { checkEveryLook, connectWith, expect, signedInOnMyProfile, test } from './fixtures';

test('a nickname published here keeps the birthday, title and the rest another app put in the card', async ({ page, browserHost, newAccount, saveScreenshot }) => {
  test.setTimeout(150_000);
  const juliet = await newAccount('juliet');
  const other = await connectWith(juliet);
  const held = async () => {
    const outcome = await fetchItems(other.session.client.iqCaller, juliet.jid, NS.vcard4);
    return outcome.status === 'ok' ? (outcome.items[0]?.payload?.toString() ?? '') : outcome.status;
  };
  const properties = [
    xml('fn', {}, xml('text', {}, 'Juliet Capulet')),
    xml('n', {}, xml('surname', {}, 'Capulet'), xml('given', {}, 'Juliet'), xml('additional', {}), xml('prefix', {}), xml('suffix', {})),
    xml('bday', {}, xml('date', {}, '1999-07-31')),
    xml('gender', {}, xml('sex', {}, 'F')),
    xml('title', {}, xml('text', {}, 'Heiress')),
    xml('role', {}, xml('text', {}, 'Daughter')),
    xml('impp', {}, xml('uri', {}, 'xmpp:juliet@capulet.lit')),
    xml('lang', {}, xml('language-tag', {}, 'it')),
    xml('tel', {}, xml('parameters', {}, xml('type', {}, xml('text', {}, 'work'))), xml('uri', {}, 'tel:+39-045-555-0199')),
    xml('email', {}, xml('text', {}, 'juliet@capulet.lit')),
    xml('note', {}, xml('text', {}, 'From my phone app')),
  ];
  // A second full name: the form shows one, so a publish cannot keep it, and says so before.
  const secondName = xml('fn', {}, xml('text', {}, 'Giulietta Capuleti'));
  try {
    await other.session.client.iqCaller.set(
      xml('pubsub', { xmlns: NS.pubsub }, xml('publish', { node: NS.vcard4 }, xml('item', { id: VCARD_ITEM_ID }, xml('vcard', { xmlns: VCARD_NS }, ...properties, secondName)))),
    );
    await signedInOnMyProfile(page, browserHost.url, juliet);
    const form = page.getByRole('form', { name: 'Profile' });
    await expect(form.getByLabel('Note')).toHaveValue('From my phone app', { timeout: 15_000 });
    await form.getByLabel('Nickname').fill('Jules');
    await expect(page.getByTestId('profile-change')).toHaveText(['Nickname: added Jules']);
    await expect(page.getByTestId('profile-rest')).toHaveText(
      'Everything else stays as published, with what this app does not show: structured name (surname, given name), birthday, gender, job title, role, chat addresses and languages.',
    );
    await expect(page.getByTestId('profile-not-kept')).toHaveText('Publishing also removes what this app cannot keep: another full name.');
    await checkEveryLook(page, 'profile-other-details', saveScreenshot);

    await form.getByRole('button', { name: 'Publish changes' }).click();
    await expect(page.getByTestId('profile-result')).toContainText('Published', { timeout: 30_000 });
    // Read back and verified: no "could not be checked" under the result.
    await expect(page.getByTestId('profile-result')).not.toContainText(/not check|unverified/i);
    const after = await held();
    for (const property of properties) expect(after, `${property.name} as another app published it`).toContain(property.toString());
    expect(after).toContain('<nickname><text>Jules</text></nickname>');
    expect(after).not.toContain('Giulietta');
    await expect(page.getByTestId('profile-not-kept')).toHaveCount(0);
  } finally {
    await other.session.disconnect();
  }
});
