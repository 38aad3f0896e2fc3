/**
 * RosterService: who counts as a contact for key notifications, and the roster copy kept in memory
 * and in the vault (RFC 6121 §2.6 versioning), over a stand-in session and a real vault.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import xml from '@xmpp/xml';
import type { Element } from '@xmpp/xml';
import type { ConnectionStatus } from '../../contract/index.js';
import { AppEvents } from '../../main/events.js';
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
afterEach(async () => {
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
}

function rosterApp(vaults: VaultHolder, server: Server, status: ConnectionStatus = 'online') {
  const session = fakeSession({
    account: ACCOUNT,
    status,
    answer: async (request) => {
      if (status !== 'online') throw new Error('offline: no request may leave');
      const ver = request.attrs.ver;
      server.asked.push(ver);
      await new Promise((r) => setImmediate(r));
      if (server.failing) throw new Error('timeout');
      if (request.attrs.type === 'set' || request.getChild('item')) return undefined;
      return server.reply(ver);
    },
  });
  const events = new AppEvents();
  return new RosterService({ session, presence: new Presence({ session, events }), events, log: silentLogger, store: new RosterStore(vaults) });
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
    await online.list(); // the push applied (and saved) behind the sync

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
    expect(first.asked).toEqual([undefined]);

    // Next sign-in: the server answers "unchanged since v2" with an empty result (§2.6.3).
    const second: Server = { reply: () => undefined, failing: false, asked: [] };
    const restarted = rosterApp(vaults, second);
    expect((await restarted.list()).map((c) => c.jid)).toEqual(['juliet@capulet.lit', 'nurse@capulet.lit']);
    expect(second.asked).toEqual(['v2']);
  });

  it('a server that does not version gets no version and its whole roster replaces the copy', async () => {
    const vaults = await vaultsForTest();
    await rosterApp(vaults, { reply: whole(['juliet@capulet.lit']), failing: false, asked: [] }).list();
    const server: Server = { reply: whole(['benvolio@montague.lit']), failing: false, asked: [] };
    expect((await rosterApp(vaults, server).list()).map((c) => c.jid)).toEqual(['benvolio@montague.lit']);
    expect(server.asked).toEqual([undefined]);
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
