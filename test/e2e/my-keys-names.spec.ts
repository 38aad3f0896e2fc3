/**
 * My keys, as a screen reader lists its buttons (review walk 4, item 20): each card's "Copy" and
 * "Publish…" say which key they are for (as Contacts says "Copy fingerprint of X"), never the same name
 * on every card. And the backup reminder says retired keys (revoked or replaced) apart from current ones.
 */
import { expect, generateKey, ownKey, signedInOnMyKeys, test } from './fixtures';

test('Copy and Publish… name their key; the backup reminder counts retired keys apart', async ({ page, browserHost, newAccount }) => {
  test.setTimeout(120_000);
  const juliet = await newAccount('juliet');
  await signedInOnMyKeys(page, browserHost.url, juliet);
  const laptop = await generateKey(page, 'Laptop');
  const phone = await generateKey(page, 'Phone');
  const group = (fingerprint: string) => `${fingerprint.slice(0, 4)} ${fingerprint.slice(4, 8)}`;

  for (const [fingerprint, name] of [
    [laptop, 'Laptop'],
    [phone, 'Phone'],
  ] as const) {
    const card = ownKey(page, fingerprint);
    await expect(card.getByRole('button', { name: `Copy fingerprint of “${name}” (${group(fingerprint)} …)`, exact: true })).toBeVisible();
    await expect(card.getByRole('button', { name: `Publish… “${name}” (${group(fingerprint)} …)`, exact: true })).toBeVisible();
  }
  // Nowhere on the screen do two buttons share one of these names.
  const names = await page.getByRole('button', { name: /^(Copy|Publish…)/ }).evaluateAll((buttons) => buttons.map((b) => b.getAttribute('aria-label') ?? b.textContent?.trim() ?? ''));
  expect(new Set(names).size, names.join(' | ')).toBe(names.length);

  const reminder = page.getByTestId('backup-reminder');
  await expect(reminder).toContainText('2 of your keys are in no backup');
  // Phone retired: still counted (its private half opens what was encrypted to it), but said as retired.
  const phoneCard = ownKey(page, phone);
  await phoneCard.getByRole('button', { name: 'Revoke…' }).click();
  const revoke = phoneCard.getByTestId('revoke-dialog');
  await revoke.getByLabel('I no longer use it').check();
  await revoke.getByRole('button', { name: 'Revoke', exact: true }).click();
  await expect(phoneCard.getByTestId('revoked-badge')).toBeVisible({ timeout: 20_000 });
  await expect(reminder).toContainText('One current key and one retired key (revoked or replaced) are in no backup.');
  await expect(reminder).not.toContainText('2 of your keys');
});
