/**
 * A sign-in the server refuses, for an address that never signed in on this app (a typo, "romoe-…"),
 * does not make that address the account the app works for (main/services/working-account.ts): no key
 * can be made, imported or restored for it, the header never names it, and a reload does not come back
 * to it. The app keeps working offline for the account that signed in before, if any; a key made then
 * is that account's, its certificate naming it.
 *
 * And the Account screen says an error under the address it is about: left and come back to, the form
 * still holds the address that failed (with its server settings) under its error; refilled after a
 * reload with the account used last, it shows no error that was another address's.
 */
import { readFile } from 'node:fs/promises';
import { X509Certificate } from 'node:crypto';
import { freePort } from '../support/prosody';
import { checkEveryLook, expect, generateKey, goTo, openApp, ownKey, reloadApp, signIn, signInOnline, signInRefused, test } from './fixtures';

/** The same address with two letters swapped, as a hurried hand types it: an account the server does not have. */
const typoOf = (jid: string) => jid.replace(/^romeo-/, 'romoe-');

test('a typo refused on a fresh app: no key can be made, imported or restored for it, and a reload does not come back to it', async ({
  page,
  launchApp,
  newAccount,
  saveScreenshot,
}) => {
  test.setTimeout(120_000);
  const app = await launchApp();
  const romeo = await newAccount('romeo');
  const typo = typoOf(romeo.jid);
  const status = page.getByTestId('connection-status');
  await openApp(page, app.url);
  await signInRefused(page, { ...romeo, jid: typo });
  // Offline, the one word for not signed in, and why: as before any sign-in, never a second word.
  await expect(page.getByTestId('connection-label')).toHaveText('Offline');
  await expect(page.getByTestId('connection-reason')).toHaveText('(address or password refused)');
  await expect(status).not.toContainText(typo);

  await goTo(page, 'My keys');
  for (const name of ['New key…', 'Import a key…', 'Restore from a backup…']) await expect(page.getByRole('button', { name })).toBeDisabled();
  await expect(page.getByTestId('keys-no-account')).toContainText('Sign in first');
  await checkEveryLook(page, 'my-keys-no-account', saveScreenshot);

  await reloadApp(page);
  await expect(status).not.toContainText(typo);
  await goTo(page, 'My keys');
  await expect(page.getByRole('button', { name: 'New key…' })).toBeDisabled();
});

test('after mercutio signed in, a typo refused leaves the app working offline for mercutio: a key made then is his, and a reload names him', async ({
  page,
  launchApp,
  newAccount,
  saveScreenshot,
}) => {
  test.setTimeout(120_000);
  const app = await launchApp();
  const [mercutio, romeo] = await Promise.all([newAccount('mercutio'), newAccount('romeo')]);
  const typo = typoOf(romeo.jid);
  const status = page.getByTestId('connection-status');
  await openApp(page, app.url);
  await signInOnline(page, mercutio);

  const error = await signInRefused(page, { ...romeo, jid: typo });
  // The header names the account the app works for, offline as after a Disconnect; never the typo.
  await expect(page.getByTestId('connection-label')).toHaveText('Offline');
  await expect(page.getByTestId('connection-account')).toHaveText(`· ${mercutio.jid}`);
  await expect(error.getByTestId('still-working-for')).toContainText(mercutio.jid);
  await expect(page.getByLabel('XMPP address')).toHaveValue(typo);
  await checkEveryLook(page, 'account-typo-refused', saveScreenshot);

  // A key made now is mercutio's: the dialog says so, and the certificate names him.
  await goTo(page, 'My keys');
  await page.getByRole('button', { name: 'New key…' }).click();
  await expect(page.getByTestId('generate-for')).toContainText(mercutio.jid);
  await page.getByTestId('generate-dialog').getByRole('button', { name: 'Cancel' }).click();
  const fingerprint = await generateKey(page, 'made after the typo');
  const download = page.waitForEvent('download');
  await ownKey(page, fingerprint).getByRole('button', { name: 'Export certificate' }).click();
  const certificate = new X509Certificate(await readFile(await (await download).path()));
  expect(certificate.subject).toBe(`CN=${mercutio.jid}`);

  await reloadApp(page);
  await expect(page.getByTestId('connection-account')).toHaveText(`· ${mercutio.jid}`);
  await expect(status).not.toContainText(typo);
  await goTo(page, 'Account');
  // Refilled with the account used last: the typo's refusal is not said under mercutio's address.
  await expect(page.getByLabel('XMPP address')).toHaveValue(mercutio.jid);
  await expect(error).toHaveCount(0);

  // Mercutio signed in again: the key made offline is there, his.
  await signInOnline(page, mercutio);
  await goTo(page, 'My keys');
  await expect(ownKey(page, fingerprint)).toHaveCount(1);
});

test('a server that is down, left and come back to: the form holds the address that failed, under its error; refilled after a reload, no error', async ({
  page,
  launchApp,
  newAccount,
}) => {
  test.setTimeout(120_000);
  const app = await launchApp();
  const mercutio = await newAccount('mercutio');
  const domain = mercutio.jid.split('@')[1] ?? 'capulet.lit';
  const benvolio = { jid: `benvolio@${domain}`, password: 'never sent', host: '127.0.0.1', port: await freePort(), caFile: mercutio.caFile ?? '' };
  const status = page.getByTestId('connection-status');
  await openApp(page, app.url);
  await signInOnline(page, mercutio);

  await signIn(page, benvolio);
  const error = page.getByTestId('account-error');
  await expect(error).toContainText('cannot reach your server', { timeout: 20_000 });
  await goTo(page, 'My keys');
  await goTo(page, 'Account');
  // As the person left it: benvolio's address and server, with his server's error under them.
  await expect(page.getByLabel('XMPP address')).toHaveValue(benvolio.jid);
  await expect(error).toContainText('cannot reach your server');
  await page.getByText('Server settings').click();
  await expect(page.getByLabel('Port')).toHaveValue(String(benvolio.port));
  await expect(error.getByTestId('still-working-for')).toContainText(mercutio.jid);
  await expect(page.getByTestId('connection-account')).toHaveText(`· ${mercutio.jid}`);

  await reloadApp(page);
  await goTo(page, 'Account');
  await expect(page.getByLabel('XMPP address')).toHaveValue(mercutio.jid);
  await expect(error).toHaveCount(0);
  await expect(status).not.toContainText(benvolio.jid);
});
