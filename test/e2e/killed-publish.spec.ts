/**
 * The app killed (SIGKILL) just after Publish: the server may have taken the key before the app
 * recorded it. After a restart and sign-in, My keys says what the server holds (the server's word
 * wins: main/services/found-publications.ts), Activity says a key was found published, and Delete
 * withdraws it before erasing it.
 */
import { mkdir } from 'node:fs/promises';
import { NS } from '../../main/xmpp/namespaces';
import { fetchItems } from '../../main/xmpp/fetch-items';
import { startBuiltBrowserHost } from '../support/browser-host-process';
import { stopChild } from '../support/prosody';
import type { Page } from '@playwright/test';
import { checkEveryLook, connectWith, expect, generateKey, openApp, ownKey, signIn, signedInOnMyKeys, test } from './fixtures';

const SHOTS = '/work/notes/review/tabs-publish';

/** Kept where the review looks at them. */
const shoot = async (name: string, page?: Page) => {
  await mkdir(SHOTS, { recursive: true });
  await page?.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
};

async function serverHolds(account: Parameters<typeof connectWith>[0], fingerprint: string): Promise<boolean> {
  const actor = await connectWith(account);
  const onServer = await fetchItems(actor.session.iq, account.jid, NS.pubkey);
  await actor.session.disconnect();
  return onServer.status === 'ok' && onServer.items.some((i) => i.id === fingerprint);
}

test('killed just after Publish: after sign-in My keys says what the server holds, and Delete withdraws it', async ({ browser, newAccount }) => {
  test.setTimeout(300_000);
  let found = 0;
  for (const delay of [5, 10, 40]) {
    const account = await newAccount('juliet');
    const host = await startBuiltBrowserHost();
    const page = await (await browser.newContext()).newPage();
    await signedInOnMyKeys(page, host.url, account);
    const fp = await generateKey(page);
    const key = ownKey(page, fp);
    await key.getByRole('button', { name: 'Publish…' }).click();
    await key.getByLabel('Anyone').check();
    await key.getByRole('button', { name: /^(Change for all and publish|Publish)$/ }).click();
    await new Promise((r) => setTimeout(r, delay));
    host.child.kill('SIGKILL');
    await new Promise((r) => host.child.once('exit', r));
    // The page left open says, once and as a whole, that it lost the app and how to come back.
    await expect(page.getByRole('alert')).toContainText('The connection to the app was closed. Reload this page to connect again');
    await page.close();
    const held = await serverHolds(account, fp);

    const again = await startBuiltBrowserHost(host.dataDir);
    try {
      const page2 = await (await browser.newContext()).newPage();
      await openApp(page2, again.url);
      await signIn(page2, account);
      await expect(page2.getByTestId('connection-status')).toHaveText(/Online/);
      await page2.getByRole('button', { name: 'My keys', exact: true }).click();
      const card = ownKey(page2, fp);
      await expect(card).toBeVisible();
      // Whatever moment the kill came: published on the server is published here.
      await expect(card.getByTestId('publication')).toHaveCount(held ? 1 : 0, { timeout: 15_000 });
      if (!held) continue;
      await expect(card.getByTestId('publication')).toContainText('readable by anyone');
      // Found (the kill came before the app recorded the publish): Activity says so.
      await page2.getByRole('button', { name: 'Activity', exact: true }).click();
      if ((await page2.getByText('Key found published on your server: recorded').count()) > 0) {
        found++;
        // The first time: Activity and My keys as they now look, every size and theme, axe-checked.
        if (found === 1) await checkEveryLook(page2, 'activity-found-on-server', shoot);
        await page2.getByRole('button', { name: 'My keys', exact: true }).click();
        if (found === 1) await checkEveryLook(page2, 'my-keys-found-on-server', shoot);
      }
      await page2.getByRole('button', { name: 'My keys', exact: true }).click();
      await card.getByRole('button', { name: 'Delete…' }).click();
      await page2.getByTestId('delete-dialog').getByRole('button', { name: 'Withdraw and delete' }).click();
      await expect(card).toHaveCount(0);
      expect(await serverHolds(account, fp)).toBe(false);
      await page2.close();
    } finally {
      await stopChild(again.child);
    }
  }
  console.log(`killed-publish: found on the server, not recorded before the kill, in ${found} of 3 runs`);
});
