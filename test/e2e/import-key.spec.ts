/**
 * Importing an existing key in the app: a PKCS#12 made by OpenSSL for the account's address arrives in
 * "My keys" with the same fingerprint OpenSSL computes; a wrong password and a certificate for someone
 * else are refused with clear messages.
 */
import { execFile } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, openApp, signIn, test } from './fixtures';

const run = promisify(execFile);

async function opensslIdentity(dir: string, jid: string, password: string): Promise<{ p12: string; fingerprint: string }> {
  const key = join(dir, `${jid}.key`);
  const cert = join(dir, `${jid}.crt`);
  const p12 = join(dir, `${jid}.p12`);
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '30', '-subj', `/CN=${jid}`]);
  await run('openssl', ['pkcs12', '-export', '-inkey', key, '-in', cert, '-out', p12, '-passout', `pass:${password}`]);
  const der = new X509Certificate(await readFile(cert)).raw;
  return { p12, fingerprint: createHash('sha256').update(der).digest('hex') };
}

test('import a PKCS#12 from OpenSSL; wrong password and foreign certificate are refused', async ({ page, browserHost, newAccount }) => {
  const juliet = await newAccount('juliet');
  const dir = await mkdtemp(join(tmpdir(), 'keyring-import-'));
  try {
    const mine = await opensslIdentity(dir, juliet.jid, 'p12 password');
    const foreign = await opensslIdentity(dir, 'tybalt@capulet.lit', 'p12 password');

    await openApp(page, browserHost.url);
    await signIn(page, juliet);
    await expect(page.getByTestId('connection-status')).toHaveText(/Online/);
    await page.getByRole('button', { name: 'My keys', exact: true }).click();
    await page.getByRole('button', { name: 'Import a key…' }).click();
    const form = page.getByRole('form', { name: 'Import key' });

    await page.getByTestId('import-files').setInputFiles(mine.p12);
    await form.getByLabel('Password of the file').fill('not the password');
    await form.getByRole('button', { name: 'Import' }).click();
    await expect(page.getByTestId('import-error')).toContainText('password');

    await page.getByTestId('import-files').setInputFiles(foreign.p12);
    await form.getByLabel('Password of the file').fill('p12 password');
    await form.getByRole('button', { name: 'Import' }).click();
    await expect(page.getByTestId('import-error')).toContainText('tybalt@capulet.lit');

    await page.getByTestId('import-files').setInputFiles(mine.p12);
    await form.getByLabel('Password of the file').fill('p12 password');
    await form.getByRole('button', { name: 'Import' }).click();
    await expect(page.getByTestId('own-key').getByTestId('fingerprint')).toHaveAttribute('data-fingerprint', mine.fingerprint);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
