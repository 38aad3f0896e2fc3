/**
 * A drift alarm is one account's. Another app of romeo's opens his key node to anyone: signed in again,
 * the banner says so. Mercutio, never signed in here, is tried with a wrong password: the app still
 * works for romeo (main/services/working-account.ts), and his banner stays. Mercutio online has none;
 * mercutio refused once he signed in here is the account named, and romeo's banner is gone from every
 * screen (it is not mercutio's keys, and its Restore would act on mercutio's account). Romeo signed in
 * again has his alarm back.
 */
import { NS } from '../../main/xmpp/namespaces';
import { driverSteps } from '../support/interop/python-driver';
import { expect, goTo, openApp, publishNewKey, signIn, signInOnline, signInRefused, test, withWrongPassword } from './fixtures';

test('romeo’s drift alarm is not shown under mercutio, refused or online, and is back under romeo', async ({ page, browserHost, newAccount, prosody }) => {
  test.setTimeout(150_000);
  const [romeo, mercutio] = await Promise.all([newAccount('romeo'), newAccount('mercutio')]);
  const banner = page.getByTestId('drift-banner');
  const go = (screen: string) => goTo(page, screen);

  await openApp(page, browserHost.url);
  await signInOnline(page, romeo);
  await publishNewKey(page, 'Contacts who see my presence');
  await driverSteps('slixmpp', { jid: romeo.jid, password: romeo.password, server: prosody.info }, [
    { op: 'configure', node: NS.pubkey, fields: { 'pubsub#access_model': 'open' } },
  ]);
  // Prosody announces no configuration change: signing in again reads it.
  await go('Account');
  await signIn(page, romeo);
  await expect(banner).toBeVisible({ timeout: 20_000 });
  await expect(banner).toContainText('Another app changed who can read your keys: now Anyone');

  // Romeo disconnects; mercutio, never signed in here, is tried with a wrong password: still romeo's app.
  const refusedMercutio = async (): Promise<void> => {
    await go('Account');
    await signInRefused(page, withWrongPassword(mercutio));
  };
  await refusedMercutio();
  await expect(page.getByTestId('connection-account')).toHaveText(`· ${romeo.jid}`);
  for (const screen of ['My keys', 'Activity', 'Account']) {
    await go(screen);
    await expect(banner).toContainText('Another app changed who can read your keys: now Anyone');
  }

  // Mercutio online: his own check finds nothing of his changed.
  await signInOnline(page, mercutio);
  await expect(page.locator('header')).toContainText(mercutio.jid);
  await go('My keys');
  await expect(banner).toBeHidden();

  // Mercutio refused, now that he signed in here: the account named, and romeo's banner on no screen.
  await refusedMercutio();
  await expect(page.getByTestId('connection-account')).toHaveText(`· ${mercutio.jid}`);
  await expect(banner).toBeHidden();
  for (const screen of ['My keys', 'Activity', 'Account']) {
    await go(screen);
    await expect(banner).toBeHidden();
  }

  // Romeo again: his key node is still open to anyone, and the alarm is back.
  await signInOnline(page, romeo);
  await expect(banner).toBeVisible({ timeout: 20_000 });
  await expect(banner).toContainText('Another app changed who can read your keys: now Anyone');
  await expect(banner.getByRole('button', { name: 'Restore' })).toBeEnabled();
});
