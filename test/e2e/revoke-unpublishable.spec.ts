/**
 * Another client of juliet's (slixmpp, with her password) sets her key node to "authorize", a model the
 * app does not offer. She revokes her key as compromised: the revoke dialog says the key is revoked here
 * and that its revocation is not out yet, and how it goes out; the key's card shows it revoked at once,
 * never usable (main revoked it, though it answered with a refusal). A renewal there first is refused in
 * main's words (the setting, and that it goes back first), and its successor, kept, is listed.
 */
import { NS } from '../../main/xmpp/namespaces';
import { driverSteps } from '../support/interop/python-driver';
import { accountOn, checkEveryLook, expect, openApp, ownKey, publishNewKey, signIn, signInOnline, test } from './fixtures';

// On ejabberd, which takes "authorize" on a PEP node (Prosody 0.12 refuses it).
test('a revoke held back by a key node set to "authorize" revokes the key here, and says so', async ({ browser, ejabberd, launchApp, saveScreenshot }) => {
  test.setTimeout(120_000);
  const server = ejabberd.info;
  const juliet = await accountOn(server, 'juliet', 'capulet.lit');
  const app = await launchApp();
  const page = await (await browser.newContext()).newPage();
  await openApp(page, app.url);
  await signIn(page, juliet);
  const fingerprint = await publishNewKey(page, 'Contacts who see my presence');
  await driverSteps('slixmpp', { jid: juliet.jid, password: juliet.password, server }, [
    { op: 'configure', node: NS.pubkey, fields: { 'pubsub#access_model': 'authorize' } },
  ]);

  const card = ownKey(page, fingerprint);
  // A renewal there: refused in main's words (the setting, what to do first), its successor kept and listed.
  await card.getByRole('button', { name: 'Renew…' }).click();
  const renew = card.getByTestId('renew-dialog');
  await renew.getByRole('button', { name: 'Renew', exact: true }).click();
  const renewNote = renew.getByTestId('renew-error');
  await expect(renewNote.getByText(/^Who can read your keys is set on the server to a setting this app cannot publish to/)).toBeVisible({ timeout: 20_000 });
  await expect(renewNote).toContainText('It is "authorize". Put it back as you published it (Restore, on the banner of My keys), then publish the new key');
  await expect(page.getByTestId('own-key')).toHaveCount(2);
  await renew.getByRole('button', { name: 'Cancel' }).click();

  await card.getByRole('button', { name: 'Revoke…' }).click();
  const revoke = card.getByTestId('revoke-dialog');
  await revoke.getByLabel(/Someone else may have its private key/).check();
  await revoke.getByRole('button', { name: 'Revoke', exact: true }).click();
  const note = revoke.getByTestId('revoke-error');
  await expect(note.getByText(/^Your key is revoked here: this app will not use it or publish it again\./)).toBeVisible({ timeout: 20_000 });
  await expect(note.getByText('It is "authorize". Put it back as you published it (Restore, on the banner of My keys)', { exact: false })).toBeVisible();
  await expect(card.getByTestId('revoked-badge')).toBeVisible();
  // Nothing is left to choose: no reasons, no second Revoke, only Close.
  await expect(revoke.getByRole('button', { name: 'Revoke', exact: true })).toHaveCount(0);
  await expect(revoke.getByRole('radio')).toHaveCount(0);
  await expect(revoke.getByRole('button', { name: 'Close' })).toBeVisible();
  await expect(revoke.getByRole('heading', { name: 'Key revoked here' })).toBeVisible();
  await checkEveryLook(page, 'revoke-held-back', saveScreenshot);
  await revoke.getByRole('button', { name: 'Close' }).click();

  // Closed, the card still says the revocation did not go out: "Revoked" alone would read as "contacts were told".
  await expect(page.getByTestId('revocation-unpublished')).toHaveCount(2);
  const unpublished = card.getByTestId('revocation-unpublished');
  await expect(unpublished).toContainText('Its revocation is not published yet, so your contacts are not told');
  await expect(card.getByTestId('revoked')).not.toContainText('contacts’ apps that read its revocation');
  await checkEveryLook(page, 'revoke-held-back-card', saveScreenshot);

  // Put back as published (by the other client here), then signed in again: the revocation goes out,
  // the warning goes, and Activity says it went out.
  await driverSteps('slixmpp', { jid: juliet.jid, password: juliet.password, server }, [
    { op: 'configure', node: NS.pubkey, fields: { 'pubsub#access_model': 'presence' } },
  ]);
  await page.getByRole('button', { name: 'Account', exact: true }).click();
  await signInOnline(page, juliet);
  await page.getByRole('button', { name: 'My keys', exact: true }).click();
  await expect(card.getByTestId('revoked-badge')).toBeVisible();
  // Both certificates of the key (the renewal's successor was revoked with it) had theirs held back.
  await expect(page.getByTestId('revocation-unpublished')).toHaveCount(0, { timeout: 20_000 });
  await expect(card.getByTestId('revoked')).toContainText('contacts’ apps that read its revocation show it as revoked');
  await page.getByRole('button', { name: 'Activity', exact: true }).click();
  // One line for each of the two, never more.
  await expect(page.getByTestId('activity-entry').filter({ hasText: 'Revocation published: held back when you revoked this key' })).toHaveCount(2);
});
