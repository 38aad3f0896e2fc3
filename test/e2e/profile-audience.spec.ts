/**
 * Who may read the profile, as the editor starts it: from the published audience (the server's node
 * configuration), also after a reload, so that a one-field publish neither fails as an unconfirmed change
 * of readers nor, with the box ticked, narrows them unasked. (Found by a UI walk: after a reload the
 * picker said "Contacts who see my presence" for a profile published to Anyone.) The consent to change
 * who may read is spent by the publish that used it: a later audience asks again (the walk found the box
 * left ticked).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makePng } from '../support/images';
import { checkEveryLook, expect, reloadApp, signedInOnMyProfile, test } from './fixtures';

test('after a reload the audience starts from the published one, a one-field publish goes through, and the consent to change readers is spent by the publish that used it', async ({ page, browserHost, newAccount, saveScreenshot }) => {
  test.setTimeout(120_000);
  const juliet = await newAccount('juliet');
  await signedInOnMyProfile(page, browserHost.url, juliet);
  const form = page.getByRole('form', { name: 'Profile' });
  await form.getByLabel('Full name').fill('Juliet Capulet');
  await form.getByLabel('Anyone').check();
  await form.getByRole('button', { name: 'Publish changes' }).click();
  await expect(page.getByTestId('profile-result')).toContainText('Profile: readable by anyone.', { timeout: 30_000 });

  await reloadApp(page);
  await page.getByRole('button', { name: 'My profile', exact: true }).click();
  await expect(page.getByTestId('profile-source')).toContainText('as your server holds it');
  await expect(form.getByLabel('Full name')).toHaveValue('Juliet Capulet');
  await expect(form.getByLabel('Anyone')).toBeChecked();
  // Another audience chosen says what is needed, from the same published audience.
  await form.getByLabel('Contacts who see my presence').check();
  await expect(page.getByTestId('audience-needs-consent')).toContainText('other readers than your published profile has (anyone)');
  await form.getByLabel('Anyone').check();
  await expect(page.getByTestId('audience-needs-consent')).toHaveCount(0);

  await form.getByLabel('Nickname').fill('Jules');
  await checkEveryLook(page, 'profile-audience-after-reload', saveScreenshot);
  await form.getByRole('button', { name: 'Publish changes' }).click();
  await expect(page.getByTestId('profile-result')).toContainText('Published. Your server reports:', { timeout: 30_000 });
  await expect(page.getByTestId('profile-result')).toContainText('Profile: readable by anyone.');
  await expect(page.getByTestId('profile-error')).toHaveCount(0);

  // A confirmed change of readers: the box is for that publish only, and is clear after it.
  const consent = form.getByLabel('Change who may read a profile I already published');
  await form.getByLabel('Contacts who see my presence').check();
  await consent.check();
  await form.getByRole('button', { name: 'Publish changes' }).click();
  await expect(page.getByTestId('profile-result')).toContainText('Profile: readable by contacts who see your presence.', { timeout: 30_000 });
  await expect(consent).not.toBeChecked();
  // Another audience picked afterwards needs the box ticked again.
  await form.getByLabel('Anyone').check();
  await expect(page.getByTestId('audience-needs-consent')).toContainText('other readers than your published profile has (contacts who see your presence)');
  await expect(form.getByRole('button', { name: 'Publish changes' })).toBeDisabled();
});

test('the consent to change readers is spent by an avatar publish that used it too', async ({ page, browserHost, newAccount }) => {
  test.setTimeout(120_000);
  const dir = await mkdtemp(join(tmpdir(), 'keyring-avatar-consent-'));
  const avatarFile = join(dir, 'juliet.png');
  await writeFile(avatarFile, makePng(64, 64));
  try {
    const juliet = await newAccount('juliet');
    await signedInOnMyProfile(page, browserHost.url, juliet);
    const form = page.getByRole('form', { name: 'Profile' });
    await form.getByLabel('Full name').fill('Juliet Capulet');
    await form.getByLabel('Contacts who see my presence').check();
    await form.getByRole('button', { name: 'Publish changes' }).click();
    await expect(page.getByTestId('profile-result')).toContainText('Profile: readable by contacts who see your presence.', { timeout: 30_000 });

    const consent = form.getByLabel('Change who may read a profile I already published');
    await form.getByLabel('Anyone').check();
    await consent.check();
    await page.getByLabel('Avatar image').setInputFiles(avatarFile);
    const dialog = page.getByTestId('avatar-dialog');
    await dialog.getByRole('button', { name: 'Publish avatar' }).click();
    await expect(dialog.getByTestId('avatar-result')).toHaveText('Avatar published.', { timeout: 30_000 });
    await dialog.getByRole('button', { name: 'Done' }).click();
    await expect(consent).not.toBeChecked();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
