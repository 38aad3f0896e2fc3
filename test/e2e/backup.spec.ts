/**
 * Backing up and restoring on My keys: a key in no backup is pointed out; the backup asks for the vault
 * passphrase again (the browser host's vault has one), refuses a wrong one under its field and makes
 * nothing; it goes to the account and a file, its code is shown once and the dialog cannot be left
 * until the person says they kept it; the reminder is then gone. Restoring from the account with a wrong code says so; with the
 * right one, the key is already here. The reminder, the code and the outcome pass axe, and are kept as
 * screenshots, at both sizes in light and dark.
 */
import { readFile } from 'node:fs/promises';
import { checkEveryLook, E2E_PASSPHRASE, expect, generateKey, signedInOnMyKeys, signOut, test } from './fixtures';

test('back up after the vault passphrase (a wrong one makes nothing) to the account and a file with the code shown once; restore says a wrong code, then finds the key here', async ({
  page,
  browserHost,
  newAccount,
  saveScreenshot,
}) => {
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

  // The vault passphrase, asked again: the field is where focus starts, a password manager's to fill.
  const passphrase = dialog.getByLabel('Vault passphrase');
  await expect(passphrase).toBeFocused();
  await expect(passphrase).toHaveAttribute('type', 'password');
  await expect(passphrase).toHaveAttribute('autocomplete', 'current-password');
  await checkEveryLook(page, 'backup-passphrase', saveScreenshot);
  // Tab goes on to the button that makes the backup, then Cancel.
  await passphrase.focus();
  await page.keyboard.press('Tab');
  await expect(dialog.getByRole('button', { name: 'Make backup' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();

  // A wrong one (Enter sends it): said under the field, which is emptied and focused again; nothing is made.
  let downloads = 0;
  page.on('download', () => (downloads += 1));
  await passphrase.fill('not the vault passphrase');
  await passphrase.press('Enter');
  const refused = dialog.getByTestId('backup-passphrase-error');
  await expect(refused).toHaveText('That is not your vault passphrase. Nothing was backed up.');
  await expect(passphrase).toHaveValue('');
  await expect(passphrase).toBeFocused();
  await expect(passphrase).toHaveAttribute('aria-invalid', 'true');
  await expect(dialog.getByTestId('backup-code')).toHaveCount(0);
  await expect(dialog.getByTestId('backup-error')).toHaveCount(0);
  await checkEveryLook(page, 'backup-wrong-passphrase', saveScreenshot);
  expect(downloads).toBe(0);
  await expect(reminder).toContainText('One of your keys is in no backup');

  // Empty: asked for under the field; nothing is made.
  await dialog.getByRole('button', { name: 'Make backup' }).click();
  await expect(refused).toHaveText('Enter your vault passphrase to make a backup.');

  const download = page.waitForEvent('download');
  await passphrase.fill(E2E_PASSPHRASE);
  await passphrase.press('Enter');
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^keyring-backup-.+\.kxbackup$/);
  const saved = await file.path();
  expect((await readFile(saved)).subarray(0, 20).toString()).toBe('KEYRING-XMPP-BACKUP\n');

  const code = (await dialog.getByTestId('backup-code').textContent()) ?? '';
  expect(code).toMatch(/^([0-9A-Z]{4}-){6}[0-9A-Z]{4}$/);
  // The form that had focus gave way to the code: focus is on the code (read out), not on the page.
  await expect(dialog.getByTestId('backup-code')).toBeFocused();
  await checkEveryLook(page, 'backup-code', saveScreenshot);
  // Escape does not lose the code; Done waits for the person to say they kept it.
  await page.keyboard.press('Escape');
  await expect(dialog.getByTestId('backup-code')).toBeVisible();
  await expect(dialog.getByTestId('backup-done')).toBeDisabled();
  await dialog.getByTestId('backup-kept').check();
  await dialog.getByTestId('backup-done').click();
  await expect(dialog).toBeHidden();
  await expect(reminder).toBeHidden();
  // The "Back up now…" that opened it went with the reminder: focus goes to "Back up…", not to the page.
  await expect(page.getByTestId('backup-open')).toBeFocused();

  // Restore from the account: a wrong code (one group changed) says so, the right one finds the key here.
  await page.getByTestId('restore-open').click();
  const restore = page.getByTestId('restore-dialog');
  await expect(restore.getByLabel(/On my account/)).toBeChecked();
  const groups = code.split('-');
  await restore.getByTestId('restore-code').fill([...groups.slice(0, 6), groups[6] === '0000' ? '1111' : '0000'].join('-'));
  await restore.getByRole('button', { name: 'Restore' }).click();
  await expect(restore.getByTestId('restore-error')).toContainText(/typo|not the code/);
  // Restore was disabled while it ran: focus goes to the code to correct, not to the page.
  await expect(restore.getByTestId('restore-code')).toBeFocused();
  await restore.getByTestId('restore-code').fill(code.toLowerCase());
  await restore.getByRole('button', { name: 'Restore' }).click();
  await expect(restore.getByTestId('restore-outcome')).toContainText('no key restored, 1 already here');
  // The outcome replaced the form and its Restore button: focus is on Done, not on the page.
  await expect(restore.getByRole('button', { name: 'Done' })).toBeFocused();
  await checkEveryLook(page, 'backup-restored', saveScreenshot);
  await restore.getByRole('button', { name: 'Done' }).click();
  await expect(page.getByTestId('own-key')).toHaveCount(1);
  await expect(page.getByTestId('own-key').getByTestId('fingerprint')).toHaveAttribute('data-fingerprint', fingerprint);

  await page.getByRole('button', { name: 'Account', exact: true }).click();
  await signOut(page);
});
