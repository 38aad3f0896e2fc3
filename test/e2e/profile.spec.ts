/**
 * The profile screen end to end: juliet's editor starts from what is published, shows what publishing
 * changes, and publishes her profile and an avatar (its square chosen from the keyboard alone) the
 * XEP-0222 way; romeo's app shows them, as text. A second app instance of juliet's (a fresh vault)
 * starts from the published profile too, and publishing only a new nickname there keeps the rest, as
 * romeo's app reads it. Screenshots at 1280×800 and 800×600 in both themes; axe finds nothing.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { makeJpeg, makePng, pngOf } from '../support/images';
import { axeViolations, checkEveryLook, expect, openApp, signIn, test } from './fixtures';

const HOSTILE_NAME = '<img src=x onerror="window.__pwned=1">Juliet <script>window.__pwned=1</script>Capulet';


/** The top-left pixel of an image on the page, as [red, green, blue]. */
function cornerPixel(page: Page, testid: string): Promise<number[]> {
  return page.getByTestId(testid).evaluate((img: HTMLImageElement) => {
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const context = canvas.getContext('2d');
    context?.drawImage(img, 0, 0);
    return [...(context?.getImageData(0, 0, 1, 1).data.slice(0, 3) ?? [])];
  });
}

test('juliet publishes her profile and an avatar whose square she chose from the keyboard; romeo sees them, as text', async ({
  friendsInTwoWindows,
  saveScreenshot,
}) => {
  test.setTimeout(150_000);
  const dir = await mkdtemp(join(tmpdir(), 'keyring-avatar-'));
  const avatarFile = join(dir, 'juliet.png');
  // Red grows left to right, green top to bottom: the corner of the avatar tells which square was cut.
  await writeFile(avatarFile, makePng(320, 240));
  try {
    const { julietAccount, julietPage, romeoPage } = await friendsInTwoWindows();
    await signIn(julietPage, julietAccount);
    await expect(julietPage.getByTestId('connection-status')).toHaveText(/Online/);
    await julietPage.getByRole('button', { name: 'My profile', exact: true }).click();
    await expect(julietPage.getByTestId('profile-source')).toContainText('as your server holds it');
    const form = julietPage.getByRole('form', { name: 'Profile' });
    const changes = julietPage.getByTestId('profile-changes');
    await expect(changes).toContainText('Nothing yet');
    await expect(form.getByRole('button', { name: 'Publish changes' })).toBeDisabled();
    await form.getByLabel('Full name').fill(HOSTILE_NAME);
    await form.getByLabel('Nickname').fill('Jules');
    await form.getByLabel('E-mail addresses (one per line)').fill('not an address');
    await expect(julietPage.getByText('“not an address” is not an e-mail address')).toBeVisible();
    await form.getByLabel('E-mail addresses (one per line)').fill('juliet@capulet.lit');
    await form.getByLabel('Web addresses (one per line)').fill('https://capulet.lit/juliet');
    await form.getByLabel('Note').fill('Wherefore art thou?');
    await form.getByLabel('Contacts who see my presence').check();
    await expect(changes.getByTestId('profile-change')).toHaveText([
      `Full name: added ${HOSTILE_NAME}`,
      'Nickname: added Jules',
      'E-mail addresses: added juliet@capulet.lit',
      'Web addresses: added https://capulet.lit/juliet',
      'Note: added Wherefore art thou?',
    ]);
    await checkEveryLook(julietPage, 'my-profile-changes', saveScreenshot);
    await form.getByRole('button', { name: 'Publish changes' }).click();
    await expect(julietPage.getByTestId('profile-result')).toContainText('Profile: readable by contacts who see your presence.');
    // What holds, said plainly (XEP-0222 §2 on Prosody), never a "not sent to anyone" that reads as a failure.
    await expect(julietPage.getByTestId('profile-result')).toContainText(/Your server keeps (it|them), and readers’ apps get (it|them) when they ask; (it is|they are) not sent to readers when they sign in\./);
    await expect(julietPage.getByTestId('profile-result')).not.toContainText('not sent to anyone');
    // Published: nothing is left to change, so Publish stays disabled; focus goes to the confirmation,
    // not to the page, nor to a field with its text selected (test/e2e/profile-publish-focus.spec.ts).
    await expect(changes).toContainText('Nothing yet');
    await expect(julietPage.getByTestId('profile-result')).toBeFocused();
    // Other readers chosen without the checkbox: the form says what is needed, not just "Nothing yet".
    await form.getByLabel('Anyone').check();
    await expect(julietPage.getByTestId('audience-needs-consent')).toContainText('other readers than your published profile has (contacts who see your presence)');
    await expect(julietPage.getByTestId('audience-needs-consent')).toContainText('tick “Change who may read a profile I already published”');
    await form.getByLabel('Contacts who see my presence').check();
    await expect(julietPage.getByTestId('audience-needs-consent')).toHaveCount(0);

    // The avatar: the crop dialog, from the keyboard alone.
    await julietPage.getByLabel('Avatar image').setInputFiles(avatarFile);
    const dialog = julietPage.getByTestId('avatar-dialog');
    // The centre square to start with, as main would publish it.
    await expect(dialog.getByTestId('avatar-preview-size')).toContainText('240×240 pixels', { timeout: 20_000 });
    const size = dialog.getByLabel('Size');
    await expect(size).toBeFocused();
    await julietPage.keyboard.press('Home'); // the smallest square: 32 pixels
    await julietPage.keyboard.press('Tab');
    await expect(dialog.getByLabel('Left to right')).toBeFocused();
    await julietPage.keyboard.press('Home'); // against the left edge
    await julietPage.keyboard.press('Tab');
    await expect(dialog.getByLabel('Top to bottom')).toBeFocused();
    await julietPage.keyboard.press('End'); // against the bottom edge
    await expect(dialog.getByTestId('avatar-preview-size')).toContainText('32×32 pixels', { timeout: 20_000 });
    await checkEveryLook(julietPage, 'dialog-avatar', saveScreenshot);
    const publish = dialog.getByRole('button', { name: 'Publish avatar' });
    for (let i = 0; i < 6 && !(await publish.evaluate((el) => el === document.activeElement)); i++) await julietPage.keyboard.press('Tab');
    await expect(publish).toBeFocused();
    await julietPage.keyboard.press('Enter');
    await expect(dialog.getByTestId('avatar-result')).toHaveText('Avatar published.', { timeout: 20_000 });
    await expect(dialog.getByTestId('avatar-error')).toHaveCount(0);
    // Publish was disabled while it ran, then replaced by Done: focus is there, not on the page.
    await expect(dialog.getByRole('button', { name: 'Done' })).toBeFocused();
    await julietPage.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
    await expect(julietPage.getByRole('button', { name: 'Change avatar…' })).toBeFocused();
    // Her own avatar, in the header and on My profile: the bottom-left square she chose.
    await expect(julietPage.getByTestId('header-avatar')).toBeVisible();
    await expect(julietPage.getByTestId('own-avatar')).toBeVisible();
    expect(await julietPage.getByTestId('own-avatar').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(32);
    const [red, green] = await cornerPixel(julietPage, 'own-avatar');
    expect(red).toBeLessThan(10);
    expect(green).toBeGreaterThan(210);
    await checkEveryLook(julietPage, 'my-profile', saveScreenshot);
    // Her Activity: the avatar published with its size and no raw SHA-1 under it.
    await julietPage.getByRole('button', { name: 'Activity', exact: true }).click();
    const avatarEntry = julietPage.getByTestId('activity-entry').filter({ hasText: 'Published a new avatar (32×32)' });
    await expect(avatarEntry).toHaveCount(1);
    await expect(avatarEntry.getByTestId('activity-contact')).toHaveCount(0);
    await expect(avatarEntry).not.toContainText(/[0-9a-f]{40}/);

    // Romeo opens juliet: her profile, avatar included, as plain text.
    await romeoPage.getByTestId('contact-row').filter({ hasText: julietAccount.jid }).click();
    const card = romeoPage.getByTestId('contact-detail').getByTestId('profile-card');
    await expect(card.getByTestId('profile-name')).toHaveText(HOSTILE_NAME);
    await expect(card).toContainText('“Jules”');
    await expect(card).toContainText('https://capulet.lit/juliet');
    await expect(card.getByTestId('profile-avatar')).toBeVisible();
    expect(await card.getByTestId('profile-avatar').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(32);
    expect(await romeoPage.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await julietPage.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await saveScreenshot('08-contact-profile', romeoPage);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a picture too large or not an image is refused on the page, before anything is sent, and focus stays on choosing one', async ({
  page,
  browserHost,
  newAccount,
  saveScreenshot,
}) => {
  const dir = await mkdtemp(join(tmpdir(), 'keyring-avatar-'));
  try {
    await openApp(page, browserHost.url);
    await signIn(page, await newAccount('juliet'));
    await expect(page.getByTestId('connection-status')).toHaveText(/Online/);
    await page.getByRole('button', { name: 'My profile', exact: true }).click();
    const choose = page.getByRole('button', { name: 'Choose an avatar…' });
    const problem = page.getByTestId('avatar-pick-problem');
    /**
     * Picks `file` with focus away from the button first (a click on the page's text leaves it on <body>,
     * as a file chooser closing may), and checks that the refusal puts focus on the button, which the
     * reason, announced as an alert, describes.
     */
    const refused = async (file: string, reason: string) => {
      // The hint under the button: plain text (the screen's title takes focus when clicked: App.svelte focuses it by script).
      await page.getByText('you choose the square.').click();
      expect(await page.evaluate(() => document.activeElement === document.body)).toBe(true);
      await page.getByLabel('Avatar image').setInputFiles(file);
      await expect(problem).toHaveText(reason);
      await expect(problem).toHaveRole('alert');
      await expect(page.getByTestId('avatar-dialog')).toBeHidden();
      await expect(choose).toBeFocused();
      expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Choose an avatar…');
      await expect(choose).toHaveAccessibleDescription(`${reason} PNG or JPEG, up to 8 MiB and 16 megapixels; you choose the square.`);
    };
    // Small in bytes (a plain colour compresses well), too many pixels for main to decode: refused when
    // picked, saying what to choose, not in the crop dialog beside a disabled Publish (walk 6).
    const many = join(dir, 'huge.png');
    await writeFile(many, pngOf(4200, 4200, Buffer.alloc(4200 * 4200 * 4, 200)));
    await refused(many, '“huge.png” is 4200×4200 pixels (17.6 megapixels); choose one of at most 16 megapixels (for example 4000×4000).');
    const huge = join(dir, 'huge.jpg');
    await writeFile(huge, Buffer.concat([makeJpeg(8, 8), Buffer.alloc(9 * 1024 * 1024)]));
    await refused(huge, '“huge.jpg” is 9.0 MiB; choose a picture of at most 8 MiB.');
    const text = join(dir, 'notes.txt');
    await writeFile(text, 'not a picture');
    await refused(text, '“notes.txt” is not a PNG or JPEG picture.');
    // Named .png, so the browser calls it a PNG: what is inside decides, and no dialog opens on a broken image.
    const fake = join(dir, 'x.png');
    await writeFile(fake, 'not a picture either');
    await refused(fake, '“x.png” is not a PNG or JPEG picture.');
    const gif = join(dir, 'moving.png');
    await writeFile(gif, Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1'));
    await refused(gif, '“moving.png” is not a PNG or JPEG picture.');
    // A PNG by its first bytes, cut short after them: no picture to crop either.
    const cut = join(dir, 'cut.png');
    await writeFile(cut, makePng(64, 64).subarray(0, 60));
    await refused(cut, '“cut.png” is not a picture the app can read.');
    await checkEveryLook(page, 'my-profile-unreadable-picture', saveScreenshot);
    // Through the button and the file chooser, as a person picks one: focus is on the button after, too.
    const chooser = page.waitForEvent('filechooser');
    await choose.click();
    await (await chooser).setFiles(text);
    await expect(problem).toHaveText('“notes.txt” is not a PNG or JPEG picture.');
    await expect(choose).toBeFocused();
    // The page is still connected: the browser host did not close the socket on an oversized request.
    await expect(page.getByTestId('connection-status')).toHaveText(/Online/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('text longer than a field holds is kept whole and named under its field, and Publish waits until it is shortened', async ({
  page,
  browserHost,
  newAccount,
  saveScreenshot,
}) => {
  await openApp(page, browserHost.url);
  await signIn(page, await newAccount('juliet'));
  await page.getByRole('button', { name: 'My profile', exact: true }).click();
  const form = page.getByRole('form', { name: 'Profile' });
  await expect(page.getByTestId('profile-source')).toContainText('as your server holds it');
  // Pasted, as long text comes: before, the field kept 1,024 and 4,096 characters without a word (walk 6).
  const fullName = form.getByLabel('Full name');
  const note = form.getByLabel('Note');
  await fullName.fill('J'.repeat(5000));
  await note.fill('x'.repeat(20_000));
  await expect(fullName).toHaveValue('J'.repeat(5000));
  await expect(note).toHaveValue('x'.repeat(20_000));
  await expect(page.getByTestId('profile-problem')).toHaveText(['Full name is 5,000 characters; at most 1,024', 'Note is 20,000 characters; at most 4,096']);
  await expect(fullName).toHaveAttribute('aria-invalid', 'true');
  await expect(note).toHaveAccessibleDescription('Note is 20,000 characters; at most 4,096');
  await form.getByLabel('Contacts who see my presence').check();
  const publish = form.getByRole('button', { name: 'Publish changes' });
  await expect(publish).toBeDisabled();
  await note.press('Control+Home');
  await checkEveryLook(page, 'my-profile-too-long', saveScreenshot);
  await fullName.fill('Juliet Capulet');
  await note.fill('x'.repeat(4096));
  await expect(page.getByTestId('profile-problem')).toHaveCount(0);
  await expect(publish).toBeEnabled();
});

test('a JPEG named .png is a picture: its square is previewed and published as any JPEG', async ({ page, browserHost, newAccount, saveScreenshot }) => {
  test.setTimeout(90_000);
  const dir = await mkdtemp(join(tmpdir(), 'keyring-avatar-'));
  try {
    await openApp(page, browserHost.url);
    await signIn(page, await newAccount('juliet'));
    await expect(page.getByTestId('connection-status')).toHaveText(/Online/);
    await page.getByRole('button', { name: 'My profile', exact: true }).click();
    await page.getByRole('form', { name: 'Profile' }).getByLabel('Contacts who see my presence').check();
    // The browser calls it image/png from its name; its bytes are a JPEG's, and they decide.
    const photo = join(dir, 'photo.png');
    await writeFile(photo, makeJpeg(320, 240));
    await page.getByLabel('Avatar image').setInputFiles(photo);
    const dialog = page.getByTestId('avatar-dialog');
    await expect(dialog.getByTestId('avatar-preview-size')).toContainText('240×240 pixels', { timeout: 20_000 });
    await expect(dialog.getByTestId('avatar-preview-error')).toHaveCount(0);
    await dialog.getByRole('button', { name: 'Publish avatar' }).click();
    await expect(dialog.getByTestId('avatar-result')).toHaveText('Avatar published.', { timeout: 20_000 });
    await expect(dialog.getByTestId('avatar-error')).toHaveCount(0);
    await dialog.getByRole('button', { name: 'Done' }).click();
    await expect(page.getByTestId('avatar-pick-problem')).toHaveCount(0);
    // Published as the app publishes any picture: a PNG (XEP-0084 §4.1), 240 pixels square.
    expect(await page.getByTestId('own-avatar').evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight])).toEqual([240, 240]);
    expect(await page.getByTestId('own-avatar').getAttribute('src')).toMatch(/^data:image\/png;base64,iVBORw0KGgo/);
    await saveScreenshot('my-profile-jpeg-named-png', page);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('publishing only a new nickname from a second app instance keeps the name, e-mail, phone and note, as romeo reads them', async ({
  browser,
  friendsInTwoWindows,
  launchApp,
  saveScreenshot,
}) => {
  test.setTimeout(180_000);
  const { julietAccount, julietPage, romeoPage } = await friendsInTwoWindows();
  await signIn(julietPage, julietAccount);
  await julietPage.getByRole('button', { name: 'My profile', exact: true }).click();
  const form = julietPage.getByRole('form', { name: 'Profile' });
  await expect(julietPage.getByTestId('profile-source')).toContainText('as your server holds it');
  await form.getByLabel('Full name').fill('Juliet Capulet');
  await form.getByLabel('Nickname').fill('Jules');
  await form.getByLabel('E-mail addresses (one per line)').fill('juliet@capulet.lit');
  await form.getByLabel('Note').fill('Wherefore art thou?');
  await form.getByLabel('Contacts who see my presence').check();
  // A phone number is checked as typed: text that is none is refused, saying which and why, on its field.
  const phones = form.getByLabel('Phone numbers (one per line)');
  await phones.fill('call me maybe');
  const phoneProblem =
    '“call me maybe” is not a phone number: it has letters. Write its digits, with + and the country code first; spaces, dots, dashes, parentheses and an extension (ext. 12) may go with them.';
  await expect(julietPage.getByTestId('profile-problem')).toHaveText([phoneProblem]);
  await expect(phones).toHaveAttribute('aria-invalid', 'true');
  await expect(phones).toHaveAccessibleDescription(phoneProblem);
  // Right under the field, where the person typing reads it (at 800×600 the end of the form is out of sight).
  await expect(form.locator('label:has(textarea[name="phones"]) + p[role="alert"]')).toHaveText(phoneProblem);
  await expect(form.getByRole('button', { name: 'Publish changes' })).toBeDisabled();
  await checkEveryLook(julietPage, 'my-profile-phone-problem', saveScreenshot);
  await phones.fill('+39 045 123 4567');
  await expect(julietPage.getByTestId('profile-problem')).toHaveCount(0);
  await expect(phones).not.toHaveAttribute('aria-invalid');
  await form.getByRole('button', { name: 'Publish changes' }).click();
  await expect(julietPage.getByTestId('profile-result')).toBeVisible();

  // Another app instance of juliet's, with a vault of its own: the editor starts from what is published.
  const other = await (await browser.newContext()).newPage();
  await openApp(other, (await launchApp()).url);
  await signIn(other, julietAccount);
  await other.getByRole('button', { name: 'My profile', exact: true }).click();
  const otherForm = other.getByRole('form', { name: 'Profile' });
  await expect(otherForm.getByLabel('Full name')).toHaveValue('Juliet Capulet');
  await expect(otherForm.getByLabel('Nickname')).toHaveValue('Jules');
  await expect(otherForm.getByLabel('E-mail addresses (one per line)')).toHaveValue('juliet@capulet.lit');
  // The number as she typed it, read back from the tel: URI the vCard holds (RFC 3966 '-' separators as spaces).
  await expect(otherForm.getByLabel('Phone numbers (one per line)')).toHaveValue('+39 045 123 4567');
  await expect(otherForm.getByLabel('Note')).toHaveValue('Wherefore art thou?');
  await otherForm.getByLabel('Nickname').fill('Juliet of Verona');
  await expect(other.getByTestId('profile-change')).toHaveText(['Nickname: Jules → Juliet of Verona']);
  await otherForm.getByLabel('Contacts who see my presence').check();
  await otherForm.getByRole('button', { name: 'Publish changes' }).click();
  await expect(other.getByTestId('profile-result')).toBeVisible();

  // Romeo's app reads it from the server: the new nickname, and everything else as it was.
  await romeoPage.getByTestId('contact-row').filter({ hasText: julietAccount.jid }).click();
  const detail = romeoPage.getByTestId('contact-detail');
  await detail.getByRole('button', { name: /Refresh/ }).click();
  const card = detail.getByTestId('profile-card');
  await expect(card).toContainText('“Juliet of Verona”');
  await expect(card.getByTestId('profile-name')).toHaveText('Juliet Capulet');
  await expect(card).toContainText('juliet@capulet.lit');
  await expect(card).toContainText('+39 045 123 4567');
  await expect(card).toContainText('Wherefore art thou?');

  // She clears the nickname: the preview says it goes, and it goes from what contacts read (the vCard and
  // the nickname node alike); romeo's page hears of it without a refresh.
  await otherForm.getByLabel('Nickname').fill('');
  await expect(other.getByTestId('profile-change')).toHaveText(['Nickname: removed (was Juliet of Verona)']);
  // The last publish's report is not about these edits.
  await expect(other.getByTestId('profile-result')).toContainText('Before the changes above, your last publish was reported as:');
  await checkEveryLook(other, 'my-profile-pending', saveScreenshot);
  await otherForm.getByRole('button', { name: 'Publish changes' }).click();
  await expect(other.getByTestId('profile-result')).toContainText('Published. Your server reports:');
  await expect(other.getByTestId('profile-result')).toContainText('Nickname: withdrawn, contacts see none');
  // Settled: nothing left to publish.
  await expect(other.getByTestId('profile-changes')).toContainText('Nothing yet');
  await expect(otherForm.getByRole('button', { name: 'Publish changes' })).toBeDisabled();
  await expect(card.getByTestId('profile-name')).toHaveText('Juliet Capulet');
  await expect(card).not.toContainText('Juliet of Verona');
  await expect(card).not.toContainText('“');
  await detail.getByRole('button', { name: /Refresh/ }).click();
  await expect(card).toContainText('Wherefore art thou?');
  await expect(card).not.toContainText('“');
  // Her own profile's notifications are no contact's update in her Activity.
  for (const own of [julietPage, other]) {
    await own.getByRole('button', { name: 'Activity', exact: true }).click();
    await expect(own.getByTestId('activity-entry').filter({ hasText: 'Published your profile' }).first()).toBeVisible();
    // With who may read it, as a key's publish says.
    await expect(own.getByTestId('activity-entry').filter({ hasText: 'Published your profile' }).first().getByTestId('activity-audience')).toHaveText(/^for /);
    await expect(own.getByTestId('activity-entry').filter({ hasText: `Profile update from ${julietAccount.jid}` })).toHaveCount(0);
  }
  await other.getByRole('button', { name: 'My profile', exact: true }).click();

  // Offline, the second instance still starts from its copy, and says so.
  await other.getByRole('button', { name: 'Account', exact: true }).click();
  await other.getByRole('button', { name: 'Disconnect' }).click();
  await other.getByRole('button', { name: 'My profile', exact: true }).click();
  await expect(other.getByTestId('profile-source')).toContainText('Offline: showing your profile as kept on this computer');
  await expect(otherForm.getByLabel('Nickname')).toHaveValue('');
  await expect(otherForm.getByLabel('Full name')).toHaveValue('Juliet Capulet');
  // A change made now waits for the connection (the queue); with nothing changed there is nothing to send.
  await expect(otherForm.getByRole('button', { name: 'Publish when online' })).toBeDisabled();
  await saveScreenshot('my-profile-offline', other);
  expect(await axeViolations(other), 'profile offline').toEqual([]);
});

test('juliet’s own spelling goes out as typed: a Persian nickname with ZWNJ and emoji joined by ZWJ read back from the server; a direction control is said under its field, and left out', async ({
  browser,
  friendsInTwoWindows,
  launchApp,
  saveScreenshot,
}) => {
  test.setTimeout(180_000);
  // Persian "I want" needs its ZWNJ U+200C; a family and a couple with heart are one picture each by ZWJ U+200D.
  const persian = 'می\u200Cخواهم';
  const note = `Family: 👨\u200D👩\u200D👧\nUs: 👩\u200D❤\uFE0F\u200D👨`;
  const { julietAccount, julietPage, romeoPage } = await friendsInTwoWindows();
  await signIn(julietPage, julietAccount);
  await julietPage.getByRole('button', { name: 'My profile', exact: true }).click();
  const form = julietPage.getByRole('form', { name: 'Profile' });
  await expect(julietPage.getByTestId('profile-source')).toContainText('as your server holds it');
  await form.getByLabel('Full name').fill('Juliet Capulet');
  await form.getByLabel('Nickname').fill(persian);
  await form.getByLabel('Note').fill(note);
  // A right-to-left override pasted with the organisation: said under the field, and not in what publishing changes.
  await form.getByLabel('Organisation').fill('House Capulet\u202E');
  // One web address per line, as the label says: a map's address with a comma is one address, refused by nothing.
  await form.getByLabel('Web addresses (one per line)').fill('https://maps.example/@45.43,10.99');
  await expect(julietPage.getByTestId('profile-problem')).toHaveCount(0);
  const notice =
    'The organisation holds a text-direction control (U+202E), which publishing leaves out: it could make contacts’ apps show the text around it in another order.';
  await expect(julietPage.getByTestId('profile-notice')).toHaveText([notice]);
  await expect(form.getByLabel('Organisation')).toHaveAccessibleDescription(notice);
  await form.getByLabel('Contacts who see my presence').check();
  const changes = julietPage.getByTestId('profile-change');
  await expect(changes.filter({ hasText: 'Nickname' })).toHaveText(`Nickname: added ${persian}`);
  await expect(changes.filter({ hasText: 'Organisation' })).toHaveText('Organisation: added House Capulet');
  // Not a problem: Publish stays enabled.
  await expect(form.getByRole('button', { name: 'Publish changes' })).toBeEnabled();
  await checkEveryLook(julietPage, 'my-profile-left-out', saveScreenshot);
  await form.getByRole('button', { name: 'Publish changes' }).click();
  await expect(julietPage.getByTestId('profile-result')).toContainText('Published. Your server reports:');
  // Settled: what went out is what the form holds, less what it said it would leave out.
  await expect(julietPage.getByTestId('profile-changes')).toContainText('Nothing yet');

  // Another app instance of juliet's, with a vault of its own, reads it back from the server: as typed.
  const other = await (await browser.newContext()).newPage();
  await openApp(other, (await launchApp()).url);
  await signIn(other, julietAccount);
  await other.getByRole('button', { name: 'My profile', exact: true }).click();
  const otherForm = other.getByRole('form', { name: 'Profile' });
  await expect(otherForm.getByLabel('Nickname')).toHaveValue(persian);
  await expect(otherForm.getByLabel('Note')).toHaveValue(note);
  await expect(otherForm.getByLabel('Organisation')).toHaveValue('House Capulet');
  await expect(otherForm.getByLabel('Web addresses (one per line)')).toHaveValue('https://maps.example/@45.43,10.99');
  await expect(other.getByTestId('profile-changes')).toContainText('Nothing yet');

  // Romeo's app reads it as a contact's: the joiners are spelling there too.
  await romeoPage.getByTestId('contact-row').filter({ hasText: julietAccount.jid }).click();
  const detail = romeoPage.getByTestId('contact-detail');
  await detail.getByRole('button', { name: /Refresh/ }).click();
  const card = detail.getByTestId('profile-card');
  await expect(card).toContainText(`“${persian}”`);
  await expect(card).toContainText('👨\u200D👩\u200D👧');
  await expect(card).toContainText('👩\u200D❤\uFE0F\u200D👨');
});
