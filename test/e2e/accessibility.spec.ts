/**
 * Every screen and dialog passes axe-core's WCAG A/AA rules (labelled controls, contrast, landmarks) in
 * light and dark theme, at 1280×800 and at 800×600 (sidebar collapsed to icons), and nothing spills
 * sideways; each state is kept as a screenshot (test-results/screenshots/screen-*). The screens and
 * dialogs can be reached and used with the keyboard alone.
 */
import type { Locator, Page } from '@playwright/test';
import { checkAtEverySize, expect, openApp, publishKeyForAnyone, signIn, test } from './fixtures';

for (const colorScheme of ['light', 'dark'] as const) {
  test(`every screen and dialog passes axe at 1280×800 and 800×600 in the ${colorScheme} theme`, async ({
    friendsInTwoWindows,
    saveScreenshot,
  }) => {
    test.setTimeout(240_000);
    const { julietAccount, julietPage: page, romeoPage } = await friendsInTwoWindows({ romeo: 'romeo-montague-of-verona' });
    await page.emulateMedia({ colorScheme });
    const check = (name: string) => checkAtEverySize(page, name, colorScheme, saveScreenshot);
    await publishKeyForAnyone(romeoPage);

    await check('account-signed-out');
    await signIn(page, julietAccount);
    await expect(page.getByTestId('connection-status')).toHaveText(/Online/);
    await expect(page.getByTestId('pep-support')).toBeVisible();
    await check('account');

    await page.getByRole('button', { name: 'My keys', exact: true }).click();
    await expect(page.getByRole('heading', { name: 'My keys', level: 2 })).toBeVisible();
    await check('my-keys-empty');
    await page.getByRole('button', { name: 'New key…' }).click();
    const generate = page.getByTestId('generate-dialog');
    await check('dialog-new-key');
    await generate.getByLabel('Key size').selectOption('2048');
    await generate.getByRole('button', { name: 'Generate key' }).click();
    const key = page.getByTestId('own-key');
    await expect(key).toHaveCount(1, { timeout: 30_000 });
    await expect(generate).toBeHidden();
    await key.getByRole('button', { name: 'Publish…' }).click();
    await check('dialog-publish');
    await key.getByLabel('Anyone').check();
    await key.getByRole('button', { name: 'Publish', exact: true }).click();
    await expect(key.getByTestId('publish-result')).toBeVisible();
    await check('dialog-publish-done');
    await key.getByRole('button', { name: 'Close' }).click();
    await check('my-keys');
    await key.getByRole('button', { name: 'Retract…' }).click();
    await check('dialog-retract');
    await page.getByTestId('retract-dialog').getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: 'Import a key…' }).click();
    await check('dialog-import');
    await page.keyboard.press('Escape');

    await page.getByRole('button', { name: 'My profile', exact: true }).click();
    await expect(page.getByRole('heading', { name: 'My profile', level: 2 })).toBeVisible();
    await check('my-profile');

    await page.getByRole('button', { name: 'Contacts', exact: true }).click();
    await page.getByTestId('contact-row').first().click();
    await expect(page.getByTestId('contact-key')).toHaveCount(1);
    await check('contacts');
    await page.getByRole('button', { name: 'Compare fingerprints…' }).click();
    await check('dialog-compare');
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Remove contact…' }).click();
    await check('dialog-remove-contact');
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Add contact…' }).click();
    await check('dialog-add-contact');
    await page.keyboard.press('Escape');

    await page.getByRole('button', { name: 'Activity', exact: true }).click();
    await expect(page.getByTestId('activity-entry').first()).toBeVisible();
    await check('activity');
  });
}

/** Presses Tab until `target` has the focus (as a person would), failing if it never does. */
async function tabTo(page: Page, target: Locator, shift = false): Promise<void> {
  for (let i = 0; i < 40 && !(await target.evaluate((el) => el === document.activeElement)); i++) {
    await page.keyboard.press(shift ? 'Shift+Tab' : 'Tab');
  }
  await expect(target).toBeFocused();
}

test('the screens and dialogs work from the keyboard alone, with the sidebar collapsed to icons', async ({
  page,
  browserHost,
  newAccount,
}) => {
  test.setTimeout(90_000);
  await page.setViewportSize({ width: 800, height: 600 });
  await openApp(page, browserHost.url);
  await signIn(page, await newAccount('juliet'));
  await expect(page.getByTestId('connection-status')).toHaveText(/Online/);

  // Tab to the "My keys" icon: it keeps its name, shows it as a tooltip, and opens with Enter.
  const myKeys = page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'My keys', exact: true });
  await tabTo(page, myKeys);
  await expect(myKeys.getByText('My keys')).toHaveCSS('opacity', '1');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'My keys', level: 2 })).toBeVisible();
  // Focus is visible: the focused control draws an outline.
  expect(await myKeys.evaluate((el) => getComputedStyle(el).outlineStyle)).not.toBe('none');

  // New key: the dialog takes the focus to its first field; Escape gives it back to the opener.
  const newKey = page.getByRole('button', { name: 'New key…' });
  const generate = page.getByTestId('generate-dialog');
  await tabTo(page, newKey);
  await page.keyboard.press('Enter');
  await expect(generate.getByLabel('Key size')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(generate).toBeHidden();
  await expect(newKey).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(generate.getByLabel('Key size')).toBeFocused();
  await page.keyboard.press('ArrowUp');
  await expect(generate.getByLabel('Key size')).toHaveValue('2048');
  await tabTo(page, generate.getByRole('button', { name: 'Generate key' }));
  await page.keyboard.press('Enter');
  const key = page.getByTestId('own-key');
  await expect(key).toHaveCount(1, { timeout: 30_000 });
  await expect(generate).toBeHidden();
  // The next step has the focus: the new key's Publish… (review walk 4, item 17), not New key… again.
  const publish = key.getByRole('button', { name: 'Publish…' });
  await expect(publish).toBeFocused();

  // Publish: focus lands on the chosen audience; the arrows choose another; Enter publishes.
  const publishDialog = page.getByTestId('publish-dialog');
  await page.keyboard.press('Enter');
  await expect(publishDialog.getByLabel('Contacts who see my presence')).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(publishDialog.getByLabel('Anyone')).toBeChecked();
  await tabTo(page, publishDialog.getByRole('button', { name: 'Publish', exact: true }));
  await page.keyboard.press('Enter');
  await expect(publishDialog.getByTestId('publish-result')).toContainText('anyone');
  await page.keyboard.press('Escape');
  await expect(publishDialog).toBeHidden();
  await expect(publish).toBeFocused();

  // Retract asks first, with the focus on Cancel: Escape changes nothing.
  const retract = key.getByRole('button', { name: 'Retract…' });
  const confirm = page.getByTestId('retract-dialog');
  await tabTo(page, retract);
  await page.keyboard.press('Enter');
  await expect(confirm.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(confirm).toBeHidden();
  await expect(retract).toBeFocused();
  await expect(key.getByTestId('publication')).toHaveCount(1);
  await page.keyboard.press('Enter');
  await tabTo(page, confirm.getByRole('button', { name: 'Retract', exact: true }), true);
  await page.keyboard.press('Enter');
  await expect(key.getByTestId('publication')).toHaveCount(0);
  // The Retract button went with the publication: the focus stays on the key, not lost to the page.
  await expect.poll(() => key.evaluate((el) => el.contains(document.activeElement))).toBe(true);

  // Contacts: "Add contact…" opens on the address field and closes back onto itself.
  const contacts = page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Contacts', exact: true });
  await tabTo(page, contacts, true);
  await page.keyboard.press('Enter');
  const add = page.getByRole('button', { name: 'Add contact…' });
  await tabTo(page, add);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('add-contact-dialog').getByLabel('Address')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('add-contact-dialog')).toBeHidden();
  await expect(add).toBeFocused();
});
