/**
 * The OMEMO "Compare fingerprint…" form, by keyboard in the smallest window: it opens with focus in its
 * field, in sight with its buttons (focus fell to the page, the form below the window's bottom); Cancel
 * puts focus back on "Compare fingerprint…"; after a match focus is on the device's trust line, so a
 * second Enter takes nothing back.
 */
import { join } from 'node:path';
import type { Element } from '@xmpp/xml';
import { NS } from '../../main/xmpp/namespaces';
import { publishRequest } from '../../main/xmpp/pubsub';
import { expected, fixtureItem } from '../unit/protocols/fixtures';
import { connectWith, expect, outOfView, SCREENSHOT_DIR, signIn, SIZES, test } from './fixtures';

test('the OMEMO compare form takes focus and comes into sight; Cancel and a match leave focus beside the device', async ({ friendsInTwoWindows }) => {
  test.setTimeout(120_000);
  const { julietAccount, romeoAccount, julietPage: page } = await friendsInTwoWindows();
  const romeo = await connectWith(romeoAccount);
  for (const [node, fixture] of [
    [`${NS.omemoAxolotlBundles}:${expected.profanityDeviceId}`, 'profanity-axolotl-bundle'],
    [NS.omemoAxolotlDevices, 'profanity-axolotl-devicelist'],
  ] as const) {
    const item = fixtureItem(fixture);
    await romeo.session.iq.set(publishRequest(node, { id: item.id, payload: item.payload as Element }), romeo.jid);
  }
  await romeo.session.disconnect();

  await page.setViewportSize(SIZES[1]);
  await signIn(page, julietAccount);
  await expect(page.getByTestId('connection-status')).toHaveText(/Online/);
  await page.getByRole('button', { name: 'Contacts', exact: true }).click();
  await page.getByTestId('contact-row').filter({ hasText: romeoAccount.jid }).click();
  const device = page.getByTestId('other-app-keys').locator(`[data-testid="other-key"][data-device="${expected.profanityDeviceId}"]`);
  const trust = device.getByTestId('other-key-trust');
  await expect(trust).toContainText('Trusted, not verified');

  const open = device.getByRole('button', { name: 'Compare fingerprint…' });
  await open.focus();
  await page.keyboard.press('Enter');
  const field = device.getByLabel(/fingerprint, as their app shows it/);
  await expect(field).toBeFocused();
  const controls = { field, compare: device.getByRole('button', { name: 'Compare', exact: true }), cancel: device.getByRole('button', { name: 'Cancel' }) };
  expect(await outOfView(page, page.getByRole('main'), controls), 'at 800×600, the form just opened: out of sight').toEqual([]);
  for (const size of [SIZES[1], SIZES[0]]) {
    await page.setViewportSize(size);
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      await page.screenshot({ path: join(SCREENSHOT_DIR, `omemo-compare-open-${size.width}x${size.height}-${colorScheme}.png`) });
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });

  // Cancel: back on the button that opened it.
  await controls.cancel.focus();
  await page.keyboard.press('Enter');
  await expect(open).toBeFocused();

  // The right fingerprint, Enter, Enter: verified, and still verified; focus on the trust line.
  await page.keyboard.press('Enter');
  await field.fill(expected.profanityOmemoFingerprint);
  await page.keyboard.press('Enter');
  await expect(trust).toHaveAttribute('data-decision', 'verified');
  await expect(trust).toBeFocused();
  await page.keyboard.press('Enter');
  await page.waitForTimeout(1_500);
  await expect(trust).toHaveAttribute('data-decision', 'verified');
});
