/**
 * After "Generate key" the keyboard goes to the new key's "Publish…", the obvious next step, once the
 * key appears (review walk 4, item 17: it went back to "New key…"). After a Hide, the same when the key
 * comes, unless the person has moved on meanwhile.
 */
import { expect, holdGenerateAnswer, ownKey, signedInOnMyKeys, test } from './fixtures';

test('after Generate key, focus is on the new key’s Publish…', async ({ page, browserHost, newAccount }) => {
  test.setTimeout(90_000);
  const juliet = await newAccount('juliet');
  await signedInOnMyKeys(page, browserHost.url, juliet);
  await page.getByRole('button', { name: 'New key…' }).click();
  const dialog = page.getByTestId('generate-dialog');
  await dialog.getByLabel('Key size').selectOption('2048');
  await dialog.getByLabel(/^Name/).fill('Laptop');
  await dialog.getByLabel(/^Name/).press('Enter');
  await expect(dialog).toBeHidden({ timeout: 30_000 });
  const fingerprint = (await page.getByTestId('own-key').first().getByTestId('fingerprint').getAttribute('data-fingerprint')) ?? '';
  const publish = ownKey(page, fingerprint).getByRole('button', { name: /^Publish…/ });
  await expect(publish).toBeFocused();
  // Enter opens the publish dialog for that key.
  await page.keyboard.press('Enter');
  await expect(ownKey(page, fingerprint).getByLabel('Anyone')).toBeVisible();
});

test('hidden while made: focus goes to Publish… when the key comes', async ({ page, browserHost, newAccount }) => {
  test.setTimeout(90_000);
  const generating = await holdGenerateAnswer(page);
  const juliet = await newAccount('juliet');
  await signedInOnMyKeys(page, browserHost.url, juliet);
  const newKey = page.getByRole('button', { name: 'New key…' });
  const dialog = page.getByTestId('generate-dialog');
  await newKey.click();
  await dialog.getByLabel('Key size').selectOption('2048');
  await dialog.getByRole('button', { name: 'Generate key' }).click();
  await dialog.getByRole('button', { name: 'Hide (the key is still made)' }).click();
  await expect(dialog).toBeHidden();
  await expect(newKey).toBeFocused();
  await expect.poll(() => generating.answered(), { timeout: 60_000 }).toBe(true);
  generating.release();
  await expect(page.getByTestId('own-key')).toHaveCount(1, { timeout: 30_000 });
  await expect(page.getByTestId('own-key').first().getByRole('button', { name: /^Publish…/ })).toBeFocused();
});

test('hidden while made, and the person moved on: focus stays where they are when the key comes', async ({ page, browserHost, newAccount }) => {
  test.setTimeout(90_000);
  const generating = await holdGenerateAnswer(page);
  const juliet = await newAccount('juliet');
  await signedInOnMyKeys(page, browserHost.url, juliet);
  await page.getByRole('button', { name: 'New key…' }).click();
  const dialog = page.getByTestId('generate-dialog');
  await dialog.getByLabel('Key size').selectOption('2048');
  await dialog.getByRole('button', { name: 'Generate key' }).click();
  await dialog.getByRole('button', { name: 'Hide (the key is still made)' }).click();
  await expect(dialog).toBeHidden();
  const elsewhere = page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'My keys', exact: true });
  await elsewhere.focus();
  await expect.poll(() => generating.answered(), { timeout: 60_000 }).toBe(true);
  generating.release();
  await expect(page.getByTestId('own-key')).toHaveCount(1, { timeout: 30_000 });
  await page.waitForTimeout(500);
  await expect(elsewhere).toBeFocused();
});
