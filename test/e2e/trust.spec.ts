/**
 * Trust you can rely on, end to end with two app instances on a real Prosody (issue 13):
 * - an empty and a mismatched comparison never verify (the mismatch is shown loudly); a verification
 *   link and a picture of the QR code verify the key they name; a verification can be taken back;
 * - blind trust before verification: once romeo verified a key of juliet's, her next key is not trusted;
 * - an online rotation of a verified key (the new key published, the old one withdrawn) warns, the
 *   counter names juliet, and accepting clears it; a changed key verified and taken back warns again;
 * - a key withdrawn while romeo is offline shows withdrawn after he signs in, before he opens juliet;
 * - a key published from a second device of juliet's own account shows under her My keys, never as an
 *   alarm.
 */
import { join } from 'node:path';
import QRCode from 'qrcode';
import { verificationUri } from '../../contract/format';
import {
  checkEveryLook,
  expect,
  generateKey,
  openApp,
  outOfView,
  publishNewKey,
  SCREENSHOT_DIR,
  signIn,
  signOut,
  SIZES,
  test,
  axeViolations,
  type BrowserHostProcess,
} from './fixtures';
import type { Page } from '@playwright/test';

function publishForPresence(page: Page): Promise<string> {
  return publishNewKey(page, 'Contacts who see my presence');
}

async function retract(page: Page, fingerprint: string): Promise<void> {
  const key = page.getByTestId('own-key').filter({ has: page.locator(`[data-fingerprint="${fingerprint}"]`) });
  await key.getByRole('button', { name: 'Retract…' }).click();
  await key.getByTestId('retract-dialog').getByRole('button', { name: 'Retract', exact: true }).click();
  await expect(key.getByTestId('publication')).toHaveCount(0);
}

/**
 * After a comparison that matched nothing, at the smallest window size in both themes: the field to
 * type it again and the dialog's buttons are in sight, without scrolling inside the dialog (they were
 * pushed below its fold by the explanation of the mismatch). A screenshot of the window as it is seen
 * is kept (`NAME-800x600-THEME`); the page is left light, at the larger size.
 */
async function expectNextStepsInView(page: Page, name: string): Promise<void> {
  const dialog = page.getByTestId('compare-dialog');
  await page.setViewportSize(SIZES[1]);
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}-800x600-${colorScheme}.png`) });
    const hidden = await outOfView(page, dialog, {
      field: dialog.getByLabel('Their fingerprint or verification link'),
      submit: dialog.getByRole('button', { name: 'Compare and verify' }),
      cancel: dialog.getByRole('button', { name: 'Cancel' }),
    });
    expect(hidden, `${name} at 800×600, ${colorScheme}: out of sight without scrolling`).toEqual([]);
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize(SIZES[0]);
}

test('verification only on a match, trust policies, and changed keys that warn and can be dealt with', async ({
  friendsInTwoWindows,
  launchApp,
  browser,
  saveScreenshot,
}) => {
  test.setTimeout(240_000);
  const { julietAccount, romeoAccount, julietPage, romeoPage } = await friendsInTwoWindows();
  await signIn(julietPage, julietAccount);
  await expect(julietPage.getByTestId('connection-status')).toHaveText(/Online/);
  const first = await publishForPresence(julietPage);

  const julietRow = romeoPage.getByTestId('contact-row').filter({ hasText: julietAccount.jid });
  await julietRow.click();
  const key = (fingerprint: string) => romeoPage.locator(`[data-testid="contact-key"]:has([data-fingerprint="${fingerprint}"])`);
  await expect(key(first)).toHaveAttribute('data-decision', 'trusted');
  await expect(romeoPage.getByTestId('trust-policy-meaning')).toContainText('trusted when first seen');

  // Romeo makes a key too, so the compare view can show his own beside hers.
  await romeoPage.getByRole('button', { name: 'My keys', exact: true }).click();
  await generateKey(romeoPage);
  const romeoFingerprint = (await romeoPage.getByTestId('own-key').getByTestId('fingerprint').getAttribute('data-fingerprint')) ?? '';
  await romeoPage.getByRole('button', { name: 'Contacts', exact: true }).click();
  await julietRow.click();

  // An empty comparison cannot even be submitted; a mismatch is refused loudly and verifies nothing.
  await key(first).getByRole('button', { name: 'Compare fingerprints…' }).click();
  const dialog = romeoPage.getByTestId('compare-dialog');
  await expect(dialog.getByTestId('own-fingerprints').locator(`[data-fingerprint="${romeoFingerprint}"]`)).toBeVisible();
  await expect(dialog.getByTestId('fingerprint-qr')).toBeVisible();
  const verifyButton = dialog.getByRole('button', { name: 'Compare and verify' });
  await expect(verifyButton).toBeDisabled();
  await dialog.getByLabel('Their fingerprint or verification link').fill('   ');
  await expect(verifyButton).toBeDisabled();
  // Hex digits typed so far that agree are said to agree so far, never to match; junk gets no hint, only the format error.
  const typedField = dialog.getByLabel('Their fingerprint or verification link');
  await typedField.fill(first.slice(0, 8).toUpperCase());
  await expect(dialog.getByRole('status')).toHaveText('The first 8 of 64 digits agree; compare the rest too.');
  await typedField.fill('asdf qwer !!!');
  await expect(dialog.getByRole('status')).toHaveCount(0);
  await verifyButton.click();
  await expect(dialog.getByTestId('error')).toHaveText('A fingerprint has only the digits 0–9 and the letters a–f (spaces and colons aside).');
  // The button was disabled while comparing: focus is back in the field, to type it again.
  await expect(typedField).toBeFocused();
  await expect(dialog.getByRole('status')).toHaveCount(0);
  await typedField.fill(first.slice(0, 60));
  await verifyButton.click();
  await expect(dialog.getByTestId('error')).toHaveText('That is 60 digits; a fingerprint has 64. Type the rest to compare.');
  // A near miss: her key but for the last four digits. Shown whole, the differing group marked.
  const lastGroup = first.endsWith('0000') ? 'ffff' : '0000';
  const wrong = `${first.slice(0, 60)}${lastGroup}`;
  const grouped = (hex: string) => hex.match(/.{4}/g)?.join(' ') ?? '';
  await typedField.fill(grouped(wrong).toUpperCase());
  await verifyButton.click();
  await expect(dialog.getByTestId('compare-mismatch')).toBeVisible();
  // Where the warning stays: this contact's view here, not "their page" (read as the contact's own app).
  await expect(dialog.getByTestId('compare-mismatch')).toContainText('this contact’s view here warns until a comparison matches');
  await expect(typedField).toBeFocused();
  await expect(dialog.getByTestId('differing-group')).toHaveText(lastGroup);
  await expectNextStepsInView(romeoPage, 'trust-compare-mismatch');
  await checkEveryLook(romeoPage, 'trust-compare-mismatch', saveScreenshot);
  await romeoPage.keyboard.press('Escape');
  await expect(key(first)).toHaveAttribute('data-trust', 'unverified');
  const alert = romeoPage.getByTestId('mismatch-alert');
  await expect(alert.getByLabel('The fingerprint you compared')).toHaveText(grouped(wrong));
  await expect(alert.getByTestId('differing-group')).toHaveText(lastGroup);
  await expect(alert.getByTestId('compared-differs')).toContainText('in group 16 of 16');
  // Stored trust is main's (a mismatch changes none); the badge beside the alert does not reassure.
  await expect(key(first)).toHaveAttribute('data-decision', 'trusted');
  await expect(key(first)).not.toContainText('Trusted, not verified');
  await expect(key(first)).toContainText('Not verified — a comparison failed');
  await checkEveryLook(romeoPage, 'trust-after-mismatch', saveScreenshot);
  // Each group on one line at the smallest size: a group's four digits are never split.
  await romeoPage.setViewportSize({ width: 800, height: 600 });
  const splitGroups = await alert.getByLabel('The fingerprint you compared').evaluate((code) =>
    [...code.children].filter((group) => group.getClientRects().length > 1).map((group) => group.textContent),
  );
  expect(splitGroups).toEqual([]);
  await romeoPage.setViewportSize({ width: 1280, height: 800 });

  // Activity tells the same: the whole fingerprint compared, where it differs.
  await romeoPage.getByRole('button', { name: 'Activity', exact: true }).click();
  const mismatchRow = romeoPage.getByTestId('activity-entry').filter({ hasText: 'Fingerprints did NOT match' });
  await expect(mismatchRow.getByLabel('The fingerprint you compared')).toHaveText(grouped(wrong));
  await expect(mismatchRow.getByTestId('differing-group')).toHaveText(lastGroup);
  await checkEveryLook(romeoPage, 'trust-activity-mismatch', saveScreenshot);
  // The list and the sidebar count her too: the page's loudest alarm is not only on her page.
  const toCheckNav = romeoPage.getByRole('button', { name: /^Contacts\W+1 contact to check: juliet-.*\(a comparison matched none of their keys\)/ });
  await expect(toCheckNav).toContainText('⚠ 1');
  await toCheckNav.click();
  await expect(romeoPage.getByTestId('attention')).toContainText('A fingerprint you compared matched none of the keys of this contact: do not rely on them until a comparison matches.');
  await expect(romeoPage.getByTestId('attention').getByRole('button', { name: julietAccount.jid })).toBeVisible();
  await checkEveryLook(romeoPage, 'trust-contacts-mismatch', saveScreenshot);
  await julietRow.click();

  // A failed add shows in its dialog only, never on juliet's card behind it; Cancel clears it.
  await romeoPage.getByRole('button', { name: 'Add contact…' }).click();
  const addDialog = romeoPage.getByTestId('add-contact-dialog');
  await addDialog.getByLabel('Address').fill('not a valid jid@@');
  await addDialog.getByRole('button', { name: 'Add and ask to see presence' }).click();
  await expect(addDialog.getByTestId('error')).toBeVisible();
  const card = romeoPage.getByTestId('contact-detail');
  await expect(card.getByTestId('error')).toHaveCount(0);
  await addDialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(card.getByTestId('error')).toHaveCount(0);
  await romeoPage.getByRole('button', { name: 'Add contact…' }).click();
  await expect(addDialog.getByTestId('error')).toHaveCount(0);
  await romeoPage.keyboard.press('Escape');

  // A link for someone else is refused naming whose it is; juliet's own link verifies her key.
  await key(first).getByRole('button', { name: 'Compare fingerprints…' }).click();
  await dialog.getByLabel('Their fingerprint or verification link').fill(verificationUri(romeoAccount.jid, first));
  await verifyButton.click();
  await expect(dialog).toContainText(`This verification link is for ${romeoAccount.jid}`);
  await dialog.getByLabel('Their fingerprint or verification link').fill(verificationUri(julietAccount.jid, first));
  await verifyButton.click();
  await expect(dialog).toBeHidden();
  await expect(key(first)).toHaveAttribute('data-trust', 'verified');
  // The button that opened the comparison is gone: the keyboard's place is the key's status line,
  // never "Take back verification" (a second Enter would undo what was just done).
  await expect(key(first).getByTestId('key-status')).toBeFocused();
  await expect(romeoPage.getByTestId('mismatch-alert')).toHaveCount(0);
  await expect(romeoPage.getByTestId('attention')).toHaveCount(0);

  // Taken back, then verified again from a picture of her QR code.
  await key(first).getByRole('button', { name: 'Take back verification' }).click();
  await expect(key(first)).toHaveAttribute('data-trust', 'unverified');
  // The mismatch before was answered by the comparison that matched: taking the verification back
  // does not bring its alarm back ("someone may be between you").
  await expect(romeoPage.getByTestId('mismatch-alert')).toHaveCount(0);
  // The button pressed is gone: focus goes to what took its place on the key, not to the page.
  await expect(key(first).getByRole('button', { name: 'Compare fingerprints…' })).toBeFocused();
  await key(first).getByRole('button', { name: 'Compare fingerprints…' }).click();
  // A picture far too large (a hurried person's 40 MB scan) is refused in words before it is read or
  // sent: sent whole, it went past what the app takes from a page, which closed the page's connection.
  await dialog.getByTestId('qr-file').setInputFiles({ name: 'scan.png', mimeType: 'image/png', buffer: Buffer.alloc(40 * 2 ** 20, 1) });
  await expect(dialog).toContainText('“scan.png” is 40 MiB; a picture of a QR code may be at most 8 MiB.');
  await expect(romeoPage.getByRole('alert').filter({ hasText: 'connection to the app was closed' })).toHaveCount(0);
  // A picture of a QR code that names a key of hers that is not: the same mismatch, its next steps in sight.
  const wrongPng = await QRCode.toBuffer(verificationUri(julietAccount.jid, wrong), { type: 'png', margin: 2, scale: 6 });
  await dialog.getByTestId('qr-file').setInputFiles({ name: 'wrong-qr.png', mimeType: 'image/png', buffer: wrongPng });
  await expect(dialog.getByTestId('compare-mismatch')).toBeVisible();
  // A picture holds no typo: its mismatch says what to check instead.
  await expect(dialog.getByTestId('compare-mismatch')).toContainText('The code in the picture matches none of');
  await expect(dialog.getByTestId('compare-mismatch')).not.toContainText('typo');
  await expect(dialog.getByTestId('differing-group')).toHaveText(lastGroup);
  await expectNextStepsInView(romeoPage, 'trust-compare-qr-mismatch');
  const png = await QRCode.toBuffer(verificationUri(julietAccount.jid, first), { type: 'png', margin: 2, scale: 6 });
  await dialog.getByTestId('qr-file').setInputFiles({ name: 'juliet-qr.png', mimeType: 'image/png', buffer: png });
  await expect(dialog).toBeHidden();
  await expect(key(first)).toHaveAttribute('data-trust', 'verified');

  // Blind trust before verification: romeo has verified one of juliet's keys, so her next is not trusted.
  await romeoPage.getByTestId('trust-policy').getByLabel('Trust policy').selectOption('btbv');
  await expect(romeoPage.getByTestId('trust-policy-meaning')).toContainText('each new key must be verified first');
  const second = await publishForPresence(julietPage);
  await expect(key(second)).toHaveAttribute('data-decision', 'untrusted');
  await expect(key(first)).toHaveAttribute('data-decision', 'verified');
  // The first key's fingerprint typed in the second key's comparison: it matches a key of hers (the
  // first, verified already), not this one. The dialog stays and says so; the second is not verified.
  await key(second).getByRole('button', { name: 'Compare fingerprints…' }).click();
  await dialog.getByLabel('Their fingerprint or verification link').fill(first);
  await verifyButton.click();
  await expect(dialog.getByTestId('compare-matched-other')).toContainText('This key is still not verified');
  await expect(dialog).toBeVisible();
  await expect(key(second)).toHaveAttribute('data-decision', 'untrusted');
  await checkEveryLook(romeoPage, 'trust-compare-matched-other', saveScreenshot);
  await romeoPage.keyboard.press('Escape');
  await expect(dialog).toBeHidden();

  // Rotation while romeo is online: the verified key withdrawn after the new one appeared warns.
  await retract(julietPage, first);
  await expect(key(second)).toHaveAttribute('data-trust', 'changed');
  const contactsNav = romeoPage.getByRole('button', { name: new RegExp(`^Contacts\\W+1 changed key: ${julietAccount.jid.replace('.', '\\.')}`) });
  await expect(contactsNav).toContainText('⚠ 1');
  await expect(romeoPage.getByTestId('attention')).toContainText(julietAccount.jid);
  await expect(romeoPage.getByTestId('withdrawn-key').locator(`[data-fingerprint="${first}"]`)).toHaveCount(1);
  await saveScreenshot('trust-rotation-warns', romeoPage);
  expect(await axeViolations(romeoPage), 'contacts with a rotated verified key').toEqual([]);
  await key(second).getByRole('button', { name: 'Accept without comparing…' }).click();
  await romeoPage.getByTestId('accept-dialog').getByRole('button', { name: 'Accept without comparing' }).click();
  await expect(key(second)).toHaveAttribute('data-trust', 'unverified');
  // Said on the key, as on an OMEMO device: trusted because the user chose to, not because it was compared.
  await expect(key(second).getByTestId('accepted-without-comparing')).toContainText('accepted without comparing');
  await saveScreenshot('trust-accepted-without-comparing', romeoPage);
  await expect(romeoPage.getByTestId('attention')).toHaveCount(0);
  await expect(romeoPage.getByRole('button', { name: 'Contacts', exact: true })).not.toContainText('⚠');

  // Withdrawn while romeo is offline: shown as withdrawn after he signs in, before he opens juliet.
  await key(second).getByRole('button', { name: 'Compare fingerprints…' }).click();
  await dialog.getByLabel('Their fingerprint or verification link').fill(second);
  await verifyButton.click();
  await expect(key(second)).toHaveAttribute('data-trust', 'verified');
  await romeoPage.getByRole('button', { name: 'Account', exact: true }).click();
  await signOut(romeoPage);
  const third = await publishForPresence(julietPage);
  await retract(julietPage, second);
  await signIn(romeoPage, romeoAccount);
  const contactsWithWarning = romeoPage.getByRole('button', { name: /^Contacts\W+1 changed key/ });
  await expect(contactsWithWarning).toContainText('⚠ 1');
  await contactsWithWarning.click();
  await julietRow.click();
  await expect(romeoPage.getByTestId('withdrawn-key').locator(`[data-fingerprint="${second}"]`)).toHaveCount(1);
  await expect(key(second)).toHaveCount(0);
  await expect(key(third)).toHaveAttribute('data-trust', 'changed');

  // Verified (by mistake) and taken back: the change was never accepted, so the warning is back.
  await key(third).getByRole('button', { name: 'Compare fingerprints…' }).click();
  await dialog.getByLabel('Their fingerprint or verification link').fill(third);
  await verifyButton.click();
  await expect(key(third)).toHaveAttribute('data-trust', 'verified');
  await expect(romeoPage.getByTestId('attention')).toHaveCount(0);
  await key(third).getByRole('button', { name: 'Take back verification' }).click();
  await expect(key(third)).toHaveAttribute('data-trust', 'changed');
  await expect(key(third)).toHaveAttribute('data-decision', 'changed');
  await expect(key(third).getByRole('alert')).toContainText('This key replaced one you had seen');
  await expect(key(third).getByTestId('accepted-without-comparing')).toHaveCount(0);
  await expect(romeoPage.getByTestId('attention')).toContainText(julietAccount.jid);
  await expect(contactsWithWarning).toContainText('⚠ 1');
  await checkEveryLook(romeoPage, 'trust-unverified-change-warns-again', saveScreenshot);
  // Activity: taking a verification back is romeo's own doing, a plain line; only the one that left a
  // change never accepted is loud.
  await romeoPage.getByRole('button', { name: 'Activity', exact: true }).click();
  const tookBack = romeoPage.getByTestId('activity-entry').filter({ hasText: 'You took back a verification' });
  await expect(tookBack).toHaveCount(2);
  await expect(tookBack.filter({ hasText: 'compare it' })).toHaveClass(/\bchanged\b/);
  const plain = tookBack.filter({ hasNotText: 'compare it' });
  await expect(plain).toHaveClass(/\btaken-back\b/);
  const danger = await romeoPage.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--danger').trim());
  expect(danger).not.toBe('');
  const colours = await plain.locator(':scope > span').evaluate((el) => getComputedStyle(el).color);
  const dangerRgb = await romeoPage.evaluate((value) => {
    const probe = document.createElement('span');
    probe.style.color = value;
    document.body.append(probe);
    const rgb = getComputedStyle(probe).color;
    probe.remove();
    return rgb;
  }, danger);
  expect(colours).not.toBe(dangerRgb);
  await saveScreenshot('trust-activity-took-back', romeoPage);

  // A second device of juliet's own account publishes: her first window says so under My keys, no alarm.
  const secondDevice: BrowserHostProcess = await launchApp();
  const secondPage = await (await browser.newContext()).newPage();
  await openApp(secondPage, secondDevice.url);
  await signIn(secondPage, julietAccount);
  await expect(secondPage.getByTestId('connection-status')).toHaveText(/Online/);
  const fromOtherDevice = await publishForPresence(secondPage);
  await julietPage.getByRole('button', { name: 'My keys', exact: true }).click();
  await expect(julietPage.getByTestId('other-device-key').locator(`[data-fingerprint="${fromOtherDevice}"]`)).toHaveCount(1);
  await expect(julietPage.getByTestId('other-device-keys')).toContainText('Key added to your account from another device');
  await expect(julietPage.getByRole('button', { name: 'Contacts', exact: true })).not.toContainText('⚠');
  await saveScreenshot('trust-other-device', julietPage);
});
