/**
 * RosterService: who counts as a contact for key notifications, over a stand-in session.
 */
import { describe, expect, it } from 'vitest';
import xml from '@xmpp/xml';
import { AppEvents } from '../../main/events.js';
import { silentLogger } from '../../main/logger.js';
import { Presence } from '../../main/services/presence.js';
import { RosterService } from '../../main/services/roster-service.js';
import { NS } from '../../main/xmpp/namespaces.js';
import { fakeSession } from '../support/fake-session.js';

function rosterOf(roster: string[]): { roster: RosterService; asked: () => number; fail: (yes: boolean) => void } {
  let asked = 0;
  let failing = false;
  const session = fakeSession({
    account: 'romeo@montague.lit',
    answer: async () => {
      asked++;
      await new Promise((r) => setImmediate(r));
      if (failing) throw new Error('timeout');
      return xml('query', { xmlns: NS.roster }, ...roster.map((jid) => xml('item', { jid, subscription: 'both' })));
    },
  });
  const events = new AppEvents();
  const service = new RosterService({ session, presence: new Presence({ session, events }), events, log: silentLogger });
  return { roster: service, asked: () => asked, fail: (yes) => (failing = yes) };
}

describe('roster membership', () => {
  it('loads the roster once, follows roster pushes, and loads again after a reconnect', async () => {
    const { roster: members, asked } = rosterOf(['juliet@capulet.lit']);
    expect(await Promise.all([members.has('juliet@capulet.lit'), members.has('Juliet@Capulet.lit'), members.has('mallory@evil.example')])).toEqual([
      true,
      true,
      false,
    ]);
    expect(asked()).toBe(1);
    members.onPush({ kind: 'set', item: { jid: 'nurse@capulet.lit', groups: [], subscription: 'none' } });
    members.onPush({ kind: 'remove', jid: 'juliet@capulet.lit' });
    expect(await members.has('nurse@capulet.lit')).toBe(true);
    expect(await members.has('juliet@capulet.lit')).toBe(false);
    expect(asked()).toBe(1);
    members.reset(); // a new stream
    expect(await members.has('juliet@capulet.lit')).toBe(true);
    expect(asked()).toBe(2);
  });

  it('answers no while the roster cannot be read, and asks again next time', async () => {
    const { roster: members, asked, fail } = rosterOf(['juliet@capulet.lit']);
    fail(true);
    expect(await members.has('juliet@capulet.lit')).toBe(false);
    fail(false);
    expect(await members.has('juliet@capulet.lit')).toBe(true);
    expect(asked()).toBe(2);
  });
});
