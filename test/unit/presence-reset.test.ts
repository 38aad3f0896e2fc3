/**
 * Once the connection is gone, the presence heard on it says nothing about now: no contact may keep a
 * green "Online" dot while the header says Offline (found by a new user's walk, branch new-user-screens).
 */
import { describe, expect, it } from 'vitest';
import type { EventName } from '../../contract/index.js';
import { AppEvents } from '../../main/events.js';
import { Presence } from '../../main/services/presence.js';
import { fakeSession } from '../support/fake-session.js';

describe('presence after the connection is gone', () => {
  it('is forgotten, and the screens hear that those who were online are no longer known online', async () => {
    const events = new AppEvents();
    const heard: { event: EventName; payload: unknown }[] = [];
    events.subscribe((event, payload) => heard.push({ event, payload }));
    const presence = new Presence({ session: fakeSession({ account: 'juliet@capulet.lit' }), events, isContact: () => true });
    void presence.onPresence({ from: 'romeo@montague.lit/balcony', bare: 'romeo@montague.lit', available: true });
    void presence.onPresence({ from: 'nurse@capulet.lit/kitchen', bare: 'nurse@capulet.lit', available: true });
    await presence.onPresence({ from: 'nurse@capulet.lit/kitchen', bare: 'nurse@capulet.lit', available: false });
    heard.length = 0;

    presence.reset();
    expect(presence.isOnline('romeo@montague.lit')).toBe(false);
    // Only who was online is told: the nurse had already gone.
    expect(heard).toEqual([{ event: 'roster:presence', payload: { jid: 'romeo@montague.lit', online: false } }]);
  });
});
