/**
 * A roster change asked for romeo, when mercutio signs in while it runs (another window pressed Connect):
 * a roster set names no account, so sent then it would change MERCUTIO's roster. add and setGroups read
 * the roster before their set; remove may be sent just as the switch happens. Each is refused in words
 * before anything is sent, and mercutio's roster is never written.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import xml from '@xmpp/xml';
import { AppEvents } from '../../main/events.js';
import { silentLogger } from '../../main/logger.js';
import { Presence } from '../../main/services/presence.js';
import { RosterService } from '../../main/services/roster-service.js';
import { RosterStore } from '../../main/vault/stores/roster-store.js';
import { NS } from '../../main/xmpp/namespaces.js';
import { switchingSession, type SwitchedRequest } from '../support/switching-session.js';
import { unlockedVaults } from '../support/vaults.js';

const ROMEO = 'romeo@montague.lit';
const MERCUTIO = 'mercutio@verona.lit';
const dirs: string[] = [];
const apps: RosterService[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.whenSaved()));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** romeo's app, signed in, whose roster holds juliet in Friends; every roster set is recorded with the account whose server it reached. */
async function romeoOnline() {
  const dir = await mkdtemp(join(tmpdir(), 'keyring-roster-switch-'));
  dirs.push(dir);
  const vaults = await unlockedVaults(dir);
  const sets: SwitchedRequest[] = [];
  const session = switchingSession({
    initial: { status: 'online', account: ROMEO },
    answer: (request) => {
      if (request.method === 'set') {
        sets.push(request);
        return Promise.resolve(undefined);
      }
      const roster = request.account === ROMEO ? ['juliet@capulet.lit'] : ['benvolio@verona.lit'];
      return Promise.resolve(
        xml('query', { xmlns: NS.roster }, ...roster.map((jid) => xml('item', { jid, subscription: 'both' }, xml('group', {}, 'Friends')))),
      );
    },
  });
  const events = new AppEvents();
  const roster = new RosterService({ session: session.port, presence: new Presence({ session: session.port, events, isContact: () => true }), events, log: silentLogger, store: new RosterStore(vaults) });
  apps.push(roster);
  return { session, roster, sets };
}

describe('a roster change spanning another account’s sign-in', () => {
  it('add: mercutio signs in while romeo’s roster is read: nothing is sent, and the words say so', async () => {
    const { session, roster, sets } = await romeoOnline();
    // The read before the set is where the switch falls.
    session.hooks.onSend = (method) => {
      if (method === 'get') {
        session.hooks.onSend = undefined;
        session.signIn(MERCUTIO);
      }
    };
    const adding = roster.add({ jid: 'tybalt@capulet.lit', groups: ['Foes'] });
    await expect(adding).rejects.toMatchObject({ code: 'signed-out-meanwhile' });
    await expect(adding).rejects.toThrow(`${ROMEO} was signed out (another account was signed in) before tybalt@capulet.lit could be added`);
    expect(sets).toEqual([]);
  });

  it('setGroups: mercutio signs in while the roster is read before the set: nothing is sent', async () => {
    const { session, roster, sets } = await romeoOnline();
    await roster.list({ fresh: true });
    const changing = roster.setGroups('juliet@capulet.lit', ['Family']);
    // The read before the set is served while mercutio signs in (the copy in memory is romeo's).
    session.signIn(MERCUTIO);
    await expect(changing).rejects.toMatchObject({ code: 'signed-out-meanwhile' });
    await expect(changing).rejects.toThrow("before juliet@capulet.lit's groups could be changed: no account's contacts were changed");
    expect(sets).toEqual([]);
  });

  it('remove: sent at once, to romeo’s server; a switch before its answer is said as done for romeo', async () => {
    const { session, roster, sets } = await romeoOnline();
    await roster.list({ fresh: true });
    const removing = roster.remove('juliet@capulet.lit');
    session.signIn(MERCUTIO);
    await expect(removing).rejects.toThrow(`juliet@capulet.lit was removed from ${ROMEO}'s contacts on the server, but ${ROMEO} was signed out meanwhile`);
    expect(sets.map((s) => s.account)).toEqual([ROMEO]);
  });

  it('a change the server took just before the switch is said as done for romeo, and mercutio’s copy is not touched', async () => {
    const { session, roster, sets } = await romeoOnline();
    await roster.list({ fresh: true });
    session.hooks.onAnswer = (method) => {
      if (method === 'set') {
        session.hooks.onAnswer = undefined;
        session.signIn(MERCUTIO);
        roster.reset(); // as the app does for every new stream (main/core.ts)
      }
    };
    const changing = roster.setGroups('juliet@capulet.lit', ['Family']);
    await expect(changing).rejects.toThrow(`juliet@capulet.lit's groups were changed in ${ROMEO}'s contacts on the server, but ${ROMEO} was signed out meanwhile`);
    expect(sets.map((s) => s.account)).toEqual([ROMEO]);
    // mercutio's list is his server's, with nothing of romeo's change in it.
    expect((await roster.list({ fresh: true })).map((c) => [c.jid, c.groups])).toEqual([['benvolio@verona.lit', ['Friends']]]);
  });

  it('setGroups across romeo’s own reconnect: the set goes to romeo’s server over his new stream, not refused', async () => {
    const { session, roster, sets } = await romeoOnline();
    await roster.list({ fresh: true });
    const changing = roster.setGroups('juliet@capulet.lit', ['Family']);
    // The stream drops and romeo is back on a new one before the set goes out.
    session.set({ status: 'reconnecting', account: ROMEO });
    session.set({ status: 'connecting', account: ROMEO });
    session.set({ status: 'online', account: ROMEO });
    roster.reset(); // as the app does for every new stream (main/core.ts)

    await changing;
    expect(sets.map((s) => s.account)).toEqual([ROMEO]);
  });
});

describe('removing a contact the server no longer has', () => {
  it('item-not-found (removed already, from another device or by an earlier try run again) is the removal done', async () => {
    const { session, roster } = await romeoOnline();
    await roster.list({ fresh: true });
    const answered = session.port.iq.set;
    session.port.iq.set = (element, ...rest) =>
      element.getChild('item')?.attrs.subscription === 'remove'
        ? Promise.reject(Object.assign(new Error('item-not-found'), { name: 'StanzaError', condition: 'item-not-found', element: xml('error', { type: 'cancel' }, xml('item-not-found', { xmlns: NS.stanzas })) }))
        : answered(element, ...rest);
    const after = await roster.remove('juliet@capulet.lit');
    expect(after.map((c) => c.jid)).not.toContain('juliet@capulet.lit');
  });
});
