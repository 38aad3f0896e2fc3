/**
 * A roster group emptied after keys were published to it, on a real ejabberd (the server with
 * roster-group access). The access picker offers the roster's groups, and starts from the audience
 * already published, showing a chosen group nobody is in any more as such ("no contact is in it"), so
 * the next key goes to "Friends" even after romeo left it unless it is unticked: the publish
 * report on My keys says that no contact is in "Friends" and nobody can read the keys, beside
 * "Published, readable by roster group "Friends"" (a warning: the publish stands).
 */
import { setRosterItem } from '../../main/xmpp/roster';
import { befriend } from '../support/scenario';
import { accountOn, checkEveryLook, connectWith, expect, generateKey, openApp, ownKey, signIn, test } from './fixtures';

test('a key published to a group nobody is in any more is reported as readable by nobody', async ({ browser, ejabberd, launchApp, saveScreenshot }) => {
  test.setTimeout(120_000);
  const account = (role: string, domain: string) => accountOn(ejabberd.info, role, domain);
  const [julietAccount, romeoAccount] = await Promise.all([account('juliet', 'capulet.lit'), account('romeo', 'montague.lit')]);
  const [juliet, romeo] = await Promise.all([connectWith(julietAccount), connectWith(romeoAccount)]);
  await befriend(juliet, romeo, ['Friends']);
  await romeo.session.disconnect();

  const app = await launchApp();
  const page = await (await browser.newContext()).newPage();
  await openApp(page, app.url);
  await signIn(page, julietAccount);
  await expect(page.getByTestId('connection-status')).toHaveText(/Online/);
  await page.getByRole('button', { name: 'My keys' }).click();

  // Published to Friends while romeo is in it: no warning.
  const first = ownKey(page, await generateKey(page));
  await first.getByRole('button', { name: 'Publish…' }).click();
  await first.getByLabel('People in roster groups I choose').check();
  await first.getByLabel('Friends').check();
  await first.getByRole('button', { name: 'Publish', exact: true }).click();
  await expect(first.getByTestId('publish-result')).toContainText('Published, readable by roster group "Friends"');
  await expect(first.getByTestId('empty-groups')).toHaveCount(0);
  await first.getByRole('button', { name: 'Close' }).click();

  // Romeo taken out of Friends from another client of juliet's (a roster push reaches the app).
  await setRosterItem(juliet.session.client.iqCaller, { jid: romeo.jid, groups: [] });
  await juliet.session.disconnect();

  // The next key: the panel starts from the audience published (Friends), which is now nobody.
  const second = ownKey(page, await generateKey(page));
  await second.getByRole('button', { name: 'Publish…' }).click();
  await expect(second.getByTestId('current-audience')).toContainText('roster group "Friends"');
  // Friends is still chosen, and shown as such, though no contact is in it: the person can see it and untick it.
  const stale = second.getByTestId('group-nobody-is-in');
  await expect(stale).toHaveText('Friends (no contact is in it)');
  await expect(stale.getByRole('checkbox')).toBeChecked();
  await expect(second.getByTestId('no-groups')).toContainText('None of your contacts is in a group yet.');
  await second.getByRole('button', { name: 'Publish', exact: true }).click();
  await expect(second.getByTestId('publish-result')).toContainText('Published, readable by roster group "Friends"');
  await expect(second.getByTestId('empty-groups')).toHaveText(
    '⚠ No contact of yours is in the group "Friends": nobody can read your keys until you add someone to it.',
  );
  await checkEveryLook(page, 'empty-group-publish', saveScreenshot);
});
