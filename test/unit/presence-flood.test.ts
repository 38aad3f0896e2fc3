/**
 * Anyone can ask to see the user's presence, and send the user presence, from as many addresses as a
 * hostile server mints (and the server sends pending requests again at every login, RFC 6121 §3.1.3).
 * Found by the hostile-input review (#1): 20,000 requests were all kept, and each re-sent the whole sorted
 * list to every window (200 million addresses over IPC, 8.7 s of main's CPU); directed presence from
 * strangers was kept without limit too.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PresenceRequestsView } from '../../contract/index.js';
import { PRESENCE_REQUEST_LIMITS } from '../../contract/limits.js';
import { AppEvents } from '../../main/events.js';
import { Presence, REQUESTS_EVENT_MS } from '../../main/services/presence.js';
import { fakeSession } from '../support/fake-session.js';

const JULIET = 'juliet@capulet.lit';
const ROMEO = 'romeo@montague.lit';
const LISTED = PRESENCE_REQUEST_LIMITS.listed;

function presenceWith(isContact: (jid: string) => Promise<boolean> | boolean = () => false) {
  const session = fakeSession({ account: JULIET });
  const events = new AppEvents();
  const requests: PresenceRequestsView[] = [];
  const presences: { jid: string; online: boolean }[] = [];
  events.subscribe((event, payload) => {
    if (event === 'roster:requests') requests.push(payload as PresenceRequestsView);
    if (event === 'roster:presence') presences.push(payload as { jid: string; online: boolean });
  });
  return { session, presence: new Presence({ session, events, isContact }), requests, presences };
}

const stranger = (i: number) => `stranger${i}@evil.lit`;

describe('a flood of requests to see your presence', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it(`keeps the newest ${LISTED}, counts the rest, and tells the windows a few times, not once per request`, () => {
    const { presence, requests } = presenceWith();
    const n = 2_000;
    for (let i = 0; i < n; i++) presence.onSubscriptionRequest(stranger(i), JULIET);

    const newest = Array.from({ length: LISTED }, (_, i) => stranger(n - LISTED + i)).sort();
    expect(presence.requests()).toEqual(newest);
    // The first at once; the rest wait for the quiet time to end.
    expect(requests, 'events sent to the windows').toHaveLength(1);
    expect(presence.requestsView()).toEqual({ jids: newest, notShown: n - LISTED });
    vi.advanceTimersByTime(REQUESTS_EVENT_MS);
    expect(requests).toHaveLength(2);
    expect(requests.at(-1), 'the last event has the list as it is now').toEqual({ jids: newest, notShown: n - LISTED });
    const carried = requests.reduce((sum, r) => sum + r.jids.length, 0);
    expect(carried, 'addresses sent to the windows in all').toBeLessThanOrEqual(2 * LISTED);
    // Nothing more to tell: the timer stops.
    vi.advanceTimersByTime(10 * REQUESTS_EVENT_MS);
    expect(requests).toHaveLength(2);
  });

  it('a request set aside, asked again, is listed and no longer counted; one asking twice is counted once', () => {
    const { presence } = presenceWith();
    for (let i = 0; i < LISTED + 3; i++) presence.onSubscriptionRequest(stranger(i), JULIET);
    expect(presence.requests()).not.toContain(stranger(0));
    expect(presence.requestsView().notShown).toBe(3);

    presence.onSubscriptionRequest(stranger(0), JULIET); // stranger 3 is now the oldest listed: set aside
    expect(presence.requests()).toContain(stranger(0));
    expect(presence.requests()).not.toContain(stranger(3));
    expect(presence.requestsView().notShown).toBe(3);
    presence.onSubscriptionRequest(stranger(LISTED + 2), JULIET); // listed already: moved to the newest
    expect(presence.requestsView()).toMatchObject({ notShown: 3 });
    expect(presence.requests()).toHaveLength(LISTED);
  });

  it('an answer is told at once, after a burst too, and the count goes with a new stream', async () => {
    const { session, presence, requests } = presenceWith();
    for (let i = 0; i < LISTED + 1; i++) presence.onSubscriptionRequest(stranger(i), JULIET);
    await presence.reply(stranger(5), false);
    expect(requests.at(-1)).toEqual({ jids: expect.not.arrayContaining([stranger(5)]) as unknown, notShown: 1 });
    expect(requests.at(-1)?.jids).toHaveLength(LISTED - 1);

    // Another stream: its server sends again what is still pending; nothing of the last one is counted.
    session.sessionGeneration++;
    presence.reset();
    expect(requests.at(-1)).toEqual({ jids: [], notShown: 0 });
  });
});

describe('presence from strangers', () => {
  it('is ignored: only roster contacts’ presence is kept and told', async () => {
    const { presence, presences } = presenceWith((jid) => jid === ROMEO);
    for (let i = 0; i < 1_000; i++) {
      void presence.onPresence({ from: `${stranger(i)}/r`, bare: stranger(i), available: true });
      void presence.onPresence({ from: `${stranger(i)}/x`, bare: stranger(i), available: false });
    }
    await presence.onPresence({ from: `${ROMEO}/balcony`, bare: ROMEO, available: true });
    expect(presences).toEqual([{ jid: ROMEO, online: true }]);
    expect(presence.isOnline(stranger(1))).toBe(false);
    // The same address however it is spelt (RFC 7622: local part and domain compare without case).
    expect(presence.isOnline('Romeo@Montague.lit')).toBe(true);

    await presence.onPresence({ from: `${ROMEO}/balcony`, bare: ROMEO, available: false });
    expect(presences.at(-1)).toEqual({ jid: ROMEO, online: false });
    // Nothing left to tell after a reset: the contact's entry went with his last resource.
    presences.length = 0;
    presence.reset();
    expect(presences).toEqual([]);
  });

  it('the account’s own other resources are no contact, however the server spells the address', async () => {
    const { presence, presences } = presenceWith(() => true);
    await presence.onPresence({ from: 'Juliet@Capulet.lit/phone', bare: 'Juliet@Capulet.lit', available: true });
    expect(presences).toEqual([]);
  });

  it('presence heard before a new stream, confirmed after it began, is not applied to the new one', async () => {
    let answer: (is: boolean) => void = () => undefined;
    const roster = new Promise<boolean>((resolve) => (answer = resolve));
    const { presence, presences } = presenceWith(() => roster);
    const heard = presence.onPresence({ from: `${ROMEO}/balcony`, bare: ROMEO, available: true });
    presence.reset();
    answer(true);
    await heard;
    expect(presence.isOnline(ROMEO)).toBe(false);
    expect(presences).toEqual([]);
  });
});
