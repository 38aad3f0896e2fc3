/**
 * The desktop experience end to end, two app instances playing juliet and romeo on a real ejabberd
 * (the server with roster-group access): juliet generates a key and publishes it for "Friends" only;
 * romeo's window shows it live with the right fingerprint; the nurse is refused; juliet replaces it and
 * romeo's window warns that the key changed; romeo compares fingerprints and marks the new key verified.
 */
import { fetchItems } from '../../main/xmpp/fetch-items';
import { NS } from '../../main/xmpp/namespaces';
import { befriend } from '../support/scenario';
import { accountOn, axeViolations, connectWith, expect, generateKey, openApp, ownKey, signIn, test } from './fixtures';

test('juliet publishes for Friends; romeo sees it live, then a changed key is flagged and verified', async ({
  browser,
  ejabberd,
  launchApp,
  saveScreenshot,
}) => {
  test.setTimeout(120_000);
  const account = (role: string, domain: string) => accountOn(ejabberd.info, role, domain);
  const [julietAccount, romeoAccount, nurseAccount] = await Promise.all([
    account('juliet', 'capulet.lit'),
    account('romeo', 'montague.lit'),
    account('nurse', 'capulet.lit'),
  ]);

  // Subscriptions and groups, made the way any client makes them (test-side sessions).
  const [juliet, romeo, nurse] = await Promise.all([
    connectWith(julietAccount),
    connectWith(romeoAccount),
    connectWith(nurseAccount),
  ]);
  await befriend(juliet, romeo, ['Friends']);
  await befriend(juliet, nurse, ['Servants']);
  await Promise.all([juliet, romeo].map((a) => a.session.disconnect()));

  const [julietApp, romeoApp] = await Promise.all([launchApp(), launchApp()]);
  const julietPage = await (await browser.newContext()).newPage();
  const romeoPage = await (await browser.newContext({ colorScheme: 'dark' })).newPage();

  // Romeo first: online, looking at juliet, before she publishes anything.
  await openApp(romeoPage, romeoApp.url);
  await signIn(romeoPage, romeoAccount);
  await expect(romeoPage.getByTestId('connection-status')).toHaveText(/Online/);
  await romeoPage.getByRole('button', { name: 'Contacts' }).click();
  await romeoPage.getByTestId('contact-row').filter({ hasText: julietAccount.jid }).click();
  await expect(romeoPage.getByTestId('no-keys')).toBeVisible();
  // In words, not "X.509" (review walk 4, item 20), pointing to where their chat apps' keys are.
  await expect(romeoPage.getByTestId('no-keys')).toContainText('has not published a key for this app. Keys of their chat apps, if any, are under “Keys from other apps” below.');

  // Juliet generates and publishes for Friends only.
  await openApp(julietPage, julietApp.url);
  await signIn(julietPage, julietAccount);
  await expect(julietPage.getByTestId('connection-status')).toHaveText(/Online/);
  await saveScreenshot('01-account', julietPage);
  await julietPage.getByRole('button', { name: 'My keys' }).click();
  const firstFingerprint = await generateKey(julietPage);
  const firstKey = ownKey(julietPage, firstFingerprint);
  expect(firstFingerprint).toMatch(/^[0-9a-f]{64}$/);

  await firstKey.getByRole('button', { name: 'Publish…' }).click();
  await firstKey.getByLabel('People in roster groups I choose').check();
  await firstKey.getByLabel('Friends').check();
  await firstKey.getByRole('button', { name: 'Publish', exact: true }).click();
  await expect(firstKey.getByTestId('publish-result')).toContainText('roster group "Friends"');
  await expect(firstKey.getByTestId('publication')).toContainText('roster group "Friends"');
  await saveScreenshot('02-my-keys-published', julietPage);
  expect(await axeViolations(julietPage), 'my keys with the publish panel open').toEqual([]);
  await julietPage.keyboard.press('Escape');
  await expect(julietPage.getByTestId('publish-dialog')).toBeHidden();
  // A QR code of her own fingerprint, for comparing in person; the CSP allows it (a data: image).
  await firstKey.getByRole('button', { name: 'QR code' }).click();
  const qr = firstKey.getByTestId('fingerprint-qr');
  await expect(qr).toHaveAttribute('alt', `QR code of fingerprint ${firstFingerprint}`);
  expect(await qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);

  // Romeo's window shows it live, with the same fingerprint.
  const romeoKey = romeoPage.getByTestId('contact-key').first();
  await expect(romeoKey.getByTestId('fingerprint')).toHaveAttribute('data-fingerprint', firstFingerprint);
  await expect(romeoKey).toHaveAttribute('data-status', 'valid');
  await expect(romeoKey).toHaveAttribute('data-trust', 'unverified');
  await saveScreenshot('03-contacts-key-received', romeoPage);

  // The nurse is in "Servants": refused.
  expect((await fetchItems(nurse.session.client.iqCaller, julietAccount.jid, NS.pubkey)).status).toBe('refused');
  await nurse.session.disconnect();

  // Juliet replaces her key: a new one, the old one withdrawn.
  const secondFingerprint = await generateKey(julietPage);
  const secondKey = ownKey(julietPage, secondFingerprint);
  await firstKey.getByRole('button', { name: 'Retract…' }).click();
  await firstKey.getByTestId('retract-dialog').getByRole('button', { name: 'Retract', exact: true }).click();
  await expect(firstKey.getByTestId('publication')).toHaveCount(0);
  await secondKey.getByRole('button', { name: 'Publish…' }).click();
  await secondKey.getByLabel('People in roster groups I choose').check();
  await secondKey.getByLabel('Friends').check();
  await secondKey.getByRole('button', { name: 'Publish', exact: true }).click();
  await expect(secondKey.getByTestId('publish-result')).toBeVisible();

  // Romeo's view: the new key arrives live and is flagged as changed (ejabberd sends no retract
  // notification, so the app fetches the full set to tell a replacement from an addition).
  const changed = romeoPage.locator('[data-testid="contact-key"][data-trust="changed"]');
  await expect(changed.getByTestId('fingerprint')).toHaveAttribute('data-fingerprint', secondFingerprint);
  await expect(changed.getByRole('alert')).toContainText('replaced one you had seen');
  await expect(romeoPage.getByRole('button', { name: /Contacts/ })).toContainText('⚠ 1');
  await saveScreenshot('04-contacts-key-changed', romeoPage);
  expect(await axeViolations(romeoPage), 'contacts with a changed key (dark theme)').toEqual([]);
  // With the sidebar collapsed to icons the count stays on the Contacts icon, and in its name.
  await romeoPage.setViewportSize({ width: 800, height: 600 });
  await expect(romeoPage.getByRole('button', { name: /^Contacts\W+1 changed key: juliet-/ })).toContainText('⚠ 1');
  await saveScreenshot('04-contacts-key-changed-800x600', romeoPage);
  expect(await axeViolations(romeoPage), 'contacts with a changed key at 800×600 (dark theme)').toEqual([]);
  await romeoPage.setViewportSize({ width: 1280, height: 800 });

  // Romeo compares fingerprints and marks the new key verified.
  await changed.getByRole('button', { name: 'Compare fingerprints…' }).click();
  await romeoPage.getByLabel('Their fingerprint').fill(secondFingerprint);
  await expect(romeoPage.getByText('They match.')).toBeVisible();
  await romeoPage.getByRole('button', { name: 'Compare and verify' }).click();
  await expect(romeoPage.locator('[data-testid="contact-key"][data-trust="verified"]')).toHaveCount(1);

  await romeoPage.getByRole('button', { name: 'Activity' }).click();
  await expect(romeoPage.getByTestId('activity-entry').first()).toBeVisible();
  await saveScreenshot('05-activity', romeoPage);
});

