/**
 * A stranger registers `julіet-…@capulet.lit` (a Cyrillic і) and asks to see romeo's presence, while
 * juliet-…@capulet.lit is romeo's contact. On screen both read the same; approving gives the stranger
 * everything romeo publishes to "presence" (review-hostile finding 6). The request says, beside the
 * address, that it mixes scripts and looks like juliet, and Approve still works (a mark, not a block);
 * a plain ASCII request beside it gets no mark. "Add contact…" marks the same address typed.
 */
import { randomBytes } from 'node:crypto';
import { setRosterItem, subscriptionStanza } from '../../main/xmpp/roster';
import { registerAccount } from '../support/xmpp-server';
import { checkEveryLook, connectWith, expect, openApp, signInOnline, test } from './fixtures';

test('a request from a look-alike of a contact is marked beside its address; a plain one is not', async ({ page, launchApp, newAccount, prosody, saveScreenshot }) => {
  test.setTimeout(180_000);
  const [romeoAccount, julietAccount, tybaltAccount] = await Promise.all([newAccount('romeo'), newAccount('juliet'), newAccount('tybalt')]);
  // The same address as juliet's but for the Cyrillic і (U+0456) in place of the Latin i.
  const lookalikeJid = julietAccount.jid.replace('i', '\u0456');
  const [lookalikeLocal, domain] = lookalikeJid.split('@') as [string, string];
  const password = randomBytes(12).toString('base64url');
  await registerAccount(prosody.info, lookalikeLocal, domain, password);

  // Juliet is romeo's contact (no subscription needed: the roster item is what the window compares with).
  const romeoSetup = await connectWith(romeoAccount);
  await setRosterItem(romeoSetup.session.iq, { jid: julietAccount.jid, groups: ['Friends'] });
  await romeoSetup.session.disconnect();

  const [lookalike, tybalt] = await Promise.all([connectWith({ ...julietAccount, jid: lookalikeJid, password }), connectWith(tybaltAccount)]);
  try {
    const app = await launchApp();
    await openApp(page, app.url);
    await signInOnline(page, romeoAccount);
    await lookalike.session.send(subscriptionStanza(romeoAccount.jid, 'subscribe'));
    await tybalt.session.send(subscriptionStanza(romeoAccount.jid, 'subscribe'));
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: /^Contacts/ }).click();

    const requests = page.getByTestId('subscription-requests');
    const lookalikeRow = requests.locator('.request').filter({ hasText: lookalikeJid });
    const tybaltRow = requests.locator('.request').filter({ hasText: tybaltAccount.jid });
    const warning = `Mixes Latin and Cyrillic letters: looks like ${julietAccount.jid}, a contact of yours, but is another address.`;
    await expect(lookalikeRow.getByTestId('request-address-notes')).toHaveText(`⚠ ${warning}`);
    await expect(tybaltRow).toBeVisible();
    await expect(tybaltRow.getByTestId('request-address-notes'), 'a plain ASCII address gets no mark').toHaveCount(0);
    // Heard with Approve too (first, before what approving grants), and Approve is still there to press.
    await expect(lookalikeRow.getByRole('button', { name: 'Approve' })).toHaveAccessibleDescription(
      `${warning} Approving also lets them read the keys and profile you publish for contacts who see your presence.`,
    );
    await expect(lookalikeRow.getByRole('button', { name: 'Approve' })).toBeEnabled();
    await checkEveryLook(page, 'contacts-request-lookalike', saveScreenshot);

    // The same address typed into "Add contact…" is marked there too.
    await page.getByRole('button', { name: 'Add contact…' }).click();
    const dialog = page.getByTestId('add-contact-dialog');
    await dialog.getByRole('textbox', { name: 'Address' }).fill(lookalikeJid);
    await expect(dialog.getByTestId('add-contact-address-notes')).toHaveText(`⚠ ${warning}`);
    await checkEveryLook(page, 'add-contact-lookalike', saveScreenshot);
    await dialog.getByRole('textbox', { name: 'Address' }).fill(julietAccount.jid);
    await expect(dialog.getByTestId('add-contact-address-notes'), 'juliet’s own address is not a look-alike').toHaveCount(0);
    await page.keyboard.press('Escape');

    // Approving stays possible: the request is answered.
    await lookalikeRow.getByRole('button', { name: 'Approve' }).click();
    await expect(lookalikeRow).toHaveCount(0);
  } finally {
    await Promise.all([lookalike.session.disconnect(), tybalt.session.disconnect()]);
  }
});

// Attack review 6: Prosody 0.12 registers a localpart with U+115F HANGUL CHOSEONG FILLER, which draws as
// nothing (or a narrow blank): without a mark, the request and the contact row read as juliet's address.
test('a request from a contact’s address plus a character that shows as nothing is marked, in the request and in Contacts', async ({ page, launchApp, newAccount, prosody, saveScreenshot }) => {
  test.setTimeout(180_000);
  const [romeoAccount, julietAccount] = await Promise.all([newAccount('romeo'), newAccount('juliet')]);
  const [julietLocal, domain] = julietAccount.jid.split('@') as [string, string];
  const impostorJid = `${julietLocal}\u115F@${domain}`;
  const password = randomBytes(12).toString('base64url');
  await registerAccount(prosody.info, `${julietLocal}\u115F`, domain, password);

  const romeoSetup = await connectWith(romeoAccount);
  await setRosterItem(romeoSetup.session.iq, { jid: julietAccount.jid, groups: ['Friends'] });
  await romeoSetup.session.disconnect();

  const impostor = await connectWith({ ...julietAccount, jid: impostorJid, password });
  try {
    const app = await launchApp();
    await openApp(page, app.url);
    await signInOnline(page, romeoAccount);
    await impostor.session.send(subscriptionStanza(romeoAccount.jid, 'subscribe'));
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: /^Contacts/ }).click();

    const marked = `${julietLocal}\uFFFD@${domain}`;
    const row = page.getByTestId('subscription-requests').locator('.request');
    await expect(row).toHaveCount(1);
    await expect(row.locator('.who')).toHaveText(marked);
    await expect(row.getByTestId('request-address-notes')).toHaveText(
      `⚠ Holds a character that shows as nothing (U+115F), marked � here: it looks like ${julietAccount.jid}, a contact of yours, but is another address.`,
    );
    await checkEveryLook(page, 'contacts-request-hidden-character', saveScreenshot);

    // Approved anyway (a mark, not a block): the two contacts' rows still read apart.
    await row.getByRole('button', { name: 'Approve' }).click();
    const rows = page.getByTestId('contact-row');
    await expect(rows.filter({ hasText: marked })).toHaveCount(1, { timeout: 20_000 });
    await expect(rows.filter({ hasText: julietAccount.jid })).toHaveCount(1);
  } finally {
    await impostor.session.disconnect();
  }
});
