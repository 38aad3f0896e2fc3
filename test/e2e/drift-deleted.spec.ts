/**
 * Another app of juliet's account (a second connection of hers, as Gajim or a phone app would be)
 * deletes her key node and her vCard node. Signing in again, the app finds both gone: the key card and
 * My profile say so instead of "Published", the banner speaks of a deletion (not of "the new setting")
 * and offers to keep it deleted, and Activity tells what was found once. Restore brings "Published" back
 * on the key card; keeping the card deleted records it as not published.
 */
import xml from '@xmpp/xml';
import { NS } from '../../main/xmpp/namespaces';
import { checkEveryLook, connectWith, expect, openApp, ownKey, publishNewKey, signInOnline, test } from './fixtures';

const GONE = 'Not on your server now: deleted by another app. Restore, on the banner above, publishes it again.';

test('another app deletes the key node and the card: the screens say so, Restore publishes the key again, the card is kept deleted', async ({
  page,
  browserHost,
  newAccount,
  saveScreenshot,
}) => {
  test.setTimeout(180_000);
  const juliet = await newAccount('juliet');
  await page.setViewportSize({ width: 1280, height: 800 });
  await openApp(page, browserHost.url);
  await signInOnline(page, juliet);
  await page.getByRole('button', { name: 'My profile', exact: true }).click();
  const form = page.getByRole('form', { name: 'Profile' });
  await form.getByLabel('Full name').fill('Juliet Capulet');
  await form.getByRole('button', { name: /Publish changes/ }).click();
  await expect(page.getByTestId('profile-result')).toContainText('Published. Your server reports:', { timeout: 30_000 });
  const fingerprint = await publishNewKey(page, 'Contacts who see my presence');
  const card = ownKey(page, fingerprint);
  await expect(card.getByTestId('publication')).toContainText('Published');

  const other = await connectWith(juliet);
  try {
    for (const node of [NS.pubkey, NS.vcard4]) await other.session.client.iqCaller.set(xml('pubsub', { xmlns: NS.pubsubOwner }, xml('delete', { node })));
  } finally {
    await other.session.disconnect();
  }

  // Signing in again reads every published node (two banners: driftAlarmAfterSignIn expects one).
  await page.getByRole('button', { name: 'Account', exact: true }).click();
  await signInOnline(page, juliet);
  await page.getByRole('button', { name: 'My keys', exact: true }).click();
  const keysBanner = page.getByTestId('drift-banner').filter({ has: page.getByRole('heading', { name: 'Your keys: not as you published them' }) });
  const cardBanner = page.getByTestId('drift-banner').filter({ has: page.getByRole('heading', { name: 'Your profile card: not as you published it' }) });
  await expect(keysBanner).toContainText('Another app deleted your keys from your server.', { timeout: 20_000 });
  await expect(keysBanner).toHaveAttribute('role', 'alert');
  await expect(keysBanner.getByTestId('drift-hint')).toHaveText(
    'Restore publishes them again as you published them. If you deleted them yourself in another app, keep them deleted: this app then records them as not published (your keys stay in this app, and you can publish them again).',
  );
  await expect(keysBanner.getByRole('button', { name: 'Keep them deleted' })).toBeEnabled();
  await expect(cardBanner.getByRole('button', { name: 'Keep it deleted' })).toBeEnabled();
  // The card, right under the banner, no longer says it is published.
  await expect(card.getByTestId('publication-gone')).toHaveText(`⚠ ${GONE}`);
  await expect(card.getByTestId('publication')).toHaveCount(0);
  await checkEveryLook(page, 'drift-deleted-keys', saveScreenshot);

  await page.getByRole('button', { name: 'My profile', exact: true }).click();
  await expect(page.getByTestId('profile-gone')).toHaveText('⚠ Profile: not on your server now: deleted by another app. Restore, on the banner above, publishes it again.');
  await expect(page.getByTestId('profile-result')).not.toContainText('Published.');
  // Nor that the server keeps it for readers.
  await expect(page.getByTestId('profile-result')).not.toContainText('Your server keeps it');
  // Not in success green: part of it is gone.
  await expect(page.getByTestId('profile-result')).not.toHaveClass(/\bok\b/);
  await checkEveryLook(page, 'drift-deleted-profile', saveScreenshot);

  // Activity tells what was found, once (a sign-in read it, the window loaded the report: one line).
  await page.getByRole('button', { name: 'Activity', exact: true }).click();
  const entries = page.getByTestId('activity-entry');
  await expect(entries.filter({ hasText: 'Your keys: not as you published them. Another app deleted your keys from your server.' })).toHaveCount(1);
  await expect(entries.filter({ hasText: 'Your profile card: not as you published it. Another app deleted your profile card from your server.' })).toHaveCount(1);

  // Restore publishes the key again: the card says "Published" again.
  await page.getByRole('button', { name: 'My keys', exact: true }).click();
  await keysBanner.getByRole('button', { name: 'Restore' }).click();
  await expect(keysBanner).toBeHidden({ timeout: 20_000 });
  await expect(card.getByTestId('publication')).toContainText('Published', { timeout: 20_000 });
  await expect(card.getByTestId('publication-gone')).toHaveCount(0);

  // The card was a deliberate clean-up: kept deleted, it is recorded as not published.
  await cardBanner.getByRole('button', { name: 'Keep it deleted' }).click();
  await expect(cardBanner).toBeHidden({ timeout: 20_000 });
  await expect(page.getByTestId('drift-error')).toBeHidden();
  await page.getByRole('button', { name: 'My profile', exact: true }).click();
  await expect(page.getByTestId('profile-gone')).toHaveCount(0);
  await expect(page.getByTestId('profile-result')).toHaveCount(0);

  await page.getByRole('button', { name: 'Activity', exact: true }).click();
  await expect(entries.filter({ hasText: 'Restored your keys as you published them' })).toHaveCount(1);
  await expect(entries.filter({ hasText: 'Kept your profile card deleted from your server: recorded as not published' })).toHaveCount(1);
  // Nothing told twice.
  await expect(entries.filter({ hasText: 'Your keys: not as you published them' })).toHaveCount(1);
});
