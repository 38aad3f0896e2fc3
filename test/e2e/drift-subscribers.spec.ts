/**
 * Drift watch in the window, for a subscriber the audience leaves out: juliet publishes her key for
 * contacts who see her presence; benvolio, a contact then, subscribes to the key node (XEP-0060 §6.1);
 * juliet removes him from her roster in another app of hers (RFC 6121 §2.5). Prosody 0.12 keeps his
 * subscription and keeps sending him every key (test/integration/drift-subscribers.test.ts measures
 * it). Signed in again, the window says so in words, offers Restore and no Accept, and Restore ends
 * the subscription.
 */
import xml from '@xmpp/xml';
import { NS } from '../../main/xmpp/namespaces';
import { readSubscriptions } from '../../main/xmpp/node-subscriptions';
import { removeRosterItem } from '../../main/xmpp/roster';
import { befriend } from '../support/scenario';
import { axeViolations, driftAlarmAfterSignIn, connectWith, expect, openApp, publishNewKey, signIn, test } from './fixtures';

test('a contact removed from the roster but still subscribed: the banner names him and what he is sent; Restore ends it', async ({ page, browserHost, newAccount }) => {
  test.setTimeout(120_000);
  const [julietAccount, benvolioAccount] = await Promise.all([newAccount('juliet'), newAccount('benvolio')]);
  // Juliet's other app (another resource of hers), and benvolio's.
  const [otherApp, benvolio] = await Promise.all([connectWith(julietAccount), connectWith(benvolioAccount)]);
  const subscribed = async () => (await readSubscriptions({ iq: otherApp.session.client.iqCaller, owner: julietAccount.jid }, NS.pubkey)).map((s) => s.jid);

  try {
    await befriend(otherApp, benvolio, ['Friends']);
    await openApp(page, browserHost.url);
    await signIn(page, julietAccount);
    await publishNewKey(page, 'Contacts who see my presence');
    await benvolio.session.client.iqCaller.set(xml('pubsub', { xmlns: NS.pubsub }, xml('subscribe', { node: NS.pubkey, jid: benvolio.jid })), julietAccount.jid);

    await removeRosterItem(otherApp.session.client.iqCaller, benvolio.jid);
    expect(await subscribed()).toContain(benvolio.jid);

    // Signing in again reads every published node, its subscriptions with it.
    const banner = await driftAlarmAfterSignIn(page, julietAccount, 'Your keys: not as you published them');
    await expect(banner).toContainText(
      `${benvolio.jid} is still subscribed to your keys and is sent every key you publish, although only contacts who see your presence may read them.`,
    );
    await expect(banner).not.toContainText('Another app');
    await expect(banner).toContainText('Restore ends the subscriptions of anyone your audience leaves out, so they are sent nothing more.');
    // Accepting would leave him subscribed: Restore alone.
    await expect(banner.getByRole('button', { name: 'Accept the change' })).toHaveCount(0);
    // Prosody lists the subscriptions: nothing is said to be unchecked.
    await expect(page.getByTestId('drift-unchecked')).toHaveCount(0);
    expect(await axeViolations(page)).toEqual([]);

    await banner.getByRole('button', { name: 'Restore' }).click();
    await expect(banner).toBeHidden({ timeout: 20_000 });
    await expect(page.getByTestId('drift-error')).toBeHidden();
    expect(await subscribed()).not.toContain(benvolio.jid);
  } finally {
    await Promise.all([otherApp.session.disconnect(), benvolio.session.disconnect()]);
  }
});
