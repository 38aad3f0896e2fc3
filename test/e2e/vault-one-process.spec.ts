/**
 * One process at a time holds the vault (main/vault/vault-lock.ts). Two processes on one vault used to
 * write over each other's changes without a word: a key the CLI made while the app ran was erased, its
 * private half with it, by the app's next write; a verification taken back came back. Now the second is
 * refused before it reads or writes anything, says who holds the vault and what to do, and the first
 * keeps everything it has.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../support/cli';
import { startBuiltBrowserHost } from '../support/browser-host-process';
import { stopChild } from '../support/prosody';
import { axeViolations, E2E_PASSPHRASE, expect, generateKey, signedInOnMyKeys, SIZES, test } from './fixtures';

const REVIEW = '/work/notes/review/vault-lock';
const hex = (text: string) => text.replace(/[^0-9a-f]/gi, '').toLowerCase();

/** What `keyring` says while a browser host with this pid holds the vault. */
const heldByHost = (pid: number | undefined) =>
  `Keyring running in a browser (process ${pid}) has this vault open. ` +
  'Only one Keyring app or command can use the vault at a time, so nothing was read or changed. ' +
  'Stop it first (close its app window, or press Ctrl+C where it runs), then try again.';

test('while the app runs, `keyring` commands are refused in words, and every key the app made stays', async ({ page, launchApp, newAccount }) => {
  test.setTimeout(120_000);
  const account = await newAccount('juliet');
  const app = await launchApp();
  await signedInOnMyKeys(page, app.url, account);
  const first = await generateKey(page, 'made in the app');

  const env = { ...process.env, KEYRING_PASSPHRASE: E2E_PASSPHRASE, KEYRING_PASSWORD: account.password };
  const base = ['--jid', account.jid, '--data-dir', app.dataDir, '--server', `${account.host}:${account.port}`, '--ca-file', account.caFile ?? ''];
  // Writes offline and online, and a read (refused too: the report of this change says why).
  for (const args of [
    ['keys', 'generate', '--bits', '2048'],
    ['contacts', 'unverify', 'romeo@montague.lit', first],
    ['keys', 'list'],
  ]) {
    const run = await runCli([...base, ...args], env);
    expect({ args, code: run.code, stdout: run.stdout, stderr: run.stderr }).toEqual({ args, code: 1, stdout: '', stderr: `keyring: ${heldByHost(app.child.pid)}\n` });
  }

  // The app goes on writing: nothing of its own was lost, and nobody else's change is undone unseen.
  const second = await generateKey(page, 'second in the app');
  await expect(page.getByTestId('own-key')).toHaveCount(2);

  // Once the app stops, the vault is free: the CLI sees both keys and can make its own.
  await stopChild(app.child);
  const listed = await runCli([...base, 'keys', 'list'], env);
  expect(listed.code, listed.stderr).toBe(0);
  expect(hex(listed.stdout)).toContain(hex(first));
  expect(hex(listed.stdout)).toContain(hex(second));
  const made = await runCli([...base, 'keys', 'generate', '--bits', '2048'], env);
  expect(made.code, made.stderr).toBe(0);
});

test('a second app on the same vault folder names the one holding it on its unlock screen, and opens once it is closed', async ({ page, browser, launchApp, newAccount }) => {
  test.setTimeout(120_000);
  await mkdir(REVIEW, { recursive: true });
  const account = await newAccount('juliet');
  const first = await launchApp();
  await signedInOnMyKeys(page, first.url, account);
  const second = await startBuiltBrowserHost(first.dataDir);
  try {
    const other = await (await browser.newContext()).newPage();
    await other.goto(second.url);
    await other.getByLabel('Vault passphrase').fill(E2E_PASSPHRASE);
    await other.getByRole('button', { name: 'Unlock' }).click();
    const note = other.getByTestId('unlock-error');
    await expect(note).toHaveText(heldByHost(first.child.pid));
    await expect(other.getByRole('navigation', { name: 'Screens' })).toBeHidden();
    // Not mistaken for a wrong passphrase: nothing asks to type it again; what comes next is "Try again".
    await expect(other.getByTestId('passphrase-problem')).toHaveCount(0);
    await expect(other.getByRole('button', { name: 'Try again' })).toBeFocused();

    for (const colorScheme of ['light', 'dark'] as const) {
      await other.emulateMedia({ colorScheme });
      for (const size of SIZES) {
        await other.setViewportSize(size);
        await other.mouse.move(size.width - 1, size.height - 1);
        await other.screenshot({ path: join(REVIEW, `unlock-in-use-${size.width}x${size.height}-${colorScheme}.png`), fullPage: true });
        expect(await axeViolations(other), `${size.width}×${size.height} ${colorScheme}`).toEqual([]);
      }
    }

    // The first app still works on its vault.
    const kept = await generateKey(page);

    await stopChild(first.child);
    await other.getByRole('button', { name: 'Try again' }).click();
    await expect(other.getByRole('navigation', { name: 'Screens' })).toBeVisible({ timeout: 15_000 });
    await other.getByRole('button', { name: 'My keys', exact: true }).click();
    await expect(other.locator(`[data-testid="fingerprint"][data-fingerprint="${kept}"]`)).toBeVisible();
  } finally {
    await stopChild(second.child);
  }
});
