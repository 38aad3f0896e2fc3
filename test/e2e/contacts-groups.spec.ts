/**
 * A contact's groups: Enter in the field saves them, as "Save groups" does; groups typed and not saved
 * are kept for that contact when another is opened, and the card says they are not saved (the typing
 * used to be lost without a word, and Enter did nothing).
 */
import { join } from 'node:path';
import { befriend } from '../support/scenario';
import { connectWith, expect, openApp, SCREENSHOT_DIR, signInOnline, SIZES, test } from './fixtures';

test('Enter saves a contact’s groups; typed groups wait, said unsaved, while another contact is open', async ({ page, browserHost, newAccount }) => {
  test.setTimeout(90_000);
  const [julietAccount, romeoAccount, benvolioAccount] = await Promise.all([newAccount('juliet'), newAccount('romeo'), newAccount('benvolio')]);
  const [juliet, romeo, benvolio] = await Promise.all([connectWith(julietAccount), connectWith(romeoAccount), connectWith(benvolioAccount)]);
  await befriend(juliet, romeo, []);
  await befriend(juliet, benvolio, []);
  await Promise.all([juliet.session.disconnect(), romeo.session.disconnect(), benvolio.session.disconnect()]);

  await openApp(page, browserHost.url);
  await signInOnline(page, julietAccount);
  await page.getByRole('button', { name: 'Contacts', exact: true }).click();
  // A contact in two groups is listed under each.
  const row = (jid: string) => page.getByTestId('contact-row').filter({ hasText: jid }).first();
  const detail = page.getByTestId('contact-detail');
  const groups = detail.getByLabel(`Groups of ${benvolio.jid}`);
  const byGroup = page.getByRole('list', { name: 'Contacts by group' });

  // Enter in the field saves.
  await row(benvolio.jid).click();
  await groups.fill('Friends, Montagues');
  await groups.press('Enter');
  await expect(byGroup).toContainText('Montagues');
  await expect(detail.getByTestId('groups-unsaved')).toHaveCount(0);
  await expect(groups).toHaveValue('Friends, Montagues');

  // Typed, not saved, another contact opened and this one again: the typing is there, said unsaved.
  await groups.fill('Friends, Verona');
  await row(romeo.jid).click();
  await expect(detail.getByLabel(`Groups of ${romeo.jid}`)).toHaveValue('');
  await expect(detail.getByTestId('groups-unsaved')).toHaveCount(0);
  await row(benvolio.jid).click();
  await expect(groups).toHaveValue('Friends, Verona');
  await expect(detail.getByTestId('groups-unsaved')).toHaveText('Groups not saved yet: press Enter or Save groups.');
  await expect(groups).toHaveAccessibleDescription('Groups not saved yet: press Enter or Save groups.');
  await expect(byGroup).not.toContainText('Verona');
  for (const size of SIZES) {
    await page.setViewportSize(size);
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      await page.screenshot({ path: join(SCREENSHOT_DIR, `contacts-groups-unsaved-${size.width}x${size.height}-${colorScheme}.png`) });
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize(SIZES[0]);

  await groups.press('Enter');
  await expect(byGroup).toContainText('Verona');
  await expect(detail.getByTestId('groups-unsaved')).toHaveCount(0);
});
