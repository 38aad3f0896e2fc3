/**
 * A refused sign-in in the smallest window (800×600, server settings open, as after any earlier
 * attempt): the alert below the form is scrolled into sight, and the password field, focused to type
 * again, is described by it. It used to stay below the fold: nothing on screen changed but the header.
 */
import { join } from 'node:path';
import { expect, openApp, SCREENSHOT_DIR, signInRefused, SIZES, test, withWrongPassword } from './fixtures';

test('at 800×600 a wrong password shows its alert in the window, tied to the password field', async ({ page, browserHost, newAccount }) => {
  test.setTimeout(90_000);
  const account = await newAccount('juliet');
  await page.setViewportSize(SIZES[1]);
  await openApp(page, browserHost.url);
  const error = await signInRefused(page, withWrongPassword(account));
  const password = page.getByLabel('Password', { exact: true });
  await expect(password).toBeFocused();

  const box = await error.boundingBox();
  expect(box, 'the alert has a box').not.toBeNull();
  expect(box!.y, 'the alert starts in the window').toBeGreaterThanOrEqual(0);
  // (Within a pixel: layout in fractions of one.)
  expect(box!.y + box!.height, 'the alert ends in the window').toBeLessThanOrEqual(SIZES[1].height + 1);
  // The field to type again is described by the alert (read out with it by a screen reader).
  await expect(password).toHaveAccessibleDescription(/rejected the address or password/);

  for (const size of [SIZES[1], SIZES[0]]) {
    await page.setViewportSize(size);
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      await page.screenshot({ path: join(SCREENSHOT_DIR, `sign-in-refused-${size.width}x${size.height}-${colorScheme}.png`) });
    }
  }
});
