/**
 * Other apps' keys on screen: a contact's OMEMO devices in the contact view, with the fingerprint the
 * way Profanity printed it (groups of 8), and the user's own devices on My keys, where a device without
 * a bundle is flagged stale and is removed only after a confirmation that names it. The items are those
 * real clients published (test/fixtures/interop), put on the test server by a test-side session. A
 * device whose identity key changes warns (on the row, in the Contacts count, in Activity) until it is
 * verified or accepted; a comparison with the wrong fingerprint verifies nothing and shows red until a
 * comparison matches after it; a verification can be taken back (the red note stays gone).
 */
import xml, { type Element } from '@xmpp/xml';
import { NS } from '../../main/xmpp/namespaces';
import { publishRequest } from '../../main/xmpp/pubsub';
import type { ConnectParams } from '../../contract';
import type { Actor } from '../support/scenario';
import { expected, fixtureItem } from '../unit/protocols/fixtures';
import type { Page } from '@playwright/test';
import { formatOtherKeyFingerprint } from '../../contract/format';
import { OTHER_KEY_LIMITS } from '../../contract/limits';
import { axeViolations, checkEveryLook, connectWith, expect, outOfView, signIn, signOut, SIZES, test } from './fixtures';

/** Light and dark, 1280×800 and 800×600: axe finds nothing, nothing spills sideways, a screenshot is kept. */
async function checkEveryWay(page: Page, name: string, saveScreenshot: (name: string, page?: Page) => Promise<void>): Promise<void> {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    for (const size of [{ width: 1280, height: 800 }, { width: 800, height: 600 }]) {
      await page.setViewportSize(size);
      const where = `${name} at ${size.width}×${size.height}, ${colorScheme}`;
      const sideways = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(sideways, `${where}: the page scrolls sideways`).toBeLessThanOrEqual(0);
      await saveScreenshot(`${name}-${size.width}x${size.height}-${colorScheme}`, page);
      expect(await axeViolations(page), where).toEqual([]);
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 1280, height: 800 });
}

/** Signs in, opens the contact, and finds their other apps' keys and Profanity's device among them. */
async function openProfanityDevice(page: Page, account: ConnectParams, contact: string) {
  await signIn(page, account);
  await expect(page.getByTestId('connection-status')).toHaveText(/Online/);
  await page.getByRole('button', { name: 'Contacts', exact: true }).click();
  await page.getByTestId('contact-row').filter({ hasText: contact }).click();
  const section = page.getByTestId('other-app-keys');
  return { section, device: section.locator(`[data-testid="other-key"][data-device="${expected.profanityDeviceId}"]`) };
}

async function publish(actor: Actor, node: string, fixture: string): Promise<void> {
  const item = fixtureItem(fixture);
  await actor.session.iq.set(publishRequest(node, { id: item.id, payload: item.payload as Element }), actor.jid);
}

test('a contact’s OMEMO devices in the contact view; an own stale device removed after a confirmation', async ({ friendsInTwoWindows, saveScreenshot }) => {
  test.setTimeout(90_000);
  const { julietAccount, romeoAccount, julietPage: page } = await friendsInTwoWindows();
  const [romeo, juliet] = await Promise.all([connectWith(romeoAccount), connectWith(julietAccount)]);
  // Romeo's Profanity: device 1659897886 with its bundle, and 31415 listed without one.
  await publish(romeo, `${NS.omemoAxolotlBundles}:${expected.profanityDeviceId}`, 'profanity-axolotl-bundle');
  await publish(romeo, NS.omemoAxolotlDevices, 'profanity-axolotl-devicelist');
  // Juliet's own account: nbxmpp's device 1717 with a bundle, 424242 without.
  await publish(juliet, `${NS.omemoAxolotlBundles}:1717`, 'nbxmpp-axolotl-bundle-1717');
  await publish(juliet, NS.omemoAxolotlDevices, 'nbxmpp-axolotl-devicelist');
  await Promise.all([romeo.session.disconnect(), juliet.session.disconnect()]);

  const { section, device: profanity } = await openProfanityDevice(page, julietAccount, romeoAccount.jid);
  await expect(profanity.getByTestId('other-key-fingerprint')).toHaveText(expected.profanityOmemoFingerprint.replace(/-/g, ' '));
  await expect(profanity).toHaveAttribute('data-state', 'known');
  // Read a second ago, for the first time: never "Seen before" (walk 6), but since when the app knows it.
  await expect(profanity).toContainText(/Known since \d{1,2} [A-Z][a-z]{2} \d{4}/);
  await expect(profanity).not.toContainText('Seen before');
  // Listed without a bundle: the contact's app published no keys for it, which is no error of reading.
  await expect(section.locator('[data-testid="other-key"][data-device="31415"]').getByTestId('other-key-no-fingerprint')).toHaveText(
    'No fingerprint: the app on this device published no keys for it.',
  );
  await expect(section.locator('[data-testid="other-key"][data-device="31415"]')).not.toContainText('no bundle published');
  await checkEveryWay(page, 'other-app-keys-contact', saveScreenshot);

  await page.getByRole('button', { name: 'My keys', exact: true }).click();
  const own = page.getByTestId('own-devices');
  const stale = own.locator('[data-testid="other-key"][data-device="424242"]');
  await expect(stale).toContainText('Stale');
  await expect(own.locator('[data-testid="other-key"][data-device="1717"]')).not.toContainText('Stale');

  // Escape leaves everything as it was.
  await stale.getByRole('button', { name: 'Remove from the list…' }).click();
  const dialog = page.getByTestId('remove-device-dialog');
  await expect(dialog.getByTestId('remove-device-name')).toContainText('OMEMO device 424242');
  await checkEveryWay(page, 'other-app-keys-remove-confirm', saveScreenshot);
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(stale).toHaveAttribute('data-state', 'known');

  await stale.getByRole('button', { name: 'Remove from the list…' }).click();
  await dialog.getByRole('button', { name: 'Remove device', exact: true }).click();
  await expect(dialog).toBeHidden();
  await expect(stale).toHaveAttribute('data-state', 'removed');
  await expect(stale.getByRole('button', { name: 'Remove from the list…' })).toHaveCount(0);
  await saveScreenshot('other-app-keys-own-removed', page);
});

/** Each group of a compared fingerprint on one line (none split across two), in every compared fingerprint shown. */
async function expectGroupsWhole(page: Page, where: string): Promise<void> {
  const split = await page
    .getByTestId('compared-fingerprint')
    .locator('code[aria-label] > *')
    .evaluateAll((groups) => groups.filter((g) => g.getClientRects().length !== 1).map((g) => g.textContent));
  expect(split, `${where}: groups split across lines`).toEqual([]);
}

test('a near miss of an OMEMO device: the typing hint, the whole fingerprint with its differing group marked, badges that do not reassure', async ({
  friendsInTwoWindows,
  saveScreenshot,
}) => {
  test.setTimeout(120_000);
  const { julietAccount, romeoAccount, julietPage: page } = await friendsInTwoWindows();
  const romeo = await connectWith(romeoAccount);
  await publish(romeo, `${NS.omemoAxolotlBundles}:${expected.profanityDeviceId}`, 'profanity-axolotl-bundle');
  await publish(romeo, NS.omemoAxolotlDevices, 'profanity-axolotl-devicelist');
  await romeo.session.disconnect();

  const { section, device } = await openProfanityDevice(page, julietAccount, romeoAccount.jid);
  await expect(device.getByTestId('other-key-trust')).toContainText('Trusted, not verified');
  // Profanity's fingerprint with its last digit misread: its first 63 digits are exactly Romeo's.
  const real = expected.profanityOmemoFingerprint.replace(/-/g, '');
  const nearMiss = `${real.slice(0, 63)}${real.endsWith('0') ? '1' : '0'}`;
  const lastGroup = formatOtherKeyFingerprint('omemo', nearMiss).split(' ').at(-1) ?? '';

  await device.getByRole('button', { name: 'Compare fingerprint…' }).click();
  const field = device.getByLabel(/fingerprint, as their app shows it/);
  const hint = device.getByRole('status');
  // Junk: the format error on submit is the only message, no hint beside it.
  await field.fill('not a fingerprint');
  await expect(hint).toHaveCount(0);
  // Digits that agree so far, counted against the key's 64; digits that already differ say where.
  await field.fill(real.slice(0, 12));
  await expect(hint).toHaveText('The first 12 of 64 digits agree; compare the rest too.');
  await field.fill(`${real.slice(0, 9)}${real[9] === 'f' ? '0' : 'f'}`);
  await expect(hint).toHaveText('They differ from this key at digit 10.');
  // All 64 digits, as Profanity writes them (dashes), one of them wrong: not "agree so far".
  await field.fill(formatOtherKeyFingerprint('omemo', nearMiss).split(' ').join('-'));
  await expect(hint).toHaveText('They do not match this key.');

  // Compared at the smallest size, the Compare button just scrolled into sight at the window's bottom:
  // the explanation that comes above the buttons does not leave them (nor the field) out of sight.
  await page.setViewportSize({ width: 800, height: 600 });
  const compare = device.getByRole('button', { name: 'Compare', exact: true });
  await compare.evaluate((button) => button.scrollIntoView({ block: 'end' }));
  await compare.click();
  const inForm = device.getByTestId('other-key-compare-mismatch');
  await expect(inForm.getByLabel('The fingerprint you compared')).toHaveText(formatOtherKeyFingerprint('omemo', nearMiss));
  await expect(field).toBeFocused();
  const hidden = await outOfView(page, page.getByRole('main'), { field, compare, cancel: device.getByRole('button', { name: 'Cancel' }) });
  expect(hidden, 'at 800×600 after a mismatch: out of sight without scrolling').toEqual([]);
  await page.setViewportSize({ width: 1280, height: 800 });
  await expect(inForm.getByTestId('differing-group')).toHaveText(lastGroup);
  await expect(inForm.getByTestId('compared-differs')).toContainText('in group 8 of 8');
  // Main's decision is kept (a mismatch changes no trust); the badge beside it does not reassure.
  await expect(device.getByTestId('other-key-trust')).toHaveAttribute('data-decision', 'trusted');
  await expect(device.getByTestId('other-key-trust')).toContainText('Not verified — a comparison failed');
  await expect(device.getByTestId('other-key-trust')).not.toContainText('Trusted, not verified');
  await checkEveryWay(page, 'other-app-keys-near-miss-form', saveScreenshot);

  await device.getByRole('button', { name: 'Cancel' }).click();
  const alert = section.getByTestId('other-keys-mismatch');
  await expect(alert.getByLabel('The fingerprint you compared')).toHaveText(formatOtherKeyFingerprint('omemo', nearMiss));
  await expect(alert.getByTestId('differing-group')).toHaveText(lastGroup);
  await expect(alert.getByTestId('compared-differs')).toContainText(`It differs from their key ${real.slice(0, 8)} ${real.slice(8, 16)}… in group 8 of 8`);
  await expect(device.getByTestId('other-key-trust')).toContainText('Not verified — a comparison failed');
  await checkEveryWay(page, 'other-app-keys-near-miss', saveScreenshot);
  for (const size of [{ width: 1280, height: 800 }, { width: 800, height: 600 }]) {
    await page.setViewportSize(size);
    await expectGroupsWhole(page, `${size.width}×${size.height}`);
  }
  await page.setViewportSize({ width: 1280, height: 800 });

  // Activity quotes it whole too, in the same groups, the same group marked.
  await page.getByRole('button', { name: 'Activity', exact: true }).click();
  const row = page.getByTestId('activity-entry').filter({ hasText: 'did NOT match any OMEMO device' });
  await expect(row.getByLabel('The fingerprint you compared')).toHaveText(formatOtherKeyFingerprint('omemo', nearMiss));
  await expect(row.getByTestId('differing-group')).toHaveText(lastGroup);
  await page.getByRole('button', { name: 'Account', exact: true }).click();
  await signOut(page);
});

test('a changed OMEMO device warns until accepted; a wrong fingerprint is a mismatch; the right one verifies; the verification is taken back, the mismatch still answered', async ({ friendsInTwoWindows, saveScreenshot }) => {
  test.setTimeout(150_000);
  const { julietAccount, romeoAccount, julietPage: page } = await friendsInTwoWindows();
  const romeo = await connectWith(romeoAccount);
  const bundleNode = `${NS.omemoAxolotlBundles}:${expected.profanityDeviceId}`;
  await publish(romeo, bundleNode, 'profanity-axolotl-bundle');
  await publish(romeo, NS.omemoAxolotlDevices, 'profanity-axolotl-devicelist');

  const { section, device } = await openProfanityDevice(page, julietAccount, romeoAccount.jid);
  // Trust on first use: trusted, not verified.
  await expect(device.getByTestId('other-key-trust')).toHaveAttribute('data-decision', 'trusted');

  // Another identity key under the same device id (what someone who took over the account would publish).
  await publish(romeo, bundleNode, 'nbxmpp-axolotl-bundle-1717');
  await romeo.session.disconnect();
  await section.getByRole('button', { name: 'Read again' }).click();
  await expect(device).toHaveAttribute('data-state', 'changed');
  await expect(device.getByTestId('other-key-trust')).toHaveAttribute('data-decision', 'changed');
  await expect(page.getByRole('button', { name: new RegExp(`^Contacts\\W+1 changed key: ${romeoAccount.jid.replace('.', '\\.')}`) })).toBeVisible();

  // Comparing with the fingerprint Profanity printed before: nothing is verified, and it says so in red.
  await device.getByRole('button', { name: 'Compare fingerprint…' }).click();
  await device.getByLabel(/fingerprint, as their app shows it/).fill(expected.profanityOmemoFingerprint);
  await expect(device.getByRole('status')).toHaveText('They do not match this key.');
  await device.getByRole('button', { name: 'Compare', exact: true }).click();
  await expect(device.getByTestId('other-key-compare-mismatch')).toBeVisible();
  await expect(device).toHaveAttribute('data-state', 'changed');
  await checkEveryWay(page, 'other-app-keys-changed-mismatch', saveScreenshot);

  // Accepting clears the warning everywhere; trust on first use then trusts it.
  // Closing the form, the contact's keys still say it in red.
  await device.getByRole('button', { name: 'Cancel' }).click();
  await expect(section.getByTestId('other-keys-mismatch')).toBeVisible();
  await device.getByRole('button', { name: 'Accept without comparing…' }).click();
  // Asked first, Cancel focused: the risk is named before the alarm goes.
  const acceptDialog = page.getByTestId('accept-other-key-dialog');
  await expect(acceptDialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await expect(acceptDialog).toContainText(`OMEMO device ${expected.profanityDeviceId} changed since you last saw it`);
  await expect(acceptDialog).toContainText('If someone else published it, they can read what you encrypt to it.');
  for (const size of SIZES) {
    await page.setViewportSize(size);
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      await saveScreenshot(`other-app-keys-accept-confirm-${size.width}x${size.height}-${colorScheme}`, page);
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize(SIZES[0]);
  await acceptDialog.getByRole('button', { name: 'Accept without comparing' }).click();
  await expect(device).toHaveAttribute('data-state', 'known');
  await expect(device.getByTestId('other-key-trust')).toHaveAttribute('data-decision', 'trusted');
  // The change is answered; the comparison that matched nothing is not: still counted, as that.
  await expect(section.getByTestId('other-keys-mismatch')).toBeVisible();
  await expect(page.getByTestId('attention')).toHaveText(/^A fingerprint you compared matched none of the keys of this contact/);

  // The new key's fingerprint, as Conversations writes it: verified, and the red note goes.
  await device.getByRole('button', { name: 'Compare fingerprint…' }).click();
  await device.getByLabel(/fingerprint, as their app shows it/).fill(formatOtherKeyFingerprint('omemo', expected.nbxmppBundle1717Fingerprint));
  await expect(device.getByRole('status')).toHaveText('They match.');
  await device.getByRole('button', { name: 'Compare', exact: true }).click();
  await expect(device.getByTestId('other-key-trust')).toHaveAttribute('data-decision', 'verified');
  await expect(section.getByTestId('other-keys-mismatch')).toHaveCount(0);
  await expect(page.getByTestId('attention')).toHaveCount(0);
  await checkEveryLook(page, 'other-app-keys-verified', saveScreenshot);

  // A mistaken verification taken back: accepted before it was compared, so trusted again as accepted.
  await device.getByRole('button', { name: 'Take back verification' }).click();
  await expect(device.getByTestId('other-key-trust')).toHaveAttribute('data-decision', 'trusted');
  await expect(device).toHaveAttribute('data-state', 'known');
  await expect(device.getByRole('button', { name: 'Take back verification' })).toHaveCount(0);
  await expect(device.getByTestId('other-key-trust')).toContainText('accepted without comparing');
  await expect(device.getByRole('button', { name: 'Compare fingerprint…' })).toBeVisible();
  // The button pressed is gone: focus goes to what took its place beside the device, not to the page.
  await expect(device.getByRole('button', { name: 'Compare fingerprint…' })).toBeFocused();
  // The wrong comparison was answered by the right one, which still happened: its red note stays gone.
  await expect(section.getByTestId('other-keys-mismatch')).toHaveCount(0);

  await page.getByRole('button', { name: 'Activity', exact: true }).click();
  await expect(page.getByText(`You took back the verification of OMEMO device ${expected.profanityDeviceId}`)).toHaveCount(1);
  // Romeo's own doing, no alarm: a plain line, not in the alarm style of a changed device.
  await expect(page.getByTestId('activity-entry').filter({ hasText: 'You took back the verification of OMEMO device' })).toHaveClass(/\btaken-back\b/);
  await expect(page.getByText('has another key than before: compare it')).toHaveCount(1);
  await expect(page.getByText(/did NOT match any OMEMO device/)).toHaveCount(1);
  await saveScreenshot('other-app-keys-activity', page);
  await page.getByRole('button', { name: 'Account', exact: true }).click();
  await signOut(page);
});

test('a verified device behind more new ids than the app reads stays verified and listed; what is not shown is said', async ({ friendsInTwoWindows, saveScreenshot }) => {
  test.setTimeout(150_000);
  const { julietAccount, romeoAccount, julietPage: page } = await friendsInTwoWindows();
  const romeo = await connectWith(romeoAccount);
  await publish(romeo, `${NS.omemoAxolotlBundles}:${expected.profanityDeviceId}`, 'profanity-axolotl-bundle');
  await publish(romeo, NS.omemoAxolotlDevices, 'profanity-axolotl-devicelist');

  const { section, device } = await openProfanityDevice(page, julietAccount, romeoAccount.jid);
  await device.getByRole('button', { name: 'Compare fingerprint…' }).click();
  await device.getByLabel(/fingerprint, as their app shows it/).fill(expected.profanityOmemoFingerprint);
  await device.getByRole('button', { name: 'Compare', exact: true }).click();
  await expect(device.getByTestId('other-key-trust')).toHaveAttribute('data-decision', 'verified');

  // The list now names more new ids than the app reads, all ahead of the two devices it knows.
  const fresh = Array.from({ length: OTHER_KEY_LIMITS.listedDevices }, (_, i) => String(1000 + i));
  const ids = [...fresh, '31415', String(expected.profanityDeviceId)];
  const list = xml('list', { xmlns: NS.omemoAxolotl }, ...ids.map((id) => xml('device', { id })));
  await romeo.session.iq.set(publishRequest(NS.omemoAxolotlDevices, { id: 'current', payload: list }), romeo.jid);
  await romeo.session.disconnect();
  await section.getByRole('button', { name: 'Read again' }).click();
  await expect(section.getByTestId('other-keys-left-out')).toHaveText(
    '2 more listed devices or keys are not shown: the app reads at most 64 devices per OMEMO list and 32 OpenPGP keys, those it already knows first.',
  );
  await expect(device).toHaveAttribute('data-state', 'known');
  await expect(device.getByTestId('other-key-trust')).toHaveAttribute('data-decision', 'verified');
  await expect(section.locator('[data-testid="other-key"][data-device="31415"]')).not.toHaveAttribute('data-state', 'removed');
  await expect(section.locator('[data-testid="other-key"][data-state="removed"]')).toHaveCount(0);
  await section.getByTestId('other-keys-left-out').scrollIntoViewIfNeeded();
  await checkEveryWay(page, 'other-app-keys-list-over-cap', saveScreenshot);
});

// XEP-0373 §5.1: a key must name its sender (User ID "xmpp:" + address). Profanity's key names
// mercutio-77be59@…; published by romeo, it is someone else's key under romeo's name.
test('an OpenPGP key whose User ID names another address: marked, never trusted, and comparing it verifies nothing', async ({ friendsInTwoWindows, saveScreenshot }) => {
  test.setTimeout(150_000);
  const { julietAccount, romeoAccount, julietPage: page } = await friendsInTwoWindows();
  const romeo = await connectWith(romeoAccount);
  await publish(romeo, `${NS.openpgpPublicKeys}:${expected.gpgFingerprint}`, 'profanity-openpgp-key');
  await publish(romeo, NS.openpgpPublicKeys, 'profanity-openpgp-public-keys-list');
  await romeo.session.disconnect();

  const { section } = await openProfanityDevice(page, julietAccount, romeoAccount.jid);
  const key = section.locator('[data-testid="other-key"][data-protocol="openpgp"]');
  await expect(key.getByTestId('other-key-for-another-address')).toHaveText('Issued for another address', { timeout: 20_000 });
  await expect(key).toContainText(`Issued for another address: it names “${expected.gpgUserId}”, not xmpp:${romeoAccount.jid}. Never trusted as theirs.`);
  await expect(key.getByTestId('other-key-trust')).toHaveAttribute('data-decision', 'untrusted');
  await expect(key.getByTestId('other-key-trust')).toContainText('Not trusted: not issued for them');
  // Nothing to compare: its fingerprint, matched, would still not make it romeo's (main refuses it too,
  // test/unit/other-app-keys-service.test.ts).
  await expect(key.getByRole('button', { name: 'Compare fingerprint…' })).toHaveCount(0);
  await expect(key).toContainText('created 2 Dec 2026');
  await expect(key).toContainText('Known since');
  await checkEveryWay(page, 'other-app-keys-for-another-address', saveScreenshot);
});
