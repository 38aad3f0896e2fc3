/**
 * On a real ejabberd under roster-group access, which will not show the account its own items (XEP-0060
 * §6.5.8 refused: docs/drift.md), every publish stands but cannot be checked. Each success says so, in
 * describeDeviation's words where a result has room and in a few words on Activity: the profile's
 * report, the avatar dialog, and the Activity lines of the profile, the avatar and a revoke. Before,
 * only the key Publish panel did (review 5, finding 1). Screens at 1280×800 and 800×600, light and dark.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makePng } from '../support/images';
import { befriend } from '../support/scenario';
import { accountOn, checkEveryLook, connectWith, expect, generateKey, openApp, ownKey, signIn, test } from './fixtures';

const NOT_SHOWN_BACK = /[tT]he server would not show the item back \(.+\), so the app could not check that it holds what was sent/;

test('publishes ejabberd will not show back are told as unverified: profile, avatar and revoke', async ({ browser, ejabberd, launchApp, saveScreenshot }) => {
  test.setTimeout(180_000);
  const account = (role: string, domain: string) => accountOn(ejabberd.info, role, domain);
  const [julietAccount, romeoAccount] = await Promise.all([account('juliet', 'capulet.lit'), account('romeo', 'montague.lit')]);
  const [juliet, romeo] = await Promise.all([connectWith(julietAccount), connectWith(romeoAccount)]);
  await befriend(juliet, romeo, ['Friends']);
  await Promise.all([juliet.session.disconnect(), romeo.session.disconnect()]);
  const dir = await mkdtemp(join(tmpdir(), 'keyring-unverified-'));
  const avatarFile = join(dir, 'juliet.png');
  await writeFile(avatarFile, makePng(320, 240));
  try {
    const app = await launchApp();
    const page = await (await browser.newContext()).newPage();
    await openApp(page, app.url);
    await signIn(page, julietAccount);
    await expect(page.getByTestId('connection-status')).toHaveText(/Online/);

    // The profile, to Friends: published, and the report says each part could not be checked.
    await page.getByRole('button', { name: 'My profile' }).click();
    const form = page.locator('form');
    await form.getByLabel('Full name').fill('Juliet Capulet');
    await form.getByLabel('Nickname').fill('Jules');
    await form.getByLabel('People in roster groups I choose').check();
    await form.getByLabel('Friends').check();
    await form.getByRole('button', { name: 'Publish changes' }).click();
    const result = page.getByTestId('profile-result');
    await expect(result).toContainText('Published. Your server reports:', { timeout: 30_000 });
    await expect(result).toContainText('Profile: readable by roster group "Friends".');
    await expect(page.getByTestId('profile-deviation').filter({ hasText: /^⚠ Profile: / })).toHaveText(NOT_SHOWN_BACK);
    await expect(page.getByTestId('profile-deviation').filter({ hasText: /^⚠ Nickname: / })).toHaveText(NOT_SHOWN_BACK);
    await checkEveryLook(page, 'profile-unverified', saveScreenshot);

    // The avatar, to the same people: one line for its two nodes.
    await page.getByLabel('Avatar image').setInputFiles(avatarFile);
    const dialog = page.getByTestId('avatar-dialog');
    await expect(dialog.getByTestId('avatar-preview-size')).toContainText('240×240 pixels', { timeout: 20_000 });
    await dialog.getByRole('button', { name: 'Publish avatar' }).click();
    await expect(dialog.getByTestId('avatar-result')).toHaveText('Avatar published.', { timeout: 30_000 });
    await expect(dialog.getByTestId('avatar-deviation')).toHaveCount(1);
    await expect(dialog.getByTestId('avatar-deviation')).toHaveText(NOT_SHOWN_BACK);
    await checkEveryLook(page, 'avatar-unverified', saveScreenshot);
    await dialog.getByRole('button', { name: 'Done' }).click();

    // A key published to Friends, then revoked as compromised.
    await page.getByRole('button', { name: 'My keys' }).click();
    const key = ownKey(page, await generateKey(page));
    await key.getByRole('button', { name: 'Publish…' }).click();
    await key.getByLabel('People in roster groups I choose').check();
    await key.getByLabel('Friends').check();
    await key.getByRole('button', { name: 'Publish', exact: true }).click();
    await expect(key.getByTestId('publish-result')).toContainText('Published, readable by roster group "Friends"', { timeout: 30_000 });
    await expect(key.getByTestId('publish-result')).toContainText('⚠ The server would not show the item back');
    await checkEveryLook(page, 'publish-unverified', saveScreenshot);
    await key.getByRole('button', { name: 'Close' }).click();
    await key.getByRole('button', { name: 'Revoke…' }).click();
    const revoke = key.getByTestId('revoke-dialog');
    await revoke.getByLabel(/Someone else may have its private key/).check();
    await revoke.getByRole('button', { name: 'Revoke', exact: true }).click();
    await expect(revoke).toBeHidden({ timeout: 30_000 });

    // Activity: each of the three says it is unverified, in a few words.
    await page.getByRole('button', { name: 'Activity', exact: true }).click();
    const entries = page.getByTestId('activity-entry');
    const short = /, unverified: the server would not show (the item|2 items) back \(/;
    await expect(entries.filter({ hasText: 'Published your profile' })).toContainText(short);
    await expect(entries.filter({ hasText: 'Published a new avatar' })).toContainText(short);
    await expect(entries.filter({ hasText: 'Revoked; the revocation was published' })).toContainText(short);
    await checkEveryLook(page, 'activity-unverified', saveScreenshot);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
