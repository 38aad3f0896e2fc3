/**
 * My keys as people manage them (issue 15, point 3), on a real Prosody: named keys, newest first, the
 * current one marked, dates shown; the publish panel starts from who may read the published keys, and a
 * change of that audience is one explicit confirmation in place; a retract can be undone for a few
 * seconds (the same item published again); deleting a published key withdraws it first. What the
 * server holds is read with a second session of the same account, not taken from the screen.
 */
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { fetchItems } from '../../main/xmpp/fetch-items';
import { NS } from '../../main/xmpp/namespaces';
import { axeViolations, connectWith, expect, generateKey, ownKey, SCREENSHOT_DIR, signedInOnMyKeys, SIZES, test } from './fixtures';

test('my keys: names, order, current key, audience confirmed in place, undo of a retract, delete withdraws first', async ({
  page,
  browserHost,
  newAccount,
  saveScreenshot,
}) => {
  test.setTimeout(120_000);
  const juliet = await newAccount('juliet');
  await signedInOnMyKeys(page, browserHost.url, juliet);
  const reader = await connectWith(juliet);
  const itemIds = async () => {
    const fetched = await fetchItems(reader.session.client.iqCaller, juliet.jid, NS.pubkey);
    return fetched.status === 'ok' ? fetched.items.map((i) => i.id).sort() : [];
  };

  try {
    // A named key: its name, when it was made and when it expires; the only key is the current one.
    const laptop = await generateKey(page, 'Laptop');
    const laptopCard = ownKey(page, laptop);
    await expect(laptopCard.getByTestId('key-name')).toHaveText('Laptop');
    await expect(laptopCard.getByTestId('key-dates')).toContainText(/Made \d{1,2} \w{3} \d{4}/);
    await expect(laptopCard.getByTestId('key-dates')).toContainText(/Expires \d{1,2} \w{3} \d{4}/);
    await expect(laptopCard).toHaveAttribute('data-current', 'true');

    await laptopCard.getByRole('button', { name: 'Publish…' }).click();
    await laptopCard.getByLabel('Anyone').check();
    await laptopCard.getByRole('button', { name: 'Publish', exact: true }).click();
    await expect(laptopCard.getByTestId('publish-result')).toContainText('anyone');
    await laptopCard.getByRole('button', { name: 'Close' }).click();

    // A second key goes on top; the published one stays current until the new one is published.
    const desk = await generateKey(page, 'Desk');
    const deskCard = ownKey(page, desk);
    await expect(page.getByTestId('key-name')).toHaveText(['Desk', 'Laptop']);
    await expect(laptopCard).toHaveAttribute('data-current', 'true');
    await expect(deskCard).toHaveAttribute('data-current', 'false');

    // The panel starts from the published audience; choosing another asks, in place, before changing it for all.
    await deskCard.getByRole('button', { name: 'Publish…' }).click();
    const panel = page.getByTestId('publish-dialog');
    await expect(panel.getByLabel('Anyone')).toBeChecked();
    // Said of the other key: this one is not out yet.
    await expect(panel.getByTestId('current-audience')).toHaveText('This key is not published yet. Your other published key is readable by anyone.');
    for (const size of SIZES) {
      await page.setViewportSize(size);
      for (const colorScheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme });
        await page.screenshot({ path: join(SCREENSHOT_DIR, `my-keys-publish-second-${size.width}x${size.height}-${colorScheme}.png`) });
      }
    }
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize(SIZES[0]);
    await expect(panel.getByTestId('audience-change')).toHaveCount(0);
    await panel.getByLabel('Contacts who see my presence').check();
    const change = panel.getByTestId('audience-change');
    await expect(change).toContainText('your 1 other published key will then be readable by contacts who see your presence instead of anyone');
    await saveScreenshot('my-keys-01-audience-change-light-1280', page);
    expect(await axeViolations(page), 'publish panel asking to change the audience').toEqual([]);
    // "Keep anyone" goes back to what is published, without publishing.
    await change.getByRole('button', { name: 'Keep anyone' }).click();
    await expect(panel.getByLabel('Anyone')).toBeChecked();
    await expect(change).toHaveCount(0);
    await panel.getByLabel('Contacts who see my presence').check();
    await panel.getByRole('button', { name: 'Change for all and publish' }).click();
    await expect(panel.getByTestId('publish-result')).toContainText('contacts who see your presence');
    await expect(panel.getByTestId('publish-error')).toHaveCount(0);
    await panel.getByRole('button', { name: 'Close' }).click();
    // Both keys now say so (one audience per node), and the newest published key is the current one.
    await expect(laptopCard.getByTestId('publication')).toContainText('contacts who see your presence');
    await expect(deskCard.getByTestId('publication')).toContainText('contacts who see your presence');
    await expect(deskCard).toHaveAttribute('data-current', 'true');
    await expect(laptopCard).toHaveAttribute('data-current', 'false');
    expect(await itemIds()).toEqual([desk, laptop].sort());

    // Retract asks, then offers Undo, which publishes the same item again.
    await laptopCard.getByRole('button', { name: 'Retract…' }).click();
    await page.getByTestId('retract-dialog').getByRole('button', { name: 'Retract', exact: true }).click();
    await expect(laptopCard.getByTestId('undo-retract')).toBeVisible();
    await expect.poll(itemIds).toEqual([desk]);
    await saveScreenshot('my-keys-02-undo-light-1280', page);
    await laptopCard.getByTestId('undo-retract').getByRole('button', { name: 'Undo' }).click();
    await expect(laptopCard.getByTestId('publication')).toContainText('contacts who see your presence');
    await expect.poll(itemIds).toEqual([desk, laptop].sort());

    // Deleting a published key: the confirmation says it is withdrawn first; then it is gone from both.
    await laptopCard.getByRole('button', { name: 'Delete…' }).click();
    const confirm = laptopCard.getByTestId('delete-dialog');
    await expect(confirm).toContainText('first withdrawn from your account');
    await expect(confirm.getByRole('button', { name: 'Cancel' })).toBeFocused();
    await saveScreenshot('my-keys-03-delete-light-1280', page);
    await page.keyboard.press('Escape');
    await expect(laptopCard).toHaveCount(1);
    await laptopCard.getByRole('button', { name: 'Delete…' }).click();
    await confirm.getByRole('button', { name: 'Withdraw and delete' }).click();
    await expect(laptopCard).toHaveCount(0);
    await expect.poll(itemIds).toEqual([desk]);

    // Renaming: empty takes the name away, and the key is named by its date.
    await deskCard.getByRole('button', { name: 'Rename…' }).click();
    await page.getByTestId('rename-dialog').getByRole('textbox', { name: /^Name/ }).fill('   ');
    await page.getByTestId('rename-dialog').getByRole('button', { name: 'Save' }).click();
    await expect(deskCard.getByTestId('key-name')).toHaveText(/^Key made \d{1,2} \w{3} \d{4}$/);

    // Renewing: a fresh certificate for the same key goes on top, current, published to the same
    // people; the old one is withdrawn from the server.
    await deskCard.getByRole('button', { name: 'Renew…' }).click();
    const renew = deskCard.getByTestId('renew-dialog');
    await expect(renew.getByRole('radio', { name: /^The same key/ })).toBeChecked();
    await saveScreenshot('my-keys-05-renew-light-1280', page);
    expect(await axeViolations(page), 'renew dialog').toEqual([]);
    await renew.getByRole('button', { name: 'Renew', exact: true }).click();
    await expect(renew).toBeHidden({ timeout: 30_000 });
    await expect(page.getByTestId('own-key')).toHaveCount(2);
    const renewed = page.getByTestId('own-key').first();
    await expect(renewed).toHaveAttribute('data-current', 'true');
    await expect(renewed.getByTestId('publication')).toContainText('contacts who see your presence');
    await expect(deskCard.getByTestId('publication')).toHaveCount(0);
    await expect(deskCard.getByTestId('replaced-by')).toBeVisible();
    await expect(renewed.getByTestId('continues')).toContainText(desk.slice(0, 4));
    const successor = (await renewed.getByTestId('fingerprint').getAttribute('data-fingerprint')) ?? '';
    await expect.poll(itemIds).toEqual([successor]);

    await looksRightEverywhere(page, saveScreenshot);
  } finally {
    await reader.session.disconnect();
  }
});

/** Screenshots in both themes at both sizes, axe clean in each. */
async function looksRightEverywhere(page: Page, saveScreenshot: (name: string, page?: Page) => Promise<void>): Promise<void> {
  for (const theme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: theme });
    for (const [width, height] of [
      [1280, 800],
      [800, 600],
    ] as const) {
      await page.setViewportSize({ width, height });
      await saveScreenshot(`my-keys-04-list-${theme}-${width}`, page);
      expect(await axeViolations(page), `my keys, ${theme}, ${width}×${height}`).toEqual([]);
    }
  }
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.emulateMedia({ colorScheme: 'light' });
}
