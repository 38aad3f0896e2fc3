/**
 * Drift watch in the window: juliet publishes her key for contacts who see her presence; another app
 * of hers (slixmpp) opens the key node to anyone. Prosody announces no configuration change, so the
 * app finds it when she signs in again, and says so in words with Restore and Accept. Restore puts the
 * audience back: benvolio, outside it, is refused again, and the banner goes.
 */
import { fetchItems } from '../../main/xmpp/fetch-items';
import { NS } from '../../main/xmpp/namespaces';
import { driverSteps } from '../support/interop/python-driver';
import { axeViolations, driftAlarmAfterSignIn, checkEveryLook, connectWith, expect, generateKey, openApp, publishNewKey, signIn, test } from './fixtures';

test('another app opens the key node: the banner says who can read now, Restore shuts the outsider out again', async ({
  page,
  browserHost,
  newAccount,
  prosody,
  saveScreenshot,
}) => {
  test.setTimeout(120_000);
  const [julietAccount, benvolioAccount] = await Promise.all([newAccount('juliet'), newAccount('benvolio')]);
  const benvolio = await connectWith(benvolioAccount);
  const benvolioReads = async () => (await fetchItems(benvolio.session.client.iqCaller, julietAccount.jid, NS.pubkey)).status === 'ok';

  try {
    await page.setViewportSize({ width: 1280, height: 800 });
    await openApp(page, browserHost.url);
    await signIn(page, julietAccount);
    await page.getByRole('button', { name: 'My keys', exact: true }).click();
    await generateKey(page);
    const key = page.getByTestId('own-key').last();
    await key.getByRole('button', { name: 'Publish…' }).click();
    await key.getByLabel('Contacts who see my presence').check();
    await key.getByRole('button', { name: 'Publish', exact: true }).click();
    await expect(key.getByTestId('publish-result')).toBeVisible();
    await key.getByRole('button', { name: 'Close' }).click();
    expect(await benvolioReads()).toBe(false);

    await driverSteps('slixmpp', { jid: julietAccount.jid, password: julietAccount.password, server: prosody.info }, [
      { op: 'configure', node: NS.pubkey, fields: { 'pubsub#access_model': 'open' } },
    ]);
    expect(await benvolioReads()).toBe(true);

    // Signing in again reads every published node.
    const banner = await driftAlarmAfterSignIn(page, julietAccount, 'Your keys: not as you published them');
    await expect(banner).toContainText('Another app changed who can read your keys: now Anyone (was Contacts who see your presence).');
    await expect(banner.getByRole('button', { name: 'Accept the change' })).toBeEnabled();

    for (const [width, height] of [[1280, 800], [800, 600]] as const) {
      for (const scheme of ['light', 'dark'] as const) {
        await page.setViewportSize({ width, height });
        await page.emulateMedia({ colorScheme: scheme });
        await saveScreenshot(`drift-banner-${width}x${height}-${scheme}`);
        expect(await axeViolations(page)).toEqual([]);
      }
    }
    await page.emulateMedia({ colorScheme: 'light' });

    await banner.getByRole('button', { name: 'Restore' }).dblclick();
    await expect(banner).toBeHidden({ timeout: 20_000 });
    await expect(page.getByTestId('drift-error')).toBeHidden();
    // The button pressed went with the banner: the keyboard's place is the screen's title, not the page's start.
    await expect(page.locator('h2.screen-title')).toBeFocused();
    expect(await benvolioReads()).toBe(false);
  } finally {
    await benvolio.session.disconnect();
  }
});

test('keeping another app’s change is the user’s own decision: a plain Activity line, not an alarm', async ({ page, browserHost, newAccount, prosody, saveScreenshot }) => {
  test.setTimeout(120_000);
  const juliet = await newAccount('juliet');
  await openApp(page, browserHost.url);
  await signIn(page, juliet);
  await publishNewKey(page, 'Contacts who see my presence');

  await driverSteps('slixmpp', { jid: juliet.jid, password: juliet.password, server: prosody.info }, [
    { op: 'configure', node: NS.pubkey, fields: { 'pubsub#access_model': 'open' } },
  ]);
  await page.getByRole('button', { name: 'Account', exact: true }).click();
  await signIn(page, juliet);
  const banner = page.getByTestId('drift-banner');
  await expect(banner).toBeVisible({ timeout: 20_000 });
  await banner.getByRole('button', { name: 'Accept the change' }).click();
  await expect(banner).toBeHidden({ timeout: 20_000 });

  await page.getByRole('button', { name: 'Activity', exact: true }).click();
  const kept = page.getByTestId('activity-entry').filter({ hasText: 'Kept another app’s change to your keys' });
  await expect(kept).toHaveClass(/\bkept\b/);
  await expect(kept).not.toHaveClass(/\bchanged\b/);
  await checkEveryLook(page, 'activity-kept-change-plain', saveScreenshot);
});
