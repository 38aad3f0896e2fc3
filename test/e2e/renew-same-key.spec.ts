/**
 * Renewing with "the same key" gives a new certificate, and so a new fingerprint: the dialog says so
 * (people were surprised), and that contacts who verified the old one see the new one as its
 * continuation, still verified. Checked as romeo sees it: juliet renews a key he verified.
 */
import { join } from 'node:path';
import { contactKey, expect, ownKey, publishedAndVerifiedByRomeo, SCREENSHOT_DIR, signIn, SIZES, test } from './fixtures';

test('the Renew dialog says the fingerprint changes, and a verified contact sees the renewal as continuing, still verified', async ({ friendsInTwoWindows }) => {
  test.setTimeout(180_000);
  const { julietAccount, julietPage, romeoPage } = await friendsInTwoWindows();
  await signIn(julietPage, julietAccount);
  await expect(julietPage.getByTestId('connection-status')).toHaveText(/Online/);
  const first = await publishedAndVerifiedByRomeo(julietPage, romeoPage, julietAccount.jid);
  const key = (fingerprint: string) => contactKey(romeoPage, fingerprint);

  const card = ownKey(julietPage, first);
  await card.getByRole('button', { name: 'Renew…' }).click();
  const renew = card.getByTestId('renew-dialog');
  await expect(renew.getByLabel(/The same key/)).toBeChecked();
  await expect(renew.getByTestId('renew-fingerprint-changes')).toHaveText(
    'The certificate is new, so its fingerprint changes. Contacts who verified the old one see the new one as its continuation, still verified.',
  );
  for (const size of SIZES) {
    await julietPage.setViewportSize(size);
    for (const colorScheme of ['light', 'dark'] as const) {
      await julietPage.emulateMedia({ colorScheme });
      await julietPage.screenshot({ path: join(SCREENSHOT_DIR, `renew-dialog-${size.width}x${size.height}-${colorScheme}.png`) });
    }
  }
  await julietPage.emulateMedia({ colorScheme: 'light' });
  await julietPage.setViewportSize(SIZES[0]);
  await renew.getByRole('button', { name: 'Renew', exact: true }).click();
  await expect(renew).toBeHidden({ timeout: 30_000 });
  const second = (await julietPage.getByTestId('own-key').first().getByTestId('fingerprint').getAttribute('data-fingerprint')) ?? '';
  expect(second).not.toBe(first);

  // What the dialog said is what romeo sees.
  await expect(key(second)).toHaveAttribute('data-trust', 'verified', { timeout: 20_000 });
  await expect(key(second).getByTestId('continues')).toHaveText(/Continues a key you verified[\s\S]*the same key, with a new certificate\./);
});
