/**
 * Publishing while the server is away: the key waits visibly (on the key and in Activity), can be
 * cancelled, and is published as soon as the app is back online after a real Prosody restart.
 */
import { checkEveryLook, expect, generateKey, ownKey, publishNewKey, signedInOnMyKeys, test } from './fixtures';

test('a publish asked for while the server is down waits, then runs when the server is back', async ({
  page,
  browserHost,
  prosody,
  newAccount,
  saveScreenshot,
}) => {
  test.setTimeout(90_000);
  const juliet = await newAccount('juliet');
  await signedInOnMyKeys(page, browserHost.url, juliet);
  await generateKey(page);
  // A second key, queued and then cancelled: it must never be published.
  await generateKey(page);
  const [key, cancelled] = [page.getByTestId('own-key').nth(0), page.getByTestId('own-key').nth(1)];

  await prosody.pause();
  // Online is left at once (the server closed the stream), and the header says when it tries again.
  await expect(page.getByTestId('connection-label')).toHaveText('Reconnecting…', { timeout: 5_000 });
  await expect(page.getByTestId('connection-next')).toHaveText(/next try in \d+ s|trying now/);
  await expect(page.getByTestId('reconnect-now')).toBeVisible();
  // Not connected, the other apps' keys are not known: never "None published".
  await expect(page.getByTestId('own-devices').getByText('Connect to see them.')).toBeVisible();
  await expect(page.getByTestId('no-own-devices')).toHaveCount(0);
  await checkEveryLook(page, 'header-reconnecting', saveScreenshot);

  for (const card of [key, cancelled]) {
    await card.getByRole('button', { name: 'Publish…' }).click();
    await card.getByLabel('Anyone').check();
    await card.getByRole('button', { name: 'Publish when online' }).click();
    await expect(card.getByTestId('pending')).toBeVisible();
  }
  await page.getByRole('button', { name: 'Activity', exact: true }).click();
  const pending = page.getByTestId('pending-actions').getByRole('listitem');
  await expect(pending).toHaveCount(2);
  await saveScreenshot('06-activity-waiting-for-connection');
  await pending.nth(1).getByRole('button', { name: 'Cancel' }).click();
  await expect(pending).toHaveCount(1);

  await prosody.resume();
  // "Reconnect now" does not wait for the back-off (unless an attempt got there first).
  await page.getByTestId('reconnect-now').click({ timeout: 2_000 }).catch(() => undefined);
  await expect(page.getByTestId('connection-status')).toHaveText(/Online/, { timeout: 5_000 });
  await expect(page.getByTestId('pending-actions')).toHaveCount(0, { timeout: 15_000 });
  await expect(page.getByTestId('activity-entry').filter({ hasText: 'Queued publish done' })).toHaveCount(1);

  await page.getByRole('button', { name: 'My keys', exact: true }).click();
  await expect(key.getByTestId('publication')).toContainText('anyone');
  await expect(cancelled.getByTestId('publication')).toHaveCount(0);
});

test('what the user asks for while offline is a plain Activity line, not an alarm', async ({ page, browserHost, prosody, newAccount, saveScreenshot }) => {
  test.setTimeout(90_000);
  const juliet = await newAccount('juliet');
  await signedInOnMyKeys(page, browserHost.url, juliet);
  const fingerprint = await publishNewKey(page, 'Anyone');
  await page.getByRole('button', { name: 'Contacts', exact: true }).click();
  await page.getByRole('button', { name: 'Add contact…' }).click();
  const dialog = page.getByTestId('add-contact-dialog');
  await dialog.getByLabel('Address').fill('romeo@montague.lit');
  await dialog.getByRole('button', { name: 'Add and ask to see presence' }).click();
  await expect(dialog).toBeHidden();
  const romeo = page.getByTestId('contact-row').filter({ hasText: 'romeo@montague.lit' });
  await expect(romeo).toBeVisible();

  await prosody.pause();
  try {
    await expect(page.getByTestId('connection-label')).toHaveText('Reconnecting…', { timeout: 5_000 });
    // A group change and a revoke, both kept for the connection.
    await romeo.click();
    const detail = page.getByTestId('contact-detail');
    await detail.getByLabel('Groups of romeo@montague.lit').fill('Friends');
    await detail.getByRole('button', { name: 'Save groups' }).click();
    await page.getByRole('button', { name: 'My keys', exact: true }).click();
    const card = ownKey(page, fingerprint);
    await card.getByRole('button', { name: 'Revoke…' }).click();
    const revoke = card.getByTestId('revoke-dialog');
    await revoke.getByLabel(/Someone else may have its private key/).check();
    await revoke.getByRole('button', { name: 'Revoke when online' }).click();
    await expect(revoke).toBeHidden();

    await page.getByRole('button', { name: 'Activity', exact: true }).click();
    const lines = page.getByTestId('activity-entry');
    const waiting = [lines.filter({ hasText: 'Waiting for the connection to revoke' }), lines.filter({ hasText: 'Waiting for the connection: Put romeo@montague.lit in Friends' })];
    for (const line of waiting) {
      // The user's own doing: said plainly, never in the red of a changed key or a mismatch.
      await expect(line).toHaveClass(/\bwaiting\b/);
      await expect(line).not.toHaveClass(/\bchanged\b/);
    }
    await checkEveryLook(page, 'activity-waiting-plain', saveScreenshot);

    // Nothing of this test is left to run once the server is back.
    const pending = page.getByTestId('pending-actions').getByRole('listitem');
    await expect(pending).toHaveCount(2);
    while ((await pending.count()) > 0) {
      const before = await pending.count();
      await pending.first().getByRole('button', { name: 'Cancel' }).click();
      await expect(pending).toHaveCount(before - 1);
    }
  } finally {
    await prosody.resume();
  }
});
