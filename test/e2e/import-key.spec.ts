/**
 * Importing an existing key in the app: a PKCS#12 made by OpenSSL for the account's address arrives in
 * "My keys" with the same fingerprint OpenSSL computes, named by the day it was imported; a wrong or
 * missing password, a certificate for someone else, a certificate request and an SSH key are refused
 * with clear messages, focus on what to correct (Import was disabled while it ran, which drops focus
 * to the page). A key whose certificate has expired, or starts later, is imported with a word on it and
 * the renewal that makes it usable.
 */
import { execFile } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createSelfSignedCertificate } from '../../main/keys/certificate';
import { exportPkcs12 } from '../../main/keys/export-key';
import { generateRsaKeyPair } from '../../main/keys/generate';
import { checkEveryLook, expect, openApp, signIn, test } from './fixtures';

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
    const request = join(dir, 'request.pem');
    await run('openssl', ['req', '-new', '-key', join(dir, `${juliet.jid}.key`), '-out', request, '-subj', `/CN=${juliet.jid}`]);
    const sshKey = join(dir, 'id_ed25519');
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', sshKey]);
    const notes = join(dir, 'notes.pem');
    await writeFile(notes, 'hello, this is not PEM at all\n');

    await openApp(page, browserHost.url);
    await signIn(page, juliet);
    await expect(page.getByTestId('connection-status')).toHaveText(/Online/);
    await page.getByRole('button', { name: 'My keys', exact: true }).click();
    await page.getByRole('button', { name: 'Import a key…' }).click();
    const form = page.getByRole('form', { name: 'Import key' });

    const files = page.getByTestId('import-files');
    const password = form.getByLabel('Password of the file');
    const refused = page.getByTestId('import-error');

    // A wrong password: said, and the password is where focus goes, to type again.
    await files.setInputFiles(mine.p12);
    await password.fill('not the password');
    await form.getByRole('button', { name: 'Import' }).click();
    await expect(refused).toContainText('The password for this PKCS#12 file is wrong.');
    await expect(password).toBeFocused();
    // None at all: the file needs its password, not "wrong".
    await password.fill('');
    await form.getByRole('button', { name: 'Import' }).click();
    await expect(refused).toContainText('This PKCS#12 file is protected by a password: enter it.');
    await expect(password).toBeFocused();

    // A certificate for someone else: the file is what to change.
    await files.setInputFiles(foreign.p12);
    await password.fill('p12 password');
    await form.getByRole('button', { name: 'Import' }).click();
    await expect(refused).toContainText('tybalt@capulet.lit');
    await expect(files).toBeFocused();

    // A certificate request, an SSH key, a text file: each said for what it is, focus on the file to change.
    await password.fill('');
    for (const [file, words] of [
      [request, 'This is a certificate request (CSR), not a certificate.'],
      [sshKey, 'This is an SSH key (Ed25519); only RSA keys in PEM or PKCS#12 files, with their certificate, can be imported.'],
      [notes, 'Not a PEM or PKCS#12 file.'],
    ] as const) {
      await files.setInputFiles(file);
      await form.getByRole('button', { name: 'Import' }).click();
      await expect(refused).toContainText(words);
      await expect(files).toBeFocused();
    }

    await files.setInputFiles(mine.p12);
    await password.fill('p12 password');
    await form.getByRole('button', { name: 'Import' }).click();
    await expect(page.getByTestId('import-dialog')).toBeHidden();
    const card = page.getByTestId('own-key');
    await expect(card.getByTestId('fingerprint')).toHaveAttribute('data-fingerprint', mine.fingerprint);
    await expect(card.getByTestId('key-name')).toHaveText(/^Key imported \d{1,2} \w{3} \d{4}$/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

/** A PKCS#12 for `jid` whose certificate is valid from `fromDays` (from now, negative: ago) for `days` days. */
async function p12ValidFrom(dir: string, name: string, jid: string, fromDays: number, days: number): Promise<string> {
  const { privateKey } = await generateRsaKeyPair(2048);
  const der = await createSelfSignedCertificate({ bareJid: jid, privateKey, notBefore: new Date(Date.now() + fromDays * 86_400_000), validityDays: days });
  const path = join(dir, name);
  await writeFile(path, exportPkcs12(privateKey, der, 'p12 password'));
  return path;
}

test('a key whose certificate has expired, or starts later, is imported with a word on it and the renewal that helps; never "made" on the import day', async ({
  page,
  browserHost,
  newAccount,
  saveScreenshot,
}) => {
  test.setTimeout(120_000);
  const juliet = await newAccount('juliet');
  const dir = await mkdtemp(join(tmpdir(), 'keyring-import-'));
  try {
    const expired = await p12ValidFrom(dir, 'expired.p12', juliet.jid, -400, 370);
    const later = await p12ValidFrom(dir, 'later.p12', juliet.jid, 30, 370);

    await openApp(page, browserHost.url);
    await signIn(page, juliet);
    await expect(page.getByTestId('connection-status')).toHaveText(/Online/);
    await page.getByRole('button', { name: 'My keys', exact: true }).click();
    const dialog = page.getByTestId('import-dialog');
    const importFile = async (path: string) => {
      await page.getByRole('button', { name: 'Import a key…' }).click();
      await page.getByTestId('import-files').setInputFiles(path);
      await dialog.getByLabel('Password of the file').fill('p12 password');
      await dialog.getByRole('button', { name: 'Import' }).click();
    };

    await importFile(expired);
    const outcome = dialog.getByTestId('import-outcome');
    await expect(outcome).toContainText(/^Imported as Key imported \d{1,2} \w{3} \d{4}\./);
    await expect(outcome.getByTestId('import-validity')).toHaveText(/^Its certificate expired on \d{1,2} \w{3} \d{4}: contacts’ apps refuse it\.$/);
    await expect(outcome).toContainText('Renew it (Renew… on its card)');
    // The outcome replaced the form: focus is on its Done, not on the page.
    const done = outcome.getByRole('button', { name: 'Done' });
    await expect(done).toBeFocused();
    await checkEveryLook(page, 'import-expired', saveScreenshot);
    await done.click();
    await expect(dialog).toBeHidden();
    const card = page.getByTestId('own-key');
    await expect(card.getByTestId('key-name')).toHaveText(/^Key imported /);
    await expect(card.getByTestId('key-dates')).toContainText(/Valid from \d{1,2} \w{3} \d{4} · Expired \d{1,2} \w{3} \d{4}/);
    await expect(card).not.toContainText(/made/i);

    await importFile(later);
    await expect(outcome.getByTestId('import-validity')).toHaveText(/^Its certificate is not valid until \d{1,2} \w{3} \d{4}: contacts’ apps may refuse it until then\.$/);
    await expect(outcome).toContainText('renew it (Renew… on its card) for a certificate valid from today');
    await expect(outcome.getByRole('button', { name: 'Done' })).toBeFocused();
    await checkEveryLook(page, 'import-not-yet-valid', saveScreenshot);
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
    await expect(card).toHaveCount(2);
    for (const name of await card.getByTestId('key-name').allTextContents()) expect(name).toMatch(/^Key imported /);
    await checkEveryLook(page, 'import-cards', saveScreenshot);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
