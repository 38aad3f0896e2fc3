/**
 * The key lifecycle as two people see it, two app instances on a real Prosody (issue 16): romeo
 * verified juliet's key; she replaces it with a new key, and his window says the new one continues a
 * key he verified (no change warning); she revokes it, saying why in words, and his window shows it
 * revoked with the reason. Screens at 1280×800 and 800×600, light and dark.
 */
import type { Page } from '@playwright/test';
import { axeViolations, contactKey, expect, ownKey, publishedAndVerifiedByRomeo, signIn, signOut, test } from './fixtures';

const SIZES = [
  { width: 1280, height: 800 },
  { width: 800, height: 600 },
];

test('a rotation keeps romeo’s verification, and a revocation reaches him with its reason', async ({ friendsInTwoWindows, saveScreenshot }) => {
  test.setTimeout(300_000);
  const { julietAccount, julietPage, romeoPage } = await friendsInTwoWindows();
  const shoot = async (name: string, page: Page) => {
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      for (const size of SIZES) {
        await page.setViewportSize(size);
        await saveScreenshot(`lifecycle-${name}-${size.width}x${size.height}-${colorScheme}`, page);
      }
    }
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize(SIZES[0] ?? { width: 1280, height: 800 });
  };

  try {
    await signIn(julietPage, julietAccount);
    await expect(julietPage.getByTestId('connection-status')).toHaveText(/Online/);
    const first = await publishedAndVerifiedByRomeo(julietPage, romeoPage, julietAccount.jid);
    const key = (fingerprint: string) => contactKey(romeoPage, fingerprint);

    // Juliet replaces it with a new key: romeo's window keeps it verified and says why.
    const card = ownKey(julietPage, first);
    await card.getByRole('button', { name: 'Renew…' }).click();
    const renew = card.getByTestId('renew-dialog');
    await renew.getByLabel(/A new key/).check();
    await renew.getByRole('button', { name: 'Renew', exact: true }).click();
    await expect(renew).toBeHidden({ timeout: 30_000 });
    const second = (await julietPage.getByTestId('own-key').first().getByTestId('fingerprint').getAttribute('data-fingerprint')) ?? '';
    expect(second).not.toBe(first);
    // Renewed once: the old key's card says by which key, and offers no second renewal (contacts take one successor).
    await expect(card.getByTestId('replaced-by')).toBeVisible();
    await expect(card.getByRole('button', { name: 'Renew…' })).toHaveCount(0);

    await expect(key(second)).toHaveAttribute('data-trust', 'verified', { timeout: 20_000 });
    await expect(key(second).getByTestId('continues')).toHaveText(/Continues a key you verified/);
    await expect(romeoPage.getByRole('alert')).toHaveCount(0);
    await expect(romeoPage.getByTestId('activity').or(romeoPage.locator('body'))).toBeVisible();
    await shoot('continues-verified', romeoPage);
    expect(await axeViolations(romeoPage), 'a contact key that continues a verified one').toEqual([]);

    // She revokes it: the dialog asks why in words, and Revoke waits for an answer.
    const secondCard = ownKey(julietPage, second);
    await secondCard.getByRole('button', { name: 'Revoke…' }).click();
    const revoke = secondCard.getByTestId('revoke-dialog');
    await expect(revoke).toContainText(second.match(/.{4}/g)?.slice(0, 4).join(' ') ?? '');
    const confirm = revoke.getByRole('button', { name: 'Revoke', exact: true });
    await expect(confirm).toBeDisabled();
    // Disabled with its reason said (the user walk: no word why), and heard as the button's description.
    await expect(confirm).toHaveAccessibleDescription('Choose why above, then Revoke.');
    await revoke.getByLabel(/Someone else may have its private key/).check();
    await expect(revoke.getByText('Choose why above, then Revoke.')).toHaveCount(0);
    await expect(revoke).toContainText('no longer taken as its continuation');
    await shoot('revoke-dialog', julietPage);
    expect(await axeViolations(julietPage), 'the revoke dialog').toEqual([]);
    await confirm.click();
    await expect(revoke).toBeHidden({ timeout: 20_000 });
    await expect(secondCard.getByTestId('revoked-badge')).toBeVisible();
    // Revoke… went with the revocation: the keyboard's place is the key's first action, not its Copy button.
    await expect(secondCard.getByRole('button', { name: 'Export certificate' })).toBeFocused();
    await expect(secondCard.getByTestId('revoked')).toContainText('someone else may have its private key');
    await expect(secondCard.getByRole('button', { name: 'Publish…' })).toHaveCount(0);
    await shoot('my-keys-revoked', julietPage);

    // Romeo's window: revoked, with the reason, never "Verified".
    // Revoked, then withdrawn: listed among the withdrawn keys, which open on a click.
    await expect(romeoPage.getByTestId('withdrawn-revoked')).toHaveCount(1, { timeout: 20_000 });
    await expect(key(second)).toHaveCount(0);
    // Said in the summary too: a revocation is not a mere withdrawal.
    await expect(romeoPage.getByTestId('withdrawn-keys').locator('summary')).toContainText(', 1 of them REVOKED');
    await romeoPage.getByTestId('withdrawn-keys').locator('summary').click();
    await expect(romeoPage.locator(`[data-testid="withdrawn-key"][data-fingerprint="${second}"]`)).toContainText('Revoked by its owner');
    await shoot('contact-revoked', romeoPage);
    expect(await axeViolations(romeoPage), 'a contact with a revoked key').toEqual([]);
    // Her own revoke, notified back to her window by the server: never "revoked on your account" news
    // from another device (by now, long after the notification came).
    await expect(julietPage.getByTestId('other-device-keys')).toHaveCount(0);
  } finally {
    for (const page of [julietPage, romeoPage]) {
      await page.getByRole('button', { name: 'Account', exact: true }).click();
      await signOut(page);
    }
  }
});
