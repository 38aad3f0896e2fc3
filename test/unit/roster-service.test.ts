/**
 * RosterService: who counts as a contact for key notifications, and the roster copy kept in memory
 * and in the vault (RFC 6121 §2.6 versioning), over a stand-in session and a real vault.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import xml from '@xmpp/xml';
import type { Element } from '@xmpp/xml';
import type { ConnectionStatus } from '../../contract/index.js';
import { AppEvents } from '../../main/events.js';
import { toIpcError } from '../../main/errors.js';
import { silentLogger } from '../../main/logger.js';
import { Presence } from '../../main/services/presence.js';
import { RosterService } from '../../main/services/roster-service.js';
import type { VaultHolder } from '../../main/vault/vault-holder.js';
import { RosterStore } from '../../main/vault/stores/roster-store.js';
import { NS } from '../../main/xmpp/namespaces.js';
import { fakeSession } from '../support/fake-session.js';
import { unlockedVaults } from '../support/vaults.js';

const ACCOUNT = 'romeo@montague.lit';
const dirs: string[] = [];
const apps: RosterService[] = [];
afterEach(async () => {
  // The copy is saved behind the answers: those writes end before their folder goes.
  await Promise.all(apps.splice(0).map((app) => app.whenSaved()));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function vaultsForTest(): Promise<VaultHolder> {
  const dir = await mkdtemp(join(tmpdir(), 'keyring-roster-'));
  dirs.push(dir);
  return unlockedVaults(dir);
}

interface Server {
  /** What the server answers a roster get with the `ver` it was sent; undefined: an empty result. */
  reply: (ver: string | undefined) => Element | undefined;
  failing: boolean;
  asked: (string | undefined)[];
  /** When set, roster gets are answered only once it resolves (a server slow to send thousands). */
  held?: Promise<void>;
}

function rosterApp(vaults: VaultHolder, server: Server, status: ConnectionStatus = 'online', events = new AppEvents(), store = new RosterStore(vaults)) {
  const session = fakeSession({
    account: ACCOUNT,
    status,
    answer: async (request) => {
      if (status !== 'online') throw new Error('offline: no request may leave');
      const ver = request.attrs.ver;
      server.asked.push(ver);
      await new Promise((r) => setImmediate(r));
      if (request.attrs.type !== 'set' && !request.getChild('item')) await server.held;
      if (server.failing) throw new Error('timeout');
      if (request.attrs.type === 'set' || request.getChild('item')) return undefined;
      return server.reply(ver);
    },
  });
  const app = new RosterService({ session, presence: new Presence({ session, events, isContact: () => true }), events, log: silentLogger, store });
  apps.push(app);
  return app;
}

const items = (jids: string[]) => jids.map((jid) => xml('item', { jid, subscription: 'both' }, xml('group', {}, 'Friends')));
const whole = (jids: string[], ver?: string): Server['reply'] => () => xml('query', { xmlns: NS.roster, ...(ver ? { ver } : {}) }, ...items(jids));

describe('roster membership', () => {
  it('loads the roster once, follows roster pushes, and loads again after a reconnect', async () => {
    const server: Server = { reply: whole(['juliet@capulet.lit']), failing: false, asked: [] };
    const members = rosterApp(await vaultsForTest(), server);
    expect(await Promise.all([members.has('juliet@capulet.lit'), members.has('Juliet@Capulet.lit'), members.has('mallory@evil.example')])).toEqual([
      true,
      true,
      false,
    ]);
    expect(server.asked).toHaveLength(1);
    members.onPush({ kind: 'set', item: { jid: 'nurse@capulet.lit', groups: [], subscription: 'none' } });
    members.onPush({ kind: 'remove', jid: 'juliet@capulet.lit' });
    expect(await members.has('nurse@capulet.lit')).toBe(true);
    expect(await members.has('juliet@capulet.lit')).toBe(false);
    expect(server.asked).toHaveLength(1);
    members.reset(); // a new stream
    expect(await members.has('juliet@capulet.lit')).toBe(true);
    expect(server.asked).toHaveLength(2);
  });

  it('answers no while the roster cannot be read, and asks again next time', async () => {
    const server: Server = { reply: whole(['juliet@capulet.lit']), failing: true, asked: [] };
    const members = rosterApp(await vaultsForTest(), server);
    expect(await members.has('juliet@capulet.lit')).toBe(false);
    server.failing = false;
    expect(await members.has('juliet@capulet.lit')).toBe(true);
    expect(server.asked).toHaveLength(2);
  });
});

describe('the roster copy', () => {
  it('is kept in the vault and listed offline, after a restart, without a request', async () => {
    const vaults = await vaultsForTest();
    const online = rosterApp(vaults, { reply: whole(['juliet@capulet.lit', 'nurse@capulet.lit']), failing: false, asked: [] });
    expect((await online.list()).map((c) => c.jid)).toEqual(['juliet@capulet.lit', 'nurse@capulet.lit']);
    online.onPush({ kind: 'remove', jid: 'nurse@capulet.lit' });
    await online.list(); // the push applied behind the sync
    await online.whenSaved(); // as the app does before it quits

    const offline = rosterApp(vaults, { reply: () => { throw new Error('asked'); }, failing: false, asked: [] }, 'offline');
    expect(await offline.list()).toEqual([{ jid: 'juliet@capulet.lit', groups: ['Friends'], subscription: 'both', pending: false, online: false }]);
    expect(offline.saved()?.contacts.map((c) => c.jid)).toEqual(['juliet@capulet.lit']);
  });

  it('with a versioning server, asks only for changes since the saved version (RFC 6121 §2.6)', async () => {
    const vaults = await vaultsForTest();
    const first: Server = { reply: whole(['juliet@capulet.lit'], 'v1'), failing: false, asked: [] };
    const app = rosterApp(vaults, first);
    await app.list();
    app.onPush({ kind: 'set', item: { jid: 'nurse@capulet.lit', groups: [], subscription: 'none' }, version: 'v2' });
    await app.list();
    await app.whenSaved();
    expect(first.asked).toEqual([undefined]);

    // Next sign-in: the server answers "unchanged since v2" with an empty result (§2.6.3).
    const second: Server = { reply: () => undefined, failing: false, asked: [] };
    const restarted = rosterApp(vaults, second);
    expect((await restarted.list()).map((c) => c.jid)).toEqual(['juliet@capulet.lit', 'nurse@capulet.lit']);
    expect(second.asked).toEqual(['v2']);
  });

  it('a server that does not version gets no version and its whole roster replaces the copy', async () => {
    const vaults = await vaultsForTest();
    const before = rosterApp(vaults, { reply: whole(['juliet@capulet.lit']), failing: false, asked: [] });
    await before.list();
    await before.whenSaved();
    const server: Server = { reply: whole(['benvolio@montague.lit']), failing: false, asked: [] };
    expect((await rosterApp(vaults, server).list({ fresh: true })).map((c) => c.jid)).toEqual(['benvolio@montague.lit']);
    expect(server.asked).toEqual([undefined]);
  });

  it('a repeat sign-in lists the saved roster at once, then says roster:changed when the server\'s differs', async () => {
    const vaults = await vaultsForTest();
    const before = rosterApp(vaults, { reply: whole(['juliet@capulet.lit', 'nurse@capulet.lit'], 'v1'), failing: false, asked: [] });
    await before.list();
    await before.whenSaved();

    // Meanwhile, from another device: the nurse removed, Benvolio added.
    let send = () => undefined as void;
    const server: Server = { reply: whole(['juliet@capulet.lit', 'benvolio@montague.lit'], 'v2'), failing: false, asked: [], held: new Promise((r) => (send = r)) };
    const events = new AppEvents();
    const changed: unknown[] = [];
    events.subscribe((name) => name === 'roster:changed' && changed.push(name));
    const app = rosterApp(vaults, server, 'online', events);
    // The server has not answered: the saved roster (with the nurse, for now) is listed at once.
    expect((await app.list()).map((c) => c.jid)).toEqual(['juliet@capulet.lit', 'nurse@capulet.lit']);
    expect(server.asked).toEqual(['v1']);
    expect(changed).toEqual([]);
    // What acts on the roster waits for the server's.
    const fresh = app.list({ fresh: true });
    const member = app.has('benvolio@montague.lit');
    send();
    expect((await fresh).map((c) => c.jid)).toEqual(['juliet@capulet.lit', 'benvolio@montague.lit']);
    expect(await member).toBe(true);
    expect(changed).toEqual(['roster:changed']);
    expect((await app.list()).map((c) => c.jid)).toEqual(['juliet@capulet.lit', 'benvolio@montague.lit']);
    expect(server.asked).toEqual(['v1']);
  });

  it('a saved roster the server says is unchanged (§2.6.3) brings no roster:changed', async () => {
    const vaults = await vaultsForTest();
    const before = rosterApp(vaults, { reply: whole(['juliet@capulet.lit'], 'v1'), failing: false, asked: [] });
    await before.list();
    await before.whenSaved();
    const events = new AppEvents();
    const changed: unknown[] = [];
    events.subscribe((name) => name === 'roster:changed' && changed.push(name));
    const app = rosterApp(vaults, { reply: () => undefined, failing: false, asked: [] }, 'online', events);
    expect((await app.list()).map((c) => c.jid)).toEqual(['juliet@capulet.lit']);
    expect(await app.has('juliet@capulet.lit')).toBe(true); // the sync landed
    expect(changed).toEqual([]);
  });

  it('a first sign-in lists the server\'s roster without waiting for the vault to save it', async () => {
    const vaults = await vaultsForTest();
    let written = () => undefined as void;
    class StuckStore extends RosterStore {
      override save(): Promise<void> {
        return new Promise((r) => (written = r)); // a whole-vault write that takes its time
      }
    }
    const app = rosterApp(vaults, { reply: whole(['juliet@capulet.lit']), failing: false, asked: [] }, 'online', new AppEvents(), new StuckStore(vaults));
    const listed = await Promise.race([app.list(), new Promise<'held up'>((r) => setTimeout(() => r('held up'), 1000))]);
    expect(listed).not.toBe('held up');
    expect((listed as { jid: string }[]).map((c) => c.jid)).toEqual(['juliet@capulet.lit']);
    written();
  });

  it('serves 5,000 contacts from the copy in well under 100 ms', async () => {
    const jids = Array.from({ length: 5000 }, (_, i) => `contact${i}@example.org`);
    const app = rosterApp(await vaultsForTest(), { reply: whole(jids, 'v1'), failing: false, asked: [] });
    expect(await app.list()).toHaveLength(5000); // the first list fetches
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      const listed = await app.list();
      times.push(performance.now() - started);
      expect(listed).toHaveLength(5000);
    }
    expect(Math.min(...times)).toBeLessThan(50);
  });
});

describe('adding a contact', () => {
  /** A server whose roster holds juliet in Friends (named "Juliet"); records the roster sets it is sent. */
  function withJulietInFriends() {
    const sets: Element[] = [];
    const events = new AppEvents();
    const session = fakeSession({
      account: ACCOUNT,
      answer: (request) => {
        const item = request.getChild('item');
        if (item) {
          sets.push(item);
          return Promise.resolve(undefined);
        }
        return Promise.resolve(xml('query', { xmlns: NS.roster }, xml('item', { jid: 'juliet@capulet.lit', name: 'Juliet', subscription: 'both' }, xml('group', {}, 'Friends'))));
      },
    });
    return { sets, session, events };
  }
  const groupsOf = (item: Element | undefined) => item?.getChildren('group').map((g) => g.text());

  it('someone already in the roster, no groups named, keeps the groups they are in (a key may be published to them)', async () => {
    const { sets, session, events } = withJulietInFriends();
    const app = new RosterService({ session, presence: new Presence({ session, events, isContact: () => true }), events, log: silentLogger, store: new RosterStore(await vaultsForTest()) });
    apps.push(app);
    const after = await app.add({ jid: 'juliet@capulet.lit', groups: [] });
    expect(groupsOf(sets[0])).toEqual(['Friends']);
    expect(sets[0]?.attrs.name).toBe('Juliet');
    expect(after.find((c) => c.jid === 'juliet@capulet.lit')?.groups).toEqual(['Friends']);
    // Already seen: no second request to see her presence.
    expect(session.sent).toHaveLength(0);
  });

  it('someone already in the roster, groups named, is in those too; a new name replaces the old', async () => {
    const { sets, session, events } = withJulietInFriends();
    const app = new RosterService({ session, presence: new Presence({ session, events, isContact: () => true }), events, log: silentLogger, store: new RosterStore(await vaultsForTest()) });
    apps.push(app);
    await app.add({ jid: 'Juliet@Capulet.lit', name: 'J.', groups: ['Family', 'Friends'] });
    expect(sets[0]?.attrs.jid).toBe('juliet@capulet.lit');
    expect(groupsOf(sets[0])).toEqual(['Friends', 'Family']);
    expect(sets[0]?.attrs.name).toBe('J.');
  });

  it('someone new gets exactly the groups named', async () => {
    const { sets, session, events } = withJulietInFriends();
    const app = new RosterService({ session, presence: new Presence({ session, events, isContact: () => true }), events, log: silentLogger, store: new RosterStore(await vaultsForTest()) });
    apps.push(app);
    await app.add({ jid: 'nurse@capulet.lit', groups: ['Household'] });
    expect(sets[0]?.attrs.jid).toBe('nurse@capulet.lit');
    expect(groupsOf(sets[0])).toEqual(['Household']);
    expect(session.sent).toHaveLength(1); // asks to see her presence
  });
});

describe('an address added that the app or the server will not take', () => {
  function appRefusing(condition: string) {
    const events = new AppEvents();
    const sets: Element[] = [];
    const session = fakeSession({
      account: ACCOUNT,
      answer: (request) => {
        const item = request.getChild('item');
        if (!item) return Promise.resolve(xml('query', { xmlns: NS.roster }));
        sets.push(item);
        // What xmpp.js rejects with when the server answers an error (RFC 6120 §8.3).
        const element = xml('error', { type: 'modify' }, xml(condition, { xmlns: NS.stanzas }));
        return Promise.reject(Object.assign(new Error(condition), { name: 'StanzaError', condition, element }));
      },
    });
    return { sets, session, events };
  }

  it('the own address, in any case, is said to be one’s own and never sent', async () => {
    const { sets, session, events } = appRefusing('not-allowed');
    const app = new RosterService({ session, presence: new Presence({ session, events, isContact: () => true }), events, log: silentLogger, store: new RosterStore(await vaultsForTest()) });
    apps.push(app);
    for (const own of [ACCOUNT, ACCOUNT.toUpperCase(), 'Romeo@montague.LIT']) {
      await expect(app.add({ jid: own, groups: [] })).rejects.toMatchObject({ code: 'invalid-argument', message: 'That is your own address.', field: 'jid' });
    }
    expect(sets).toHaveLength(0);
  });

  it('an address the server refuses is said in words, never as an internal error', async () => {
    for (const [condition, code] of [
      ['jid-malformed', 'invalid-argument'],
      ['not-acceptable', 'invalid-argument'],
      ['not-allowed', 'forbidden'],
    ] as const) {
      const { session, events } = appRefusing(condition);
      const app = new RosterService({ session, presence: new Presence({ session, events, isContact: () => true }), events, log: silentLogger, store: new RosterStore(await vaultsForTest()) });
      apps.push(app);
      const failure = await app.add({ jid: 'benvolio@capulet.lit', groups: [] }).catch((error: unknown) => error);
      expect(toIpcError(failure).code, condition).toBe(code);
    }
  });

  it('a contact address is sent in its one form (RFC 7622: lower case)', async () => {
    const { sets, session, events } = appRefusing('jid-malformed');
    const app = new RosterService({ session, presence: new Presence({ session, events, isContact: () => true }), events, log: silentLogger, store: new RosterStore(await vaultsForTest()) });
    apps.push(app);
    await app.add({ jid: 'Benvolio@CAPULET.lit', groups: [] }).catch(() => undefined);
    expect(sets[0]?.attrs.jid).toBe('benvolio@capulet.lit');
    await expect(app.add({ jid: 'a@b@c', groups: [] })).rejects.toMatchObject({ code: 'invalid-argument', field: 'jid' });
  });
});

describe('answering a request to see your presence across an account switch', () => {
  it('tybalt asked romeo: once mercutio is signed in before the roster is read, mercutio sends tybalt no subscribe', async () => {
    const TYBALT = 'tybalt@capulet.lit';
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let rosterAsked = false;
    const session = fakeSession({
      account: ACCOUNT,
      answer: async () => {
        rosterAsked = true;
        await held; // romeo's server is slow to send his roster
        return xml('query', { xmlns: NS.roster }, ...items(['juliet@capulet.lit']));
      },
    });
    const events = new AppEvents();
    const presence = new Presence({ session, events, isContact: () => true });
    const app = new RosterService({ session, presence, events, log: silentLogger, store: new RosterStore(await vaultsForTest()) });
    apps.push(app);
    presence.onSubscriptionRequest(TYBALT, ACCOUNT);

    const answered = app.answer(TYBALT, true);
    answered.catch(() => undefined);
    await vi.waitFor(() => expect(rosterAsked).toBe(true));
    // Romeo signs out and mercutio in (what core.ts does as the new stream is online), then romeo's roster comes.
    session.state.account = 'mercutio@verona.lit';
    session.sessionGeneration++;
    app.reset();
    presence.reset();
    release();

    await expect(answered).rejects.toMatchObject({ code: 'signed-out-meanwhile' });
    // Romeo's approval went out on romeo's connection; nothing more, and nothing from mercutio's.
    expect(session.sent.map((s) => s.attrs)).toEqual([{ to: TYBALT, type: 'subscribed' }]);
  });
});
