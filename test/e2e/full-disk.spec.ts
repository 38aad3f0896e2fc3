/**
 * The browser host on a real full disk (a tmpfs of its own, filled: test/support/small-disk.ts). What
 * the screens say is words, never a system code or "something went wrong": making a vault there, the
 * unlock screen of a vault already made (with "Try again", which opens it once there is space), and a
 * key made while signed in.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startBuiltBrowserHost, type BrowserHostProcess } from '../support/browser-host-process';
import { stopChild } from '../support/prosody';
import { mountSmallDisk, type SmallDisk } from '../support/small-disk';
import { axeViolations, E2E_PASSPHRASE, expect, openApp, signedInOnMyKeys, SIZES, test } from './fixtures';

const REVIEW = '/work/notes/review/fault-review';
/** A system code (ENOSPC, EROFS…) or the app's words for a bug: neither may reach a person. */
const NOT_WORDS = /\bE[A-Z]{2,}\b|went wrong/;

let disk: SmallDisk | undefined;
let skipped: string | undefined;
test.beforeAll(() => {
  const mounted = mountSmallDisk('1m');
  if ('problem' in mounted) skipped = mounted.problem;
  else disk = mounted;
});
test.afterAll(() => disk?.unmount());
test.beforeEach(() => test.skip(disk === undefined, skipped));
test.afterEach(async () => {
  await disk?.free();
});

const fullDiskWords = (dir: string) => `Could not open the vault in ${dir} (the disk is full). Free some space on that disk, then try again.`;

test('making a vault on a full disk says so in words; once there is space it is made', async ({ page }) => {
  const dataDir = join((disk as SmallDisk).dir, 'new');
  await disk?.fill();
  const host = await startBuiltBrowserHost(dataDir);
  try {
    await page.goto(host.url);
    await page.getByLabel('Choose a vault passphrase').fill(E2E_PASSPHRASE);
    await page.getByLabel('Type it again').fill(E2E_PASSPHRASE);
    await page.getByRole('button', { name: 'Create vault' }).click();
    const note = page.getByTestId('unlock-error');
    await expect(note).toHaveText(fullDiskWords(dataDir));
    await expect(page.getByRole('navigation', { name: 'Screens' })).toBeHidden();

    await disk?.free();
    await page.getByRole('button', { name: 'Create vault' }).click();
    await expect(page.getByRole('navigation', { name: 'Screens' })).toBeVisible({ timeout: 15_000 });
  } finally {
    await stopChild(host.child);
  }
});

test('a vault on a full disk: the unlock screen says so, offers "Try again", and opens once there is space', async ({ page }) => {
  test.setTimeout(90_000);
  await mkdir(REVIEW, { recursive: true });
  const dataDir = join((disk as SmallDisk).dir, 'existing');
  let host: BrowserHostProcess = await startBuiltBrowserHost(dataDir);
  try {
    await openApp(page, host.url);
    await stopChild(host.child);
    await disk?.fill();
    host = await startBuiltBrowserHost(dataDir);
    await page.goto(host.url);
    await page.getByLabel('Vault passphrase').fill(E2E_PASSPHRASE);
    await page.getByRole('button', { name: 'Unlock' }).click();
    await expect(page.getByTestId('unlock-error')).toHaveText(fullDiskWords(dataDir));
    // Not taken for a wrong passphrase: what comes next is "Try again".
    await expect(page.getByTestId('passphrase-problem')).toHaveCount(0);
    const again = page.getByRole('button', { name: 'Try again' });
    await expect(again).toBeFocused();

    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      for (const size of SIZES) {
        await page.setViewportSize(size);
        await page.mouse.move(size.width - 1, size.height - 1);
        await page.screenshot({ path: join(REVIEW, `unlock-full-disk-${size.width}x${size.height}-${colorScheme}.png`), fullPage: true });
        expect(await axeViolations(page), `${size.width}×${size.height} ${colorScheme}`).toEqual([]);
      }
    }

    await disk?.free();
    await again.click();
    await expect(page.getByRole('navigation', { name: 'Screens' })).toBeVisible({ timeout: 15_000 });
  } finally {
    await stopChild(host.child);
  }
});

test('a key made while signed in on a full disk: the dialog says so in words, and no key is listed', async ({ page, newAccount }) => {
  test.setTimeout(90_000);
  await mkdir(REVIEW, { recursive: true });
  const account = await newAccount('juliet');
  const dataDir = join((disk as SmallDisk).dir, 'signed-in');
  const host = await startBuiltBrowserHost(dataDir);
  try {
    await signedInOnMyKeys(page, host.url, account);
    await disk?.fill();
    await page.getByRole('button', { name: 'New key…' }).click();
    const dialog = page.getByTestId('generate-dialog');
    await dialog.getByLabel('Key size').selectOption('2048');
    await dialog.getByRole('button', { name: 'Generate key' }).click();
    const error = dialog.getByTestId('generate-error');
    await expect(error).toContainText('Could not save the vault (the disk is full); nothing was changed.', { timeout: 30_000 });
    expect(await error.innerText()).not.toMatch(NOT_WORDS);
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      for (const size of SIZES) {
        await page.setViewportSize(size);
        await page.screenshot({ path: join(REVIEW, `new-key-full-disk-${size.width}x${size.height}-${colorScheme}.png`), fullPage: true });
      }
    }
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(page.getByTestId('own-key')).toHaveCount(0);
  } finally {
    await stopChild(host.child);
  }
});
