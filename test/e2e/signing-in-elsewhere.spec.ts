/**
 * While an address that never signed in on this app is being signed in to, the app still works for the
 * account before it (main/services/working-account.ts): My keys lists that account's keys while the
 * header reads "Connecting… · the new address". Every screen but Account says whose data it shows, so
 * romeo's keys are never read as those of the address being tried.
 */
import { createServer, type Socket } from 'node:net';
import { freePort } from '../support/prosody';
import { checkEveryLook, expect, generateKey, ownKey, signIn, signedInOnMyKeys, test } from './fixtures';

test('connecting to a new address, the screens say they still show the account signed in before, and the sign-in can be cancelled', async ({ page, launchApp, newAccount, saveScreenshot }) => {
  test.setTimeout(120_000);
  const app = await launchApp();
  const romeo = await newAccount('romeo');
  await signedInOnMyKeys(page, app.url, romeo);
  const fingerprint = await generateKey(page);

  // A server that takes the connection and never says a word: the sign-in stays under way.
  const sockets: Socket[] = [];
  const silent = createServer((socket) => void sockets.push(socket));
  const port = await freePort();
  await new Promise<void>((resolve) => silent.listen(port, '127.0.0.1', resolve));
  try {
    const newcomer = `newcomer@${romeo.jid.split('@')[1] ?? ''}`;
    await page.getByRole('button', { name: 'Account', exact: true }).click();
    await signIn(page, { ...romeo, jid: newcomer, host: '127.0.0.1', port });
    await expect(page.getByTestId('connection-label')).toHaveText('Connecting…');
    await expect(page.getByTestId('connection-account')).toContainText(newcomer);
    // The Account screen shows the sign-in under way; no note there.
    await expect(page.getByTestId('signing-in-elsewhere')).toHaveCount(0);

    await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'My keys', exact: true }).click();
    const note = page.getByTestId('signing-in-elsewhere');
    await expect(note).toContainText(`Signing in to ${newcomer}`);
    await expect(note).toContainText(`what you see here is ${romeo.jid}’s`);
    await expect(ownKey(page, fingerprint)).toBeVisible();
    await checkEveryLook(page, 'signing-in-elsewhere', saveScreenshot);

    await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Contacts', exact: true }).click();
    await expect(page.getByTestId('signing-in-elsewhere')).toContainText(romeo.jid);

    // Cancelled, not waited out (the server would hold it 30 s): the app works for romeo, offline, as the
    // header says; no error is shown for a sign-in the person stopped, and the note has nothing left to say.
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Account', exact: true }).click();
    await checkEveryLook(page, 'sign-in-under-way', saveScreenshot);
    const started = Date.now();
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    await expect(page.getByTestId('connection-label')).toHaveText('Offline');
    expect(Date.now() - started).toBeLessThan(10_000);
    await expect(page.getByTestId('connection-account')).toHaveText(`· ${romeo.jid}`);
    await expect(page.getByTestId('account-error')).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Cancel', exact: true })).toHaveCount(0);
    // Cancel is gone with the sign-in: the keyboard's place is Connect, not the page's start.
    await expect(page.getByRole('button', { name: 'Connect', exact: true })).toBeFocused();
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'My keys', exact: true }).click();
    await expect(page.getByTestId('signing-in-elsewhere')).toHaveCount(0);
    await expect(ownKey(page, fingerprint)).toBeVisible();
  } finally {
    for (const socket of sockets) socket.destroy();
    silent.close();
  }
});
