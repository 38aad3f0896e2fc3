/**
 * A contact on another server whose server is down: juliet (capulet.lit) opens romeo (montague.lit) in
 * the contact view while montague.lit's Prosody is stopped, and reads "Their server is unreachable",
 * not "publishes no keys". Two real Prosody servers federating over TLS (test/support/federation.ts).
 */
import type { ConnectParams } from '../../contract';
import { CAPULET, MONTAGUE, startFederation, type Federation } from '../support/federation';
import { befriend } from '../support/scenario';
import type { XmppTestServer } from '../support/xmpp-server';
import { accountOn, axeViolations, connectWith, expect, openApp, signIn, test } from './fixtures';

let federation: Federation;

test.beforeAll(async () => {
  federation = await startFederation({ capulet: 'prosody' });
});
test.afterAll(async () => {
  await federation?.stop();
});

const account = (role: string, domain: string, server: XmppTestServer): Promise<ConnectParams> => accountOn(server.info, role, domain);

test('a contact whose server is down is shown as unreachable, not as having no keys', async ({ page, browserHost }) => {
  const [julietAccount, romeoAccount] = await Promise.all([
    account('juliet', CAPULET, federation.capulet),
    account('romeo', MONTAGUE, federation.montague),
  ]);
  const [juliet, romeo] = await Promise.all([connectWith(julietAccount), connectWith(romeoAccount)]);
  await befriend(juliet, romeo, ['Friends']);
  await Promise.all([juliet.session.disconnect(), romeo.session.disconnect()]);

  await federation.montague.pause();
  try {
    await openApp(page, browserHost.url);
    await signIn(page, julietAccount);
    await expect(page.getByTestId('connection-status')).toHaveText(/Online/);
    await page.getByRole('button', { name: 'Contacts', exact: true }).click();
    await page.getByTestId('contact-row').filter({ hasText: romeoAccount.jid }).click();

    const detail = page.getByTestId('contact-detail');
    await expect(detail.getByTestId('unreachable')).toHaveText(`Their server is unreachable: ${romeoAccount.jid}'s keys could not be fetched now. Try again later.`);
    await expect(detail.getByTestId('no-keys')).toHaveCount(0);
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      expect(await axeViolations(page), colorScheme).toEqual([]);
    }
  } finally {
    await federation.montague.resume();
  }
});
