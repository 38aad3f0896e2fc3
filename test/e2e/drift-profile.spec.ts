/**
 * A profile item replaced in the window: juliet publishes her profile; another app of hers (slixmpp)
 * publishes another nickname under the same item id, markup and a right-to-left override in it. When
 * she signs in again the banner says what her nickname says now, as text, and Restore puts hers back.
 * Then the card: another app adds a phone number and changes the note under a long name; the banner
 * names those two fields with their values now and before, not the whole card cut short.
 */
import { fetchItems } from '../../main/xmpp/fetch-items';
import { NS } from '../../main/xmpp/namespaces';
import { nickPayload, readNickItem } from '../../main/profile/nickname';
import { readVcard4Item, vcard4Payload } from '../../main/profile/vcard4';
import { driverSteps } from '../support/interop/python-driver';
import { axeViolations, driftAlarmAfterSignIn, connectWith, expect, openApp, signIn, test } from './fixtures';

test('another app replaces the nickname: the banner quotes what it says now, as text; Restore puts hers back', async ({
  page,
  browserHost,
  newAccount,
  prosody,
  saveScreenshot,
}) => {
  test.setTimeout(120_000);
  const [julietAccount, benvolioAccount] = await Promise.all([newAccount('juliet'), newAccount('benvolio')]);
  const benvolio = await connectWith(benvolioAccount);
  const nicknameRead = async () => {
    const outcome = await fetchItems(benvolio.session.client.iqCaller, julietAccount.jid, NS.nick);
    const item = outcome.status === 'ok' ? outcome.items[0] : undefined;
    const read = item ? readNickItem(item) : undefined;
    return read && 'nickname' in read ? read.nickname : outcome.status;
  };

  try {
    await page.setViewportSize({ width: 1280, height: 800 });
    await openApp(page, browserHost.url);
    await signIn(page, julietAccount);
    await page.getByRole('button', { name: 'My profile', exact: true }).click();
    await expect(page.getByTestId('profile-source')).toContainText('as your server holds it');
    const form = page.getByRole('form', { name: 'Profile' });
    await form.getByLabel('Full name').fill('Juliet Capulet');
    await form.getByLabel('Nickname').fill('Jules');
    await form.getByLabel('Anyone').check();
    await form.getByRole('button', { name: 'Publish changes' }).click();
    await expect(page.getByTestId('profile-result')).toBeVisible({ timeout: 20_000 });
    expect(await nicknameRead()).toBe('Jules');

    await driverSteps('slixmpp', { jid: julietAccount.jid, password: julietAccount.password, server: prosody.info }, [
      { op: 'publish-item', node: NS.nick, itemId: 'current', payload: nickPayload('<b>Romeo</b>\u202e’s Juliet').toString() },
    ]);
    expect(await nicknameRead()).toBe('<b>Romeo</b>’s Juliet');

    // Signing in again reads every published node.
    const banner = await driftAlarmAfterSignIn(page, julietAccount, 'Your nickname: not as you published it');
    await expect(banner).toContainText('Your profile’s nickname was changed by another app or the server: it now says “<b>Romeo</b>’s Juliet” (was “Jules”).');
    await expect(banner.locator('b')).toHaveCount(0);

    for (const [width, height] of [[1280, 800], [800, 600]] as const) {
      for (const scheme of ['light', 'dark'] as const) {
        await page.setViewportSize({ width, height });
        await page.emulateMedia({ colorScheme: scheme });
        await saveScreenshot(`drift-profile-${width}x${height}-${scheme}`);
        expect(await axeViolations(page)).toEqual([]);
      }
    }
    await page.emulateMedia({ colorScheme: 'light' });

    await banner.getByRole('button', { name: 'Restore' }).dblclick();
    await expect(banner).toBeHidden({ timeout: 20_000 });
    await expect(page.getByTestId('drift-error')).toBeHidden();
    expect(await nicknameRead()).toBe('Jules');
  } finally {
    await benvolio.session.disconnect();
  }
});

test('another app changes fields of the card: the banner names each field, with its value now and before', async ({ page, browserHost, newAccount, prosody, saveScreenshot }) => {
  test.setTimeout(120_000);
  const [julietAccount, benvolioAccount] = await Promise.all([newAccount('juliet'), newAccount('benvolio')]);
  const benvolio = await connectWith(benvolioAccount);
  const noteRead = async () => {
    const outcome = await fetchItems(benvolio.session.client.iqCaller, julietAccount.jid, NS.vcard4);
    const item = outcome.status === 'ok' ? outcome.items[0] : undefined;
    const read = item ? readVcard4Item(item) : undefined;
    return read && 'profile' in read ? read.profile.note : outcome.status;
  };
  // A name long enough that the card quoted whole, cut short, would hide the note that changed.
  const fullName = 'Juliet Capulet of the house of Capulet, in fair Verona where we lay our scene';

  try {
    await page.setViewportSize({ width: 1280, height: 800 });
    await openApp(page, browserHost.url);
    await signIn(page, julietAccount);
    await page.getByRole('button', { name: 'My profile', exact: true }).click();
    await expect(page.getByTestId('profile-source')).toContainText('as your server holds it');
    const form = page.getByRole('form', { name: 'Profile' });
    await form.getByLabel('Full name').fill(fullName);
    await form.getByLabel('Nickname').fill('Jules');
    await form.getByLabel('Note').fill('Written here');
    await form.getByLabel('Anyone').check();
    await form.getByRole('button', { name: 'Publish changes' }).click();
    await expect(page.getByTestId('profile-result')).toBeVisible({ timeout: 20_000 });
    expect(await noteRead()).toBe('Written here');

    const theirs = { fullName, nickname: 'Jules', emails: [], phones: ['+39 045 555 0199'], urls: [], note: 'Note set by my phone app' };
    await driverSteps('slixmpp', { jid: julietAccount.jid, password: julietAccount.password, server: prosody.info }, [
      { op: 'publish-item', node: NS.vcard4, itemId: 'current', payload: vcard4Payload(theirs).toString() },
    ]);
    expect(await noteRead()).toBe('Note set by my phone app');

    const banner = await driftAlarmAfterSignIn(page, julietAccount, 'Your profile card: not as you published it');
    await expect(banner).toContainText(
      'Your profile card was changed by another app or the server: Phone numbers added: “+39 045 555 0199”; Note is now “Note set by my phone app” (was “Written here”).',
    );
    await expect(banner).not.toContainText('Verona');

    for (const [width, height] of [[1280, 800], [800, 600]] as const) {
      for (const scheme of ['light', 'dark'] as const) {
        await page.setViewportSize({ width, height });
        await page.emulateMedia({ colorScheme: scheme });
        await saveScreenshot(`drift-profile-card-${width}x${height}-${scheme}`);
        expect(await axeViolations(page)).toEqual([]);
      }
    }
    await page.emulateMedia({ colorScheme: 'light' });

    await banner.getByRole('button', { name: 'Restore' }).click();
    await expect(banner).toBeHidden({ timeout: 20_000 });
    expect(await noteRead()).toBe('Written here');
  } finally {
    await benvolio.session.disconnect();
  }
});
