/**
 * After "Publish changes" the person is left where they were looking: focus on the confirmation (a live
 * region) once nothing is left to publish, never on a field with its text selected (one keystroke would
 * replace the name), and the confirmation scrolled into sight, at 1280×800 and at 800×600.
 */
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { expect, openApp, SCREENSHOT_DIR, signIn, SIZES, test } from './fixtures';

/** Text selected anywhere on the page: a document selection, or a range inside the focused field. */
function selectedText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const active = document.activeElement;
    if (active instanceof HTMLInputElement || active instanceof HTMLTextAreaElement) {
      return active.value.slice(active.selectionStart ?? 0, active.selectionEnd ?? 0);
    }
    return document.getSelection()?.toString() ?? '';
  });
}

async function publishAndCheck(page: Page, form: Locator, size: { width: number; height: number }, shot: string) {
  await form.getByRole('button', { name: 'Publish changes' }).click();
  const result = page.getByTestId('profile-result');
  await expect(result).toContainText('Published. Your server reports:', { timeout: 20_000 });
  // Nothing left to publish: the button is disabled, and focus is on the confirmation it leaves.
  await expect(form.getByRole('button', { name: 'Publish changes' })).toBeDisabled();
  await expect(result).toBeFocused();
  expect(await selectedText(page), `${size.width}×${size.height}: nothing is selected`).toBe('');
  await expect(form.getByLabel('Full name')).not.toBeFocused();
  // Where the person is looking: the whole confirmation inside the window.
  await expect(result).toBeInViewport({ ratio: 1 });
  // What the window shows (not the full page), in both themes.
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await page.screenshot({ path: join(SCREENSHOT_DIR, `${shot}-${colorScheme}.png`) });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

test('after Publish changes, focus is on the confirmation, nothing is selected, and the confirmation is in sight', async ({
  page,
  browserHost,
  newAccount,
}) => {
  test.setTimeout(120_000);
  const account = await newAccount('juliet');
  await openApp(page, browserHost.url);
  await signIn(page, account);
  await expect(page.getByTestId('connection-status')).toHaveText(/Online/);
  await page.getByRole('button', { name: 'My profile', exact: true }).click();
  await expect(page.getByTestId('profile-source')).toContainText('as your server holds it');
  const form = page.getByRole('form', { name: 'Profile' });

  for (const [i, size] of SIZES.entries()) {
    await page.setViewportSize(size);
    await form.getByLabel('Full name').fill(`Juliet Capulet ${i + 1}`);
    await form.getByLabel('Nickname').fill(`Jules ${i + 1}`);
    await form.getByLabel('Note').fill('A note long enough to make the form taller than the window.\n'.repeat(3));
    await form.getByLabel('Contacts who see my presence').check();
    await publishAndCheck(page, form, size, `profile-published-focus-${size.width}x${size.height}`);
  }
});
