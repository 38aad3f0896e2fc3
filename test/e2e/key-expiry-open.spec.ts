/**
 * A key that expires while My keys is open: its card stops calling it the current key and says it
 * expired, without a restart or a reload (renderer/src/lib/own-keys.ts nextValidityChange), and says the
 * same as a reload would.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';
import { expect, openApp, signIn, test } from './fixtures';

const LIFETIME_MS = 45_000;

function shortLivedPem(jid: string, notAfter: Date): { key: string; cert: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = '4a' + Date.now().toString(16);
  cert.validity.notBefore = new Date(notAfter.getTime() - 2 * 86_400_000);
  cert.validity.notAfter = notAfter;
  cert.setSubject([{ name: 'commonName', value: jid }]);
  cert.setIssuer([{ name: 'commonName', value: jid }]);
  const forgeKey = forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  cert.sign(forgeKey, forge.md.sha256.create());
  return { key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), cert: forge.pki.certificateToPem(cert) };
}

test('a key that expires while My keys is open is shown expired, not current', async ({ page, browserHost, newAccount }) => {
  test.setTimeout(240_000);
  const juliet = await newAccount('juliet');
  const dir = await mkdtemp(join(tmpdir(), 'keyring-expiry-open-'));
  try {
    const notAfter = new Date(Math.floor((Date.now() + LIFETIME_MS) / 1000) * 1000);
    const pem = shortLivedPem(juliet.jid, notAfter);
    await writeFile(join(dir, 'key.pem'), pem.key);
    await writeFile(join(dir, 'cert.pem'), pem.cert);

    await openApp(page, browserHost.url);
    await signIn(page, juliet);
    await expect(page.getByTestId('connection-status')).toHaveText(/Online/);
    await page.getByRole('button', { name: 'My keys', exact: true }).click();
    await page.getByRole('button', { name: 'Import a key…' }).click();
    await page.getByTestId('import-files').setInputFiles([join(dir, 'key.pem'), join(dir, 'cert.pem')]);
    await page.getByRole('form', { name: 'Import key' }).getByRole('button', { name: 'Import' }).click();
    const card = page.getByTestId('own-key').first();
    await expect(card).toHaveAttribute('data-current', 'true');
    await expect(card.getByTestId('expiry-warning')).toHaveText('expires within a day');

    // Past notAfter, with the screen left open as a person would: within a few seconds of it, the card
    // says so by itself.
    await expect(card.locator('header')).toContainText('Expired', { timeout: Math.max(0, notAfter.getTime() - Date.now()) + 10_000 });
    expect(Date.now()).toBeGreaterThan(notAfter.getTime());
    const shownOpen = { current: await card.getAttribute('data-current'), badge: (await card.locator('header').innerText()).replace(/\s+/g, ' ') };

    // The same list asked for again (main recomputes it): what is true now.
    await page.getByRole('button', { name: 'Account', exact: true }).click();
    await page.reload();
    await openApp(page, browserHost.url);
    await page.getByRole('button', { name: 'My keys', exact: true }).click();
    const shownAfterReload = { current: await card.getAttribute('data-current'), badge: (await card.locator('header').innerText()).replace(/\s+/g, ' ') };

    expect({ shownOpen, shownAfterReload }).toEqual({ shownOpen: shownAfterReload, shownAfterReload });
    expect(shownOpen.badge).toContain('Expired');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
