/**
 * Found by a user's walk (review-walk4): with the server hung (SIGSTOP: the socket open, nothing said),
 * the header said "Online" and contacts kept green dots for 35–70 s while a Refresh spun. Now a
 * request that waits 5 s with the server silent makes the app ping it, the header says "Not
 * answering…" a second later with presence unknown, and the connection is left 10 s after the ping.
 */
import { checkEveryLook, expect, signIn, test } from './fixtures';

test('a hung server: the header says "Not answering…" within seconds, presence is unknown, then the app reconnects', async ({
  friendsInTwoWindows,
  prosody,
  saveScreenshot,
}) => {
  test.setTimeout(120_000);
  const { julietPage, julietAccount, romeoAccount } = await friendsInTwoWindows();
  await signIn(julietPage, julietAccount);
  await julietPage.getByRole('button', { name: 'Contacts', exact: true }).click();
  const romeo = julietPage.getByTestId('contact-row').filter({ hasText: romeoAccount.jid });
  const romeoDot = romeo.locator('.presence');
  await expect(romeoDot).toHaveAttribute('data-presence', 'online', { timeout: 15_000 });
  await romeo.click();

  prosody.freeze();
  try {
    const frozenAt = Date.now();
    await julietPage.getByRole('button', { name: 'Refresh keys' }).click();
    await expect(julietPage.getByTestId('connection-label')).toHaveText('Not answering…', { timeout: 12_000 });
    expect(Date.now() - frozenAt).toBeLessThan(12_000);
    await expect(julietPage.getByTestId('connection-checking')).toHaveText('(checking the connection)');
    await expect(romeoDot).toHaveAttribute('data-presence', 'unknown');
    await checkEveryLook(julietPage, 'header-not-answering', saveScreenshot);
    await expect(julietPage.getByTestId('connection-label')).toHaveText('Reconnecting…', { timeout: 15_000 });
  } finally {
    prosody.thaw();
  }
  await expect(julietPage.getByTestId('connection-label')).toHaveText('Online', { timeout: 30_000 });
});
