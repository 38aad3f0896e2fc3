/**
 * Every main screen passes axe-core's WCAG A/AA rules (labelled controls, contrast, landmarks), in
 * light and dark theme, and the screens can be reached and used with the keyboard alone.
 */
import { axeViolations as violations, expect, openApp, signIn, test } from './fixtures';

for (const colorScheme of ['light', 'dark'] as const) {
  test(`every screen passes axe in the ${colorScheme} theme`, async ({ browser, browserHost, newAccount }) => {
    const page = await (await browser.newContext({ colorScheme })).newPage();
    await page.goto(browserHost.url);
    await expect(page.getByRole('heading', { name: 'Unlock your keys' }).or(page.getByRole('navigation'))).toBeVisible();
    expect(await violations(page)).toEqual([]);

    await openApp(page, browserHost.url);
    const juliet = await newAccount('juliet');
    await signIn(page, juliet);
    await expect(page.getByTestId('connection-status')).toHaveText(/Online/);
    expect(await violations(page)).toEqual([]);
    for (const screen of ['My keys', 'Contacts', 'Activity']) {
      await page.getByRole('button', { name: screen, exact: true }).click();
      await expect(page.getByRole('heading', { name: screen, level: 2 })).toBeVisible();
      expect(await violations(page), screen).toEqual([]);
    }
  });
}

test('the screens and key actions work from the keyboard alone', async ({ page, browserHost, newAccount }) => {
  await openApp(page, browserHost.url);
  const juliet = await newAccount('juliet');
  await signIn(page, juliet);
  await expect(page.getByTestId('connection-status')).toHaveText(/Online/);

  // Tab to "My keys" in the navigation and open it with Enter.
  const target = page.getByRole('button', { name: 'My keys', exact: true });
  for (let i = 0; i < 30 && !(await target.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
  await expect(target).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'My keys', level: 2 })).toBeVisible();
  // Focus is visible: the focused control draws an outline.
  const outline = await target.evaluate((el) => getComputedStyle(el).outlineStyle);
  expect(outline).not.toBe('none');

  // Generate a key with the keyboard.
  await page.getByLabel('Key size').focus();
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Generate key' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('own-key')).toHaveCount(1, { timeout: 30_000 });
});
