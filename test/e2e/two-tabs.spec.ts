/**
 * Two tabs of one browser host (in Electron, two windows would be the same): one core, two renderers.
 * A change made in one tab shows in the other without a reload: a verification taken back, a key made,
 * published and deleted.
 */
import { mkdir } from 'node:fs/promises';
import { befriend } from '../support/scenario';
import { connectWith, expect, generateKey, openApp, ownKey, publishNewKey, signIn, signedInOnMyKeys, test } from './fixtures';

const SHOTS = '/work/notes/review/tabs-publish';

test('a verification taken back in one tab is no longer "Verified" in the other', async ({ browser, launchApp, newAccount }) => {
  test.setTimeout(120_000);
  await mkdir(SHOTS, { recursive: true });
  const [julietAccount, romeoAccount] = await Promise.all([newAccount('juliet'), newAccount('romeo')]);
  const [j, r] = await Promise.all([connectWith(julietAccount), connectWith(romeoAccount)]);
  await befriend(j, r, ['Friends']);
  await Promise.all([j.session.disconnect(), r.session.disconnect()]);
  const [julietApp, romeoApp] = await Promise.all([launchApp(), launchApp()]);
  const julietPage = await (await browser.newContext()).newPage();
  await openApp(julietPage, julietApp.url);
  await signIn(julietPage, julietAccount);
  await expect(julietPage.getByTestId('connection-status')).toHaveText(/Online/);
  const fp = await publishNewKey(julietPage, 'Contacts who see my presence');

  const tabA = await (await browser.newContext()).newPage();
  await openApp(tabA, romeoApp.url);
  await signIn(tabA, romeoAccount);
  await expect(tabA.getByTestId('connection-status')).toHaveText(/Online/);
  const key = (page: typeof tabA) => page.locator(`[data-testid="contact-key"]:has([data-fingerprint="${fp}"])`);
  const openJuliet = async (page: typeof tabA) => {
    await page.getByRole('button', { name: 'Contacts', exact: true }).click();
    await page.getByTestId('contact-row').filter({ hasText: julietAccount.jid }).click();
  };
  await openJuliet(tabA);
  const tabB = await (await browser.newContext()).newPage();
  await openApp(tabB, romeoApp.url);
  await openJuliet(tabB);
  await expect(key(tabB)).toHaveAttribute('data-trust', 'unverified');

  // Verified in tab A: tab B shows it verified too.
  await key(tabA).getByRole('button', { name: 'Compare fingerprints…' }).click();
  await tabA.getByTestId('compare-dialog').getByLabel('Their fingerprint or verification link').fill(fp);
  await tabA.getByTestId('compare-dialog').getByRole('button', { name: 'Compare and verify' }).click();
  await expect(key(tabA)).toHaveAttribute('data-trust', 'verified');
  await expect(key(tabB)).toHaveAttribute('data-trust', 'verified');

  // Taken back in tab A: tab B no longer says "Verified".
  await key(tabA).getByRole('button', { name: 'Take back verification' }).click();
  await expect(key(tabA)).toHaveAttribute('data-trust', 'unverified');
  await expect(key(tabB)).toHaveAttribute('data-trust', 'unverified');
  await tabB.screenshot({ path: `${SHOTS}/two-tabs-trust-other-tab.png`, fullPage: true });
});

test('a key made, published and deleted in one tab shows so in the other', async ({ page, browser, launchApp, newAccount }) => {
  test.setTimeout(120_000);
  await mkdir(SHOTS, { recursive: true });
  const account = await newAccount('juliet');
  const app = await launchApp();
  await signedInOnMyKeys(page, app.url, account);
  const other = await (await browser.newContext()).newPage();
  await openApp(other, app.url);
  await other.getByRole('button', { name: 'My keys', exact: true }).click();
  await expect(other.getByText('No keys yet.')).toBeVisible();

  const fp = await generateKey(page, 'tab one');
  await expect(ownKey(other, fp)).toBeVisible();
  await expect(ownKey(other, fp).getByTestId('publication')).toHaveCount(0);

  const key = ownKey(page, fp);
  await key.getByRole('button', { name: 'Publish…' }).click();
  await key.getByLabel('Anyone').check();
  await key.getByRole('button', { name: /^(Change for all and publish|Publish)$/ }).click();
  await expect(key.getByTestId('publication')).toHaveCount(1);
  await expect(ownKey(other, fp).getByTestId('publication')).toHaveCount(1);
  await other.screenshot({ path: `${SHOTS}/two-tabs-keys-other-tab.png`, fullPage: true });

  // Delete in the other tab: the first one no longer lists it.
  await ownKey(other, fp).getByRole('button', { name: 'Delete…' }).click();
  await other.getByTestId('delete-dialog').getByRole('button', { name: 'Withdraw and delete' }).click();
  await expect(ownKey(other, fp)).toHaveCount(0);
  await expect(ownKey(page, fp)).toHaveCount(0);
  await expect(page.getByText('No keys yet.')).toBeVisible();
});
