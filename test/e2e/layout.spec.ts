/**
 * The first screen says whether it creates the vault (passphrase asked twice, a mismatch refused before
 * anything is written) or unlocks it; and the layout holds at 800×600: the sidebar shows icons, the
 * contact's pane keeps its room, and addresses and fingerprints never break inside.
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { Locator } from '@playwright/test';
import { VAULT_FILE } from '../../main/vault/vault';
import { stopChild } from '../support/prosody';
import { startBuiltBrowserHost } from '../support/browser-host-process';
import { checkEveryLook, E2E_PASSPHRASE, expect, publishKeyForAnyone, signIn, test } from './fixtures';


const exists = (path: string): Promise<boolean> => access(path).then(() => true, () => false);


test('a new vault is created with a passphrase asked twice, a mismatch is refused; next start unlocks', async ({
  page,
  launchApp,
  saveScreenshot,
}) => {
  test.setTimeout(90_000);
  const app = await launchApp();
  await page.goto(app.url);

  // It says it is creating, what the passphrase protects, that it cannot be recovered, and the minimum length, before any typing.
  const create = page.getByTestId('vault-create');
  await expect(create.getByRole('heading', { name: 'Create your vault' })).toBeVisible();
  await expect(create).toContainText('encrypted with a passphrase you choose now');
  await expect(create).toContainText('Nobody can recover this passphrase');
  await expect(create).toContainText('At least 8 characters');
  await checkEveryLook(page, 'vault-create', saveScreenshot);

  const chosen = page.getByLabel('Choose a vault passphrase');
  const again = page.getByLabel('Type it again');
  const submit = page.getByRole('button', { name: 'Create vault' });
  await chosen.fill(E2E_PASSPHRASE);
  await again.fill(`${E2E_PASSPHRASE}!`);
  await submit.click();
  await expect(page.getByTestId('passphrase-problem')).toHaveText(/not the same/);
  await expect(again).toHaveAttribute('aria-invalid', 'true');
  await checkEveryLook(page, 'vault-create-mismatch', saveScreenshot);
  // Refused in the window: nothing was created.
  await expect(page.getByRole('navigation', { name: 'Screens' })).toBeHidden();
  expect(await exists(join(app.dataDir, VAULT_FILE))).toBe(false);

  await chosen.fill('short');
  await again.fill('short');
  await submit.click();
  await expect(page.getByTestId('passphrase-problem')).toHaveText(/too short: use at least 8 characters/);
  expect(await exists(join(app.dataDir, VAULT_FILE))).toBe(false);

  await chosen.fill(E2E_PASSPHRASE);
  await again.fill(E2E_PASSPHRASE);
  await expect(page.getByTestId('passphrase-problem')).toBeHidden();
  await submit.click();
  await expect(page.getByRole('navigation', { name: 'Screens' })).toBeVisible({ timeout: 15_000 });
  expect(await exists(join(app.dataDir, VAULT_FILE))).toBe(true);

  // The next start finds the vault: it unlocks, with one passphrase field.
  await stopChild(app.child);
  const again2 = await startBuiltBrowserHost(app.dataDir);
  try {
    await page.goto(again2.url);
    const unlock = page.getByTestId('vault-unlock');
    await expect(unlock.getByRole('heading', { name: 'Unlock your keys' })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Create your vault' })).toHaveCount(0);
    await expect(page.locator('input[type="password"]')).toHaveCount(1);
    await checkEveryLook(page, 'vault-unlock', saveScreenshot);
    // Unlock with nothing typed: said in words, here, with the field focused (no validation library's text).
    await page.getByRole('button', { name: 'Unlock' }).click();
    await expect(page.getByTestId('passphrase-problem')).toHaveText('Enter your vault passphrase.');
    await expect(page.getByTestId('unlock-error')).toBeHidden();
    await expect(page.getByLabel('Vault passphrase')).toBeFocused();
    await page.getByLabel('Vault passphrase').fill('not the passphrase');
    await expect(page.getByTestId('passphrase-problem')).toBeHidden();
    await page.getByRole('button', { name: 'Unlock' }).click();
    await expect(page.getByTestId('unlock-error')).toBeVisible();
    // Back in the field, to type it again (the button was disabled while unlocking, which drops focus).
    await expect(page.getByLabel('Vault passphrase')).toBeFocused();
    await page.getByLabel('Vault passphrase').fill(E2E_PASSPHRASE);
    await page.getByRole('button', { name: 'Unlock' }).click();
    await expect(page.getByRole('navigation', { name: 'Screens' })).toBeVisible({ timeout: 15_000 });
  } finally {
    await stopChild(again2.child);
  }
});

/** How many lines the text of `element` takes (distinct tops of its text fragments). */
function linesOf(element: Locator): Promise<number> {
  return element.evaluate((el) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    return new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top))).size;
  });
}

/** Whether any box inside `element` cuts its text (an ellipsis). */
function cutInside(element: Locator): Promise<boolean> {
  return element.evaluate((el) => [el, ...el.querySelectorAll('*')].some((e) => e.scrollWidth > e.clientWidth + 1));
}

test('at 800×600 the sidebar shows icons, the contact pane keeps its room, and addresses do not break', async ({
  friendsInTwoWindows,
}) => {
  test.setTimeout(120_000);
  const { julietAccount, romeoAccount, julietPage: page, romeoPage } = await friendsInTwoWindows({ romeo: 'romeo-montague-of-verona' });
  expect(romeoAccount.jid.length).toBeGreaterThanOrEqual(43);
  const fingerprint = await publishKeyForAnyone(romeoPage);
  await signIn(page, julietAccount);
  await expect(page.getByTestId('connection-status')).toHaveText(/Online/);

  const nav = page.getByRole('navigation', { name: 'Screens' });
  const contactsButton = nav.getByRole('button', { name: 'Contacts', exact: true });

  // Wide: the sidebar names the screens.
  await page.setViewportSize({ width: 1280, height: 800 });
  expect((await nav.boundingBox())?.width).toBeGreaterThan(150);
  await expect(contactsButton.getByText('Contacts')).toHaveCSS('opacity', '1');

  // 800×600: icons only, each still named, its name a tooltip on hover.
  await page.setViewportSize({ width: 800, height: 600 });
  expect((await nav.boundingBox())?.width).toBeLessThanOrEqual(64);
  for (const name of ['Account', 'My keys', 'My profile', 'Contacts', 'Activity']) {
    const button = nav.getByRole('button', { name, exact: true });
    expect((await button.boundingBox())?.width, name).toBeLessThanOrEqual(48);
    await expect(button.getByText(name), `${name} label hidden until hovered`).toHaveCSS('opacity', '0');
  }
  await contactsButton.hover();
  const tooltip = contactsButton.getByText('Contacts');
  await expect(tooltip).toHaveCSS('opacity', '1');
  const [navBox, tipBox] = [await nav.boundingBox(), await tooltip.boundingBox()];
  expect(tipBox && navBox && tipBox.x >= navBox.x + navBox.width).toBe(true);
  await contactsButton.click();

  // The contact's pane keeps at least 480 px; the long address stays on one line, whole.
  const row = page.getByTestId('contact-row').filter({ hasText: romeoAccount.jid });
  await expect(row.locator(`[title="${romeoAccount.jid}"]`)).toHaveCount(1);
  await row.click();
  const detail = page.getByTestId('contact-detail');
  await expect(detail.getByTestId('contact-key')).toHaveCount(1);
  expect((await detail.boundingBox())?.width).toBeGreaterThanOrEqual(480);
  // The default trust policy's select keeps to the list column (its longest option is wider).
  const policyBox = await page.getByTestId('default-trust-policy').boundingBox();
  const detailBox = await detail.boundingBox();
  expect(policyBox && detailBox && policyBox.x + policyBox.width <= detailBox.x).toBe(true);
  const heading = detail.getByTestId('contact-address');
  await expect(heading).toHaveText(romeoAccount.jid);
  expect(await linesOf(heading)).toBe(1);
  expect(await cutInside(heading)).toBe(false);
  // In the list, the long address is two lines: its localpart (cut if it must be), then its server part,
  // whole: what tells romeo@montague.lit from a look-alike is never the part that is cut.
  const server = row.locator('.server');
  await expect(server).toHaveText(romeoAccount.jid.slice(romeoAccount.jid.indexOf('@')));
  expect(await cutInside(server)).toBe(false);
  expect(await linesOf(server)).toBe(1);
  await row.screenshot({ path: test.info().outputPath('contact-row-800.png') });

  // The fingerprint wraps between groups of four, never inside one.
  const shown = detail.getByTestId('fingerprint');
  await expect(shown).toHaveAttribute('data-fingerprint', fingerprint);
  const groupsSplit = await shown.evaluate((el) => {
    const text = el.firstChild;
    if (!text || text.nodeType !== Node.TEXT_NODE) return -1;
    let split = 0;
    for (let at = 0; at + 4 <= (text.textContent ?? '').length; at += 5) {
      const range = document.createRange();
      range.setStart(text, at);
      range.setEnd(text, at + 4);
      if (new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size !== 1) split++;
    }
    return split;
  });
  expect(groupsSplit).toBe(0);

  // No screen scrolls sideways at 800×600.
  for (const name of ['Account', 'My keys', 'My profile', 'Contacts', 'Activity']) {
    await nav.getByRole('button', { name, exact: true }).click();
    await expect(page.getByRole('heading', { name, level: 2, exact: true })).toBeVisible();
    const sideways = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(sideways, name).toBeLessThanOrEqual(0);
  }
});
