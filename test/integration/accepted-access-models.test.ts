/**
 * What the Account screen says a server publishes with comes from what its node configuration takes
 * (XEP-0060 §8.3 default form), not from the access-* features it advertises: Prosody 0.12 advertises
 * only presence yet takes open and whitelist, and offers roster without being able to apply it;
 * ejabberd 23.01 advertises no access-* feature at all yet takes all four (docs/servers.md).
 */
import { afterAll, describe, expect, inject, it } from 'vitest';
import { AppEvents } from '../../main/events.js';
import { silentLogger } from '../../main/logger.js';
import { AccountSession } from '../../main/xmpp/session.js';
import { freshAccount } from '../support/accounts.js';

const sessions: AccountSession[] = [];
afterAll(async () => {
  await Promise.all(sessions.map((s) => s.disconnect()));
});

describe('the access models a server takes, as read from its configuration form', () => {
  it.each([
    ['prosody', inject('prosody'), ['open', 'presence', 'whitelist']],
    ['ejabberd', inject('ejabberd'), ['open', 'presence', 'roster', 'whitelist']],
  ] as const)('on %s', async (_name, server, expected) => {
    const session = new AccountSession({ events: new AppEvents(), log: silentLogger });
    sessions.push(session);
    await session.connect(await freshAccount('juliet', 'capulet.lit', server));
    const support = await session.checkSupport();
    expect(support.acceptedAccessModels).toEqual(expected);
    // What it advertises says less: the reason the screen no longer shows it.
    expect(support.accessModels).not.toEqual(expected);
  });
});
