/**
 * Roster groups in the audience picker say how many contacts each holds ("Friends (2 contacts)"), and
 * narrowing the groups published to names who loses access (review walk 4, item 16: "Friends" narrowed to
 * "Montagues" took romeo's access away without a word). On ejabberd, the server with roster-group access.
 */
import { join } from 'node:path';
import { befriend } from '../support/scenario';
import { accountOn, connectWith, expect, generateKey, openApp, ownKey, SCREENSHOT_DIR, signIn, SIZES, test } from './fixtures';

test('groups show their member counts; narrowing Friends to Montagues names romeo as losing access', async ({ browser, ejabberd, launchApp }) => {
  test.setTimeout(120_000);
  const account = (role: string, domain: string) => accountOn(ejabberd.info, role, domain);
  const [julietAccount, romeoAccount, benvolioAccount] = await Promise.all([
    account('juliet', 'capulet.lit'),
    account('romeo', 'montague.lit'),
    account('benvolio', 'montague.lit'),
  ]);
  const [juliet, romeo, benvolio] = await Promise.all([connectWith(julietAccount), connectWith(romeoAccount), connectWith(benvolioAccount)]);
  await befriend(juliet, romeo, ['Friends']);
  await befriend(juliet, benvolio, ['Friends', 'Montagues']);
  await Promise.all([juliet.session.disconnect(), romeo.session.disconnect(), benvolio.session.disconnect()]);

  const app = await launchApp();
  const page = await (await browser.newContext()).newPage();
  await openApp(page, app.url);
  await signIn(page, julietAccount);
  await expect(page.getByTestId('connection-status')).toHaveText(/Online/, { timeout: 20_000 });
  await page.getByRole('button', { name: 'My keys', exact: true }).click();

  const key = ownKey(page, await generateKey(page));
  await key.getByRole('button', { name: /^Publish…/ }).click();
  await key.getByLabel('People in roster groups I choose').check();
  await expect(key.getByRole('checkbox', { name: 'Friends (2 contacts)', exact: true })).toBeVisible();
  await expect(key.getByRole('checkbox', { name: 'Montagues (1 contact)', exact: true })).toBeVisible();
  await key.getByLabel('Friends').check();
  // Nothing published before: nobody loses anything.
  await expect(key.getByTestId('access-lost')).toHaveCount(0);
  await key.getByRole('button', { name: 'Publish', exact: true }).click();
  await expect(key.getByTestId('publish-result')).toContainText('Published, readable by roster group "Friends"');
  await key.getByRole('button', { name: 'Close' }).click();

  // Narrowed: Friends off, Montagues on. Romeo is in Friends only, so he loses access, and is named.
  await key.getByRole('button', { name: /^Publish…/ }).click();
  await expect(key.getByRole('checkbox', { name: /^Friends/ })).toBeChecked();
  await key.getByRole('checkbox', { name: /^Montagues/ }).check();
  await expect(key.getByTestId('access-lost')).toHaveCount(0);
  await key.getByRole('checkbox', { name: /^Friends/ }).uncheck();
  const lost = key.getByTestId('access-lost');
  await expect(lost).toHaveText(`Loses access: ${romeoAccount.jid}. They are in none of the groups ticked.`);
  await expect(lost).not.toContainText(benvolioAccount.jid);
  for (const size of SIZES) {
    await page.setViewportSize(size);
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      await key.getByTestId('access-lost').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(SCREENSHOT_DIR, `audience-group-counts-${size.width}x${size.height}-${colorScheme}.png`) });
    }
  }
});
