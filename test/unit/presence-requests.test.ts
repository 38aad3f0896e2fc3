/**
 * A request to see the user's presence (RFC 6121 §3.1.2) belongs to the account it was addressed to.
 * Shown under another account, its Approve pre-approved the requester there (§3.4), who then read what
 * that account publishes for "contacts who see my presence" without its owner ever being asked (found
 * by the accounts review: romeo's request from tybalt listed and answered under mercutio).
 */
import { describe, expect, it } from 'vitest';
import type { EventName, PresenceRequestsView } from '../../contract/index.js';
import { KeyringError } from '../../main/errors.js';
import { AppEvents } from '../../main/events.js';
import { Presence } from '../../main/services/presence.js';
import { fakeSession, type FakeSession } from '../support/fake-session.js';

const ROMEO = 'romeo@montague.lit';
const MERCUTIO = 'mercutio@verona.lit';
const TYBALT = 'tybalt@capulet.lit';

function presenceFor(account: string) {
  const session = fakeSession({ account });
  const events = new AppEvents();
  const told: string[][] = [];
  events.subscribe((event: EventName, payload) => {
    if (event === 'roster:requests') told.push((payload as PresenceRequestsView).jids);
  });
  return { session, presence: new Presence({ session, events, isContact: () => true }), told };
}

/** What core.ts does as the session goes: the stream gone, then another account's (or the same) online. */
function signOut(session: FakeSession, presence: Presence): void {
  session.state.status = 'offline';
  presence.reset();
}
/** A new connection is opened (AccountSession bumps the generation before its server can say anything). */
function connecting(session: FakeSession, account: string): void {
  session.state.account = account;
  session.state.status = 'connecting';
  session.sessionGeneration++;
}
function signIn(session: FakeSession, presence: Presence, account: string): void {
  if (session.state.status !== 'connecting' || session.state.account !== account) connecting(session, account);
  session.state.status = 'online';
  presence.reset();
}

describe('requests to see your presence, per account', () => {
  it("romeo's request is not listed, told, or answerable once mercutio is the account; nothing is sent for it", async () => {
    const { session, presence, told } = presenceFor(ROMEO);
    presence.onSubscriptionRequest(TYBALT, ROMEO);
    expect(presence.requests()).toEqual([TYBALT]);

    signOut(session, presence);
    signIn(session, presence, MERCUTIO);
    expect(presence.requests(), 'mercutio is shown none of romeo’s requests').toEqual([]);
    expect(told.at(-1), 'the screens were told mercutio has none').toEqual([]);

    const answer = presence.reply(TYBALT, true);
    await expect(answer).rejects.toBeInstanceOf(KeyringError);
    await expect(answer).rejects.toMatchObject({ code: 'not-found', message: `No request from ${TYBALT} is waiting for the answer of ${MERCUTIO}, so nothing was sent.` });
    expect(session.sent.map(String), 'no pre-approval of tybalt went out from mercutio').toEqual([]);
  });

  it("mercutio's own requests are his; romeo's come back with his next login (the server sends them again, §3.1.3)", () => {
    const { session, presence, told } = presenceFor(ROMEO);
    presence.onSubscriptionRequest(TYBALT, ROMEO);
    signOut(session, presence);
    signIn(session, presence, MERCUTIO);
    presence.onSubscriptionRequest('benvolio@montague.lit', MERCUTIO);
    expect(presence.requests()).toEqual(['benvolio@montague.lit']);

    signOut(session, presence);
    // Romeo's server delivers tybalt's pending request again right after initial presence, which can be
    // before the session says it is online: it counts all the same.
    connecting(session, ROMEO);
    presence.onSubscriptionRequest(TYBALT, ROMEO);
    signIn(session, presence, ROMEO);
    expect(presence.requests()).toEqual([TYBALT]);
    expect(told.at(-1)).toEqual([TYBALT]);
  });

  it('a request heard on a stream of another account than the one signed in now is not filed under either', () => {
    const { session, presence } = presenceFor(MERCUTIO);
    presence.onSubscriptionRequest(TYBALT, ROMEO);
    expect(presence.requests()).toEqual([]);
    expect(session.sent).toEqual([]);
  });

  it('offline, none is listed (the badge and the list agree) and an answer is refused; back online, those the server sends again are listed', async () => {
    const { session, presence, told } = presenceFor(ROMEO);
    presence.onSubscriptionRequest(TYBALT, ROMEO);
    signOut(session, presence);
    expect(presence.requests()).toEqual([]);
    expect(told.at(-1)).toEqual([]);
    await expect(presence.reply(TYBALT, false)).rejects.toMatchObject({ code: 'not-connected' });
    expect(session.sent).toEqual([]);

    signIn(session, presence, ROMEO);
    presence.onSubscriptionRequest(TYBALT, ROMEO); // still pending: the server sends it again (§3.1.3)
    expect(presence.requests()).toEqual([TYBALT]);
  });

  it('a request answered by another client while romeo was offline is not listed or answerable on his next stream', async () => {
    const { session, presence, told } = presenceFor(ROMEO);
    presence.onSubscriptionRequest(TYBALT, ROMEO);
    // The stream is lost; romeo's phone refuses tybalt meanwhile, so his server does not send it again.
    signOut(session, presence);
    signIn(session, presence, ROMEO);
    expect(presence.requests()).toEqual([]);
    expect(told.at(-1)).toEqual([]);
    await expect(presence.reply(TYBALT, true)).rejects.toMatchObject({ code: 'not-found' });
    expect(session.sent, 'no approval the person already refused elsewhere').toEqual([]);
  });

  it('an answer for someone who is not asking is refused; one who is asking is answered once (the address as heard)', async () => {
    const { session, presence, told } = presenceFor(ROMEO);
    await expect(presence.reply(TYBALT, true)).rejects.toMatchObject({ code: 'not-found', field: 'jid' });
    expect(session.sent).toEqual([]);

    presence.onSubscriptionRequest('Tybalt@capulet.lit', ROMEO);
    await presence.reply(TYBALT, true);
    expect(session.sent.map((s) => s.attrs)).toEqual([{ to: 'Tybalt@capulet.lit', type: 'subscribed' }]);
    expect(presence.requests()).toEqual([]);
    expect(told.at(-1)).toEqual([]);
    await expect(presence.reply(TYBALT, true), 'answered already').rejects.toMatchObject({ code: 'not-found' });
    expect(session.sent).toHaveLength(1);
  });
});
