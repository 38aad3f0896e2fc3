/**
 * Every form that opens over a screen (new key, import, publish, retract, add contact, compare
 * fingerprints, remove contact) takes the focus to its first field (for a confirmation: to Cancel),
 * keeps the page behind out of reach, closes on Escape without doing anything, and gives the focus back
 * to the control that opened it.
 */
import type { Locator, Page } from '@playwright/test';
import { expect, generateKey, publishKeyForAnyone, signIn, test } from './fixtures';

interface Case {
  name: string;
  opener: (page: Page) => Locator;
  dialog: string;
  /** What has the focus once it is open. */
  first: (dialog: Locator) => Locator;
}

const onMyKeys: Case[] = [
  {
    name: 'new key',
    opener: (p) => p.getByRole('button', { name: 'New key…' }),
    dialog: 'generate-dialog',
    first: (d) => d.getByLabel('Key size'),
  },
  {
    name: 'import',
    opener: (p) => p.getByRole('button', { name: 'Import a key…' }),
    dialog: 'import-dialog',
    first: (d) => d.getByTestId('import-files'),
  },
  {
    name: 'publish',
    opener: (p) => p.getByTestId('own-key').getByRole('button', { name: 'Publish…' }),
    dialog: 'publish-dialog',
    // It starts from who may read the published key: anyone (published below).
    first: (d) => d.getByLabel('Anyone'),
  },
  {
    name: 'retract',
    opener: (p) => p.getByTestId('own-key').getByRole('button', { name: 'Retract…' }),
    dialog: 'retract-dialog',
    first: (d) => d.getByRole('button', { name: 'Cancel' }),
  },
  {
    name: 'rename',
    opener: (p) => p.getByTestId('own-key').getByRole('button', { name: 'Rename…' }),
    dialog: 'rename-dialog',
    first: (d) => d.getByRole('textbox', { name: /^Name/ }),
  },
  {
    name: 'delete',
    opener: (p) => p.getByTestId('own-key').getByRole('button', { name: 'Delete…' }),
    dialog: 'delete-dialog',
    first: (d) => d.getByRole('button', { name: 'Cancel' }),
  },
];

const onContacts: Case[] = [
  {
    name: 'add contact',
    opener: (p) => p.getByRole('button', { name: 'Add contact…' }),
    dialog: 'add-contact-dialog',
    first: (d) => d.getByLabel('Address'),
  },
  {
    name: 'compare fingerprints',
    opener: (p) => p.getByRole('button', { name: 'Compare fingerprints…' }),
    dialog: 'compare-dialog',
    first: (d) => d.getByLabel('Their fingerprint'),
  },
  {
    name: 'remove contact',
    opener: (p) => p.getByRole('button', { name: 'Remove contact…' }),
    dialog: 'remove-contact-dialog',
    first: (d) => d.getByRole('button', { name: 'Cancel' }),
  },
];

async function escapeCloses(page: Page, { name, opener, dialog, first }: Case): Promise<void> {
  const button = opener(page);
  const shown = page.getByTestId(dialog);
  await button.click();
  await expect(shown, name).toBeVisible();
  await expect(first(shown), `${name}: focus on its first field`).toBeFocused();
  // Modal (showModal): the screens behind are inert until it closes.
  expect(await shown.evaluate((d) => d.matches(':modal')), `${name}: modal`).toBe(true);
  await page.keyboard.press('Escape');
  await expect(shown, `${name}: Escape closes it`).toBeHidden();
  await expect(button, `${name}: focus back on its opener`).toBeFocused();
}

test('Escape closes each dialog without acting, and the focus returns to what opened it', async ({ friendsInTwoWindows }) => {
  test.setTimeout(120_000);
  const { julietAccount, julietPage: page, romeoPage } = await friendsInTwoWindows();
  await publishKeyForAnyone(romeoPage);
  await signIn(page, julietAccount);
  await expect(page.getByTestId('connection-status')).toHaveText(/Online/);

  await page.getByRole('button', { name: 'My keys', exact: true }).click();
  await generateKey(page);
  const key = page.getByTestId('own-key');
  await key.getByRole('button', { name: 'Publish…' }).click();
  // An audience this server does not offer (Prosody 0.12's PEP has no roster-group access) cannot be
  // chosen: publishing with it could only fail.
  await expect(key.getByLabel('People in roster groups I choose')).toBeDisabled();
  await expect(key.getByLabel('People in roster groups I choose')).toHaveAccessibleName(/your server does not take this/);
  await key.getByLabel('Anyone').check();
  await key.getByRole('button', { name: 'Publish', exact: true }).click();
  await expect(key.getByTestId('publish-result')).toContainText('readable by anyone');
  // Success in words of what holds (XEP-0222 §2), not a row of yes/no that reads like warnings.
  await expect(key.getByTestId('publish-result')).toContainText('Your server keeps it, and readers’ apps get it when they ask; it is not sent to readers when they sign in.');
  await expect(key.getByTestId('publish-result')).not.toContainText(': no');
  // Publish was disabled while it ran: focus is not lost to the page but on Close, now the primary
  // button, so that a second Enter does not publish again (publish-enter-twice.spec.ts).
  await expect(key.getByRole('button', { name: 'Close' })).toBeFocused();
  // The server's report is about the audience published: another one chosen, it goes; back, it returns.
  await key.getByLabel('Contacts who see my presence').check();
  await expect(key.getByTestId('publish-result')).toBeHidden();
  await key.getByLabel('Anyone').check();
  await expect(key.getByTestId('publish-result')).toBeVisible();
  await page.keyboard.press('Escape');
  // Opened again, the dialog starts fresh: the last publish's report would read as news of this one.
  await key.getByRole('button', { name: 'Publish…' }).click();
  await expect(key.getByLabel('Anyone')).toBeChecked();
  await expect(key.getByTestId('publish-result')).toHaveCount(0);
  await page.keyboard.press('Escape');
  for (const c of onMyKeys) await escapeCloses(page, c);
  // Nothing was done: still one key, still published.
  await expect(key).toHaveCount(1);
  await expect(key.getByTestId('publication')).toHaveCount(1);

  await page.getByRole('button', { name: 'Contacts', exact: true }).click();
  await page.getByTestId('contact-row').first().click();
  await expect(page.getByTestId('contact-key')).toHaveCount(1);
  for (const c of onContacts) await escapeCloses(page, c);
  await expect(page.getByTestId('contact-row')).toHaveCount(1);
  await expect(page.getByTestId('contact-key')).toHaveAttribute('data-trust', 'unverified');

  // Cancel closes it the same way.
  await page.getByRole('button', { name: 'Add contact…' }).click();
  await page.getByTestId('add-contact-dialog').getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByTestId('add-contact-dialog')).toBeHidden();
  await expect(page.getByRole('button', { name: 'Add contact…' })).toBeFocused();
});
