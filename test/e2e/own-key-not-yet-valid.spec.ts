/**
 * An own key whose certificate has not started yet (a PKCS#12 dated ahead by the tool that made it, or
 * a key made while this computer's clock ran ahead): My keys never calls it the current key while a
 * valid one exists, says "Not valid until <day>" instead, and once its start comes while the screen is
 * open (renderer/src/lib/own-keys.ts nextValidityChange) shows it as it then is, as a reload would.
 */
import { execFile } from 'node:child_process';
import { createHash, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from '@playwright/test';
import forge from 'node-forge';
import { checkEveryLook, expect, generateKey, openApp, ownKey, signedInOnMyKeys, test } from './fixtures';

const run = promisify(execFile);
const DAY = 86_400_000;
const PASSWORD = 'p12 password';

/**
 * A PKCS#12 (packed by OpenSSL) holding a key and a self-signed certificate for `jid` valid from
 * `notBefore` for a year. The OpenSSL here (3.0) has no `-not_before`, so forge writes the certificate.
 */
async function p12StartingAt(dir: string, jid: string, notBefore: Date): Promise<{ p12: string; fingerprint: string }> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = '5b' + Date.now().toString(16);
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = new Date(notBefore.getTime() + 365 * DAY);
  cert.setSubject([{ name: 'commonName', value: jid }]);
  cert.setIssuer([{ name: 'commonName', value: jid }]);
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  cert.sign(forge.pki.privateKeyFromPem(keyPem), forge.md.sha256.create());
  const name = `starts-${notBefore.getTime()}`;
  await writeFile(join(dir, `${name}.key`), keyPem);
  await writeFile(join(dir, `${name}.crt`), forge.pki.certificateToPem(cert));
  const p12 = join(dir, `${name}.p12`);
  await run('openssl', ['pkcs12', '-export', '-inkey', join(dir, `${name}.key`), '-in', join(dir, `${name}.crt`), '-out', p12, '-passout', `pass:${PASSWORD}`]);
  const der = new X509Certificate(await readFile(join(dir, `${name}.crt`))).raw;
  return { p12, fingerprint: createHash('sha256').update(der).digest('hex') };
}

async function importP12(page: Page, p12: string): Promise<void> {
  const before = await page.getByTestId('own-key').count();
  await page.getByRole('button', { name: 'Import a key…' }).click();
  const form = page.getByRole('form', { name: 'Import key' });
  await page.getByTestId('import-files').setInputFiles(p12);
  await form.getByLabel('Password of the file').fill(PASSWORD);
  await form.getByRole('button', { name: 'Import' }).click();
  // A certificate that starts later is imported with a word on it (the dialog stays, Done closes it).
  const outcome = page.getByTestId('import-dialog').getByTestId('import-outcome');
  await expect(outcome.getByTestId('import-validity')).toContainText('is not valid until');
  await outcome.getByRole('button', { name: 'Done' }).click();
  await expect(page.getByTestId('import-dialog')).toBeHidden();
  await expect(page.getByTestId('own-key')).toHaveCount(before + 1);
}

/** The day as the screens write it (renderer/src/lib/format.ts formatDay), in this machine's zone. */
const shownDay = (at: Date) => at.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric' });

test('a key imported with a start next week is not the current key: it says "Not valid until" its day', async ({ page, browserHost, newAccount, saveScreenshot }) => {
  test.setTimeout(180_000);
  const juliet = await newAccount('juliet');
  const dir = await mkdtemp(join(tmpdir(), 'keyring-not-yet-valid-'));
  try {
    const start = new Date(Math.floor((Date.now() + 7 * DAY) / 1000) * 1000);
    const nextWeek = await p12StartingAt(dir, juliet.jid, start);
    await signedInOnMyKeys(page, browserHost.url, juliet);
    const valid = await generateKey(page, 'Laptop');
    await importP12(page, nextWeek.p12);

    const later = ownKey(page, nextWeek.fingerprint);
    await expect(later).toHaveAttribute('data-current', 'false');
    await expect(later.getByTestId('not-yet-valid')).toHaveText(`Not valid until ${shownDay(start)}`);
    await expect(later.locator('header')).not.toContainText('Current key');
    await expect(later.getByTestId('starts-later')).toContainText('not your current key');
    // The key made here a moment ago is valid now (it starts an hour early) and stays the current one.
    await expect(ownKey(page, valid)).toHaveAttribute('data-current', 'true');
    await expect(ownKey(page, valid).locator('header')).toContainText('Current key');
    await expect(ownKey(page, valid).getByTestId('not-yet-valid')).toHaveCount(0);

    await checkEveryLook(page, 'my-keys-not-yet-valid', saveScreenshot);

    // With no valid key left (the one made here deleted), none is current: none is usable now.
    await ownKey(page, valid).getByRole('button', { name: 'Delete…' }).click();
    await page.getByTestId('delete-dialog').getByRole('button', { name: 'Delete', exact: true }).click();
    await expect(page.getByTestId('own-key')).toHaveCount(1);
    await expect(later).toHaveAttribute('data-current', 'false');
    await expect(later.getByTestId('not-yet-valid')).toHaveText(`Not valid until ${shownDay(start)}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a key whose start comes while My keys is open becomes the current key then, as a reload shows it', async ({ page, browserHost, newAccount }) => {
  test.setTimeout(180_000);
  const juliet = await newAccount('juliet');
  const dir = await mkdtemp(join(tmpdir(), 'keyring-not-yet-valid-'));
  try {
    await signedInOnMyKeys(page, browserHost.url, juliet);
    const valid = await generateKey(page);
    // Built before the start is chosen (a key takes a moment): then imported well before it.
    const start = new Date(Math.ceil((Date.now() + 40_000) / 60_000) * 60_000);
    const soon = await p12StartingAt(dir, juliet.jid, start);
    await importP12(page, soon.p12);
    const card = ownKey(page, soon.fingerprint);
    expect(Date.now()).toBeLessThan(start.getTime());
    await expect(card).toHaveAttribute('data-current', 'false');
    const minute = start.toLocaleString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false });
    await expect(card.getByTestId('not-yet-valid')).toHaveText(`Not valid until ${minute}`);
    await expect(ownKey(page, valid)).toHaveAttribute('data-current', 'true');

    // Past its start, the screen left open: the newer key is now the current one, by itself.
    await expect(card).toHaveAttribute('data-current', 'true', { timeout: Math.max(0, start.getTime() - Date.now()) + 15_000 });
    expect(Date.now()).toBeGreaterThanOrEqual(start.getTime());
    await expect(card.getByTestId('not-yet-valid')).toHaveCount(0);
    await expect(ownKey(page, valid)).toHaveAttribute('data-current', 'false');

    await page.getByRole('button', { name: 'Account', exact: true }).click();
    await page.reload();
    await openApp(page, browserHost.url);
    await page.getByRole('button', { name: 'My keys', exact: true }).click();
    await expect(card).toHaveAttribute('data-current', 'true');
    await expect(ownKey(page, valid)).toHaveAttribute('data-current', 'false');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
