/**
 * The app remembers (issue 14.5): after a reload it comes back to the screen last used; after a
 * disconnect the sign-in form holds the address, server, port and CA file used last (never the
 * password), with the CA's SHA-256 fingerprint; a CA file swapped for another is refused, naming both
 * fingerprints, until the user trusts the new one. axe finds nothing on that form, light and dark.
 */
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTestCa } from '../support/test-pki';
import { readEnvelope } from '../support/vault-envelope';
import { checkEveryLook, expect, openApp, signIn, test } from './fixtures';

test('the sign-in form and the screen come back after a reload and a disconnect; a swapped CA is refused', async ({
  page,
  launchApp,
  newAccount,
  saveScreenshot,
}) => {
  test.setTimeout(90_000);
  const dir = await mkdtemp(join(tmpdir(), 'keyring-e2e-remember-'));
  try {
    const juliet = await newAccount('juliet');
    const caFile = join(dir, 'server-ca.pem');
    await copyFile(juliet.caFile ?? '', caFile);
    const app = await launchApp();
    await openApp(page, app.url);
    await signIn(page, { ...juliet, caFile });
    await expect(page.getByTestId('connection-status')).toHaveText(/Online/);
    await page.getByRole('button', { name: 'My keys', exact: true }).click();
    await expect(page.getByRole('heading', { name: 'My keys' })).toBeVisible();
    // Saved in main (the vault file keeps account settings in the clear) before the reload.
    const savedScreen = async () => (await readEnvelope(join(app.dataDir, 'vault.json'))).body.includes('"lastScreen":"keys"');
    await expect.poll(savedScreen).toBe(true);

    await page.reload();
    await expect(page.getByRole('button', { name: 'My keys', exact: true })).toHaveAttribute('aria-current', 'page');

    await page.getByRole('button', { name: 'Account', exact: true }).click();
    await page.getByRole('button', { name: 'Disconnect' }).click();
    await expect(page.getByLabel('XMPP address')).toHaveValue(juliet.jid);
    await expect(page.getByLabel('Password')).toHaveValue('');
    await page.getByText('Server settings').click();
    await expect(page.getByLabel('Server host')).toHaveValue(juliet.host ?? '');
    await expect(page.getByLabel('Port')).toHaveValue(String(juliet.port));
    await expect(page.getByLabel('Extra CA certificate (PEM file path)')).toHaveValue(caFile);
    const fingerprint = page.getByTestId('ca-fingerprint');
    await expect(fingerprint).toContainText(/SHA-256 [0-9A-F]{2}(:[0-9A-F]{2}){31}/);
    await expect(fingerprint).toContainText('The CA you trusted before');

    // Someone puts another CA in the file: refused before connecting, both fingerprints named.
    const other = await makeTestCa(dir, 'Somebody else');
    await copyFile(other.caFile, caFile);
    await page.getByLabel('Password').fill(juliet.password);
    await page.getByRole('button', { name: 'Connect' }).click();
    const error = page.getByTestId('account-error');
    await expect(error).toContainText('changed since you trusted it');
    await expect(error.getByRole('button', { name: 'Trust the new CA and connect' })).toBeVisible();
    // The fingerprint under the field is the file's as it is now, marked as not the one trusted before.
    await expect(fingerprint).toContainText('CN=Somebody else');
    await expect(fingerprint).toContainText('Not the CA you trusted before');
    await expect(page.getByTestId('connection-status')).not.toHaveText(/Online/);
    await checkEveryLook(page, 'sign-in-remembered-ca-changed', saveScreenshot);
    // Trusting it lets TLS decide, and this CA did not sign the server.
    await error.getByRole('button', { name: 'Trust the new CA and connect' }).click();
    await expect(error).toContainText(/not trusted|certificate/i);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
