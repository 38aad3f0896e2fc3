/**
 * "Accept without comparing" on a changed key clears the page's loudest alarm, and main keeps no way to
 * undo it: it asks first, naming the risk in plain words, with Cancel focused. Escape, Cancel or Enter
 * straight away leave the alarm as it was (review walk 4, item 10).
 */
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { contactKey, expect, publishedAndVerifiedByRomeo, publishNewKey, SCREENSHOT_DIR, signIn, SIZES, test } from './fixtures';

async function retract(page: Page, fingerprint: string): Promise<void> {
  const key = page.getByTestId('own-key').filter({ has: page.locator(`[data-fingerprint="${fingerprint}"]`) });
  await key.getByRole('button', { name: 'Retract…' }).click();
  await key.getByTestId('retract-dialog').getByRole('button', { name: 'Retract', exact: true }).click();
  await expect(key.getByTestId('publication')).toHaveCount(0);
}

test('accepting a changed key without comparing asks first, and Escape or Cancel keep the alarm', async ({ friendsInTwoWindows }) => {
  test.setTimeout(150_000);
  const { julietAccount, julietPage, romeoPage } = await friendsInTwoWindows();
  await signIn(julietPage, julietAccount);
  await expect(julietPage.getByTestId('connection-status')).toHaveText(/Online/);
  const first = await publishedAndVerifiedByRomeo(julietPage, romeoPage, julietAccount.jid);
  // Juliet rotates: a new key, the verified one withdrawn. Romeo's view of her warns.
  const second = await publishNewKey(julietPage, 'Contacts who see my presence');
  await retract(julietPage, first);
  const key = contactKey(romeoPage, second);
  await expect(key).toHaveAttribute('data-trust', 'changed');
  const alarm = key.getByRole('alert');
  await expect(alarm).toContainText('This key replaced one you had seen');

  const accept = key.getByRole('button', { name: /^Accept without comparing/ });
  const dialog = romeoPage.getByTestId('accept-dialog');
  // Pressed: nothing is accepted yet; the dialog says what could go wrong, and Cancel has the focus.
  await accept.click();
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('If someone else published it, they can read what you encrypt to it');
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await expect(key).toHaveAttribute('data-trust', 'changed');
  for (const size of SIZES) {
    await romeoPage.setViewportSize(size);
    for (const colorScheme of ['light', 'dark'] as const) {
      await romeoPage.emulateMedia({ colorScheme });
      await romeoPage.screenshot({ path: join(SCREENSHOT_DIR, `accept-confirm-${size.width}x${size.height}-${colorScheme}.png`) });
    }
  }
  await romeoPage.emulateMedia({ colorScheme: 'light' });
  await romeoPage.setViewportSize(SIZES[0]);

  // Escape: the alarm as it was, focus back on the button.
  await romeoPage.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(key).toHaveAttribute('data-trust', 'changed');
  await expect(alarm).toBeVisible();
  await expect(accept).toBeFocused();
  // Enter at once lands on Cancel: the hurried double press changes nothing either.
  await romeoPage.keyboard.press('Enter');
  await expect(dialog).toBeVisible();
  await romeoPage.keyboard.press('Enter');
  await expect(dialog).toBeHidden();
  await romeoPage.waitForTimeout(1_000);
  await expect(key).toHaveAttribute('data-trust', 'changed');
  await expect(romeoPage.getByTestId('attention')).toContainText(julietAccount.jid);

  // Confirmed on purpose: accepted, said on the key, focus on its status line (not on the page).
  await accept.click();
  await dialog.getByRole('button', { name: 'Accept without comparing' }).click();
  await expect(dialog).toBeHidden();
  await expect(key).toHaveAttribute('data-trust', 'unverified');
  await expect(key.getByTestId('accepted-without-comparing')).toContainText('accepted without comparing');
  await expect(key.getByTestId('key-status')).toBeFocused();
  await expect(romeoPage.getByTestId('attention')).toHaveCount(0);
});
