/**
 * Backing up and restoring on My keys: a key in no backup is pointed out; the backup goes to the
 * account and a file, its code is shown once and the dialog cannot be left until the person says they
 * kept it; the reminder is then gone. Restoring from the account with a wrong code says so; with the
 * right one, the key is already here. The reminder, the code and the outcome pass axe, and are kept as
 * screenshots, at both sizes in light and dark.
 */
import { readFile } from 'node:fs/promises';
import { checkEveryLook, expect, generateKey, signedInOnMyKeys, signOut, test } from './fixtures';

test('back up to the account and a file with the code shown once; restore says a wrong code, then finds the key here', async ({ page, browserHost, newAccount, saveScreenshot }) => {
  test.setTimeout(120_000);
  const juliet = await newAccount('juliet');
  await signedInOnMyKeys(page, browserHost.url, juliet);
  const fingerprint = await generateKey(page);

  const reminder = page.getByTestId('backup-reminder');
  await expect(reminder).toContainText('One of your keys is in no backup');
  await checkEveryLook(page, 'backup-reminder', saveScreenshot);

  await reminder.getByRole('button', { name: 'Back up now…' }).click();
  const dialog = page.getByTestId('backup-dialog');
  await expect(dialog.getByLabel('Keep on my account, readable only by me')).toBeChecked();
  await expect(dialog.getByLabel('Save as a file')).toBeChecked();
  const download = page.waitForEvent('download');
  await dialog.getByRole('button', { name: 'Make backup' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^keyring-backup-.+\.kxbackup$/);
  const saved = await file.path();
  expect((await readFile(saved)).subarray(0, 20).toString()).toBe('KEYRING-XMPP-BACKUP\n');

  const code = (await dialog.getByTestId('backup-code').textContent()) ?? '';
  expect(code).toMatch(/^([0-9A-Z]{4}-){6}[0-9A-Z]{4}$/);
  await checkEveryLook(page, 'backup-code', saveScreenshot);
  // Escape does not lose the code; Done waits for the person to say they kept it.
  await page.keyboard.press('Escape');
  await expect(dialog.getByTestId('backup-code')).toBeVisible();
  await expect(dialog.getByTestId('backup-done')).toBeDisabled();
  await dialog.getByTestId('backup-kept').check();
  await dialog.getByTestId('backup-done').click();
  await expect(dialog).toBeHidden();
  await expect(reminder).toBeHidden();

  // Restore from the account: a wrong code (one group changed) says so, the right one finds the key here.
  await page.getByTestId('restore-open').click();
  const restore = page.getByTestId('restore-dialog');
  await expect(restore.getByLabel(/On my account/)).toBeChecked();
  const groups = code.split('-');
  await restore.getByTestId('restore-code').fill([...groups.slice(0, 6), groups[6] === '0000' ? '1111' : '0000'].join('-'));
  await restore.getByRole('button', { name: 'Restore' }).click();
  await expect(restore.getByTestId('restore-error')).toContainText(/typo|not the code/);
  await restore.getByTestId('restore-code').fill(code.toLowerCase());
  await restore.getByRole('button', { name: 'Restore' }).click();
  await expect(restore.getByTestId('restore-outcome')).toContainText('no key restored, 1 already here');
  await checkEveryLook(page, 'backup-restored', saveScreenshot);
  await restore.getByRole('button', { name: 'Done' }).click();
  await expect(page.getByTestId('own-key')).toHaveCount(1);
  await expect(page.getByTestId('own-key').getByTestId('fingerprint')).toHaveAttribute('data-fingerprint', fingerprint);

  await page.getByRole('button', { name: 'Account', exact: true }).click();
  await signOut(page);
});
