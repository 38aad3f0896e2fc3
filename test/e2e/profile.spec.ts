/**
 * The profile screen end to end: juliet edits and publishes her profile and an avatar the XEP-0222 way;
 * romeo's contact view shows them. Script in a field stays text: nothing runs.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makePng } from '../support/images';
import { axeViolations, expect, signIn, test } from './fixtures';

const HOSTILE_NAME = '<img src=x onerror="window.__pwned=1">Juliet <script>window.__pwned=1</script>Capulet';

test('juliet publishes her profile and avatar; romeo sees them, as text', async ({ friendsInTwoWindows, saveScreenshot }) => {
  test.setTimeout(90_000);
  const dir = await mkdtemp(join(tmpdir(), 'keyring-avatar-'));
  const avatarFile = join(dir, 'juliet.png');
  await writeFile(avatarFile, makePng(320, 240));
  try {
    const { julietAccount, julietPage, romeoPage } = await friendsInTwoWindows();
    await signIn(julietPage, julietAccount);
    await expect(julietPage.getByTestId('connection-status')).toHaveText(/Online/);
    await julietPage.getByRole('button', { name: 'My profile', exact: true }).click();
    const form = julietPage.getByRole('form', { name: 'Profile' });
    await form.getByLabel('Full name').fill(HOSTILE_NAME);
    await form.getByLabel('Nickname').fill('Jules');
    await form.getByLabel('E-mail addresses (one per line)').fill('not an address');
    await expect(julietPage.getByText('“not an address” is not an e-mail address')).toBeVisible();
    await form.getByLabel('E-mail addresses (one per line)').fill('juliet@capulet.lit');
    await form.getByLabel('Web addresses (one per line)').fill('https://capulet.lit/juliet');
    await form.getByLabel('Note').fill('Wherefore art thou?');
    await form.getByLabel('Contacts who see my presence').check();
    await form.getByRole('button', { name: 'Publish profile' }).click();
    await expect(julietPage.getByTestId('profile-result')).toContainText('urn:xmpp:vcard4: readable by contacts who see my presence, sent at login: never');

    await form.getByLabel('Avatar image').setInputFiles(avatarFile);
    await form.getByRole('button', { name: 'Publish avatar' }).click();
    await expect(julietPage.getByTestId('avatar-result')).toContainText('readable by contacts who see my presence', { timeout: 20_000 });
    await expect(julietPage.getByTestId('avatar-error')).toHaveCount(0);
    await saveScreenshot('07-my-profile', julietPage);
    expect(await axeViolations(julietPage), 'profile editor').toEqual([]);

    // Romeo opens juliet: her profile, avatar included, as plain text.
    await romeoPage.getByTestId('contact-row').filter({ hasText: julietAccount.jid }).click();
    const card = romeoPage.getByTestId('contact-detail').getByTestId('profile-card');
    await expect(card.getByTestId('profile-name')).toHaveText(HOSTILE_NAME);
    await expect(card).toContainText('“Jules”');
    await expect(card).toContainText('https://capulet.lit/juliet');
    await expect(card.getByTestId('profile-avatar')).toBeVisible();
    expect(await card.getByTestId('profile-avatar').evaluate((img: HTMLImageElement) => img.naturalWidth > 0)).toBe(true);
    expect(await romeoPage.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await saveScreenshot('08-contact-profile', romeoPage);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
