/**
 * Review walk 4, item 15: closing the New key dialog while a key is being made does not stop it (main
 * cannot cancel a key generation), so the dialog never offers "Cancel" then. It says the key will appear
 * when done, its second button says it only hides, and the key does appear after hiding.
 */
import { expect, holdGenerateAnswer, signedInOnMyKeys, SIZES, test } from './fixtures';

test('new key: while it is made, the dialog offers to hide, not to cancel, and the key appears anyway', async ({ page, browserHost, newAccount, saveScreenshot }) => {
  test.setTimeout(120_000);
  // The answer to keys:generate is held back until the test lets it through: the dialog is then seen
  // while the key is being made however fast the machine makes it (RSA 4096 took ~0.5 s here).
  const generating = await holdGenerateAnswer(page);
  const juliet = await newAccount('juliet');
  await signedInOnMyKeys(page, browserHost.url, juliet);
  await expect(page.getByTestId('own-key')).toHaveCount(0);

  await page.getByRole('button', { name: 'New key…' }).click();
  const dialog = page.getByTestId('generate-dialog');
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeVisible();
  await dialog.getByLabel('Key size').selectOption('4096');
  await dialog.getByRole('button', { name: 'Generate key' }).click();

  const hide = dialog.getByRole('button', { name: 'Hide (the key is still made)' });
  await expect(hide).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toHaveCount(0);
  await expect(dialog.getByTestId('generating-note')).toContainText('the key appears on My keys when done');
  // Seen in each look while the key is made.
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    for (const size of SIZES) {
      await page.setViewportSize(size);
      await saveScreenshot(`generate-hide-${size.width}x${size.height}-${colorScheme}`);
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize(SIZES[0]);

  await hide.click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('generating-hidden')).toContainText('It appears here when done.');
  await expect(page.getByRole('button', { name: 'New key…' })).toBeFocused();
  await saveScreenshot('generate-hide-after');
  // Main has made the key and answered; the window hears of it only now.
  await expect.poll(() => generating.answered(), { timeout: 60_000 }).toBe(true);
  generating.release();
  await expect(page.getByTestId('own-key')).toHaveCount(1, { timeout: 60_000 });
  await expect(page.getByTestId('generating-hidden')).toHaveCount(0);
});
