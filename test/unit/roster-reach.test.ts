/**
 * A publish to roster groups nobody is in reaches nobody, and the server takes it without a word: main
 * compares the groups with the roster it knows (main/services/roster-reach.ts) and the answer names the
 * empty ones. Over the real RosterService with a stand-in session and a real vault: the roster read from
 * the server when online, the saved copy offline, and nothing said when neither is known.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import xml from '@xmpp/xml';
import type { ConnectionStatus, EffectiveNodeConfig } from '../../contract/index.js';
import { describeEmptyGroups } from '../../contract/format.js';
import { AppEvents } from '../../main/events.js';
import { silentLogger } from '../../main/logger.js';
import { Presence } from '../../main/services/presence.js';
import { emptyGroupsOf, RosterReach } from '../../main/services/roster-reach.js';
import { RosterService } from '../../main/services/roster-service.js';
import type { VaultHolder } from '../../main/vault/vault-holder.js';
import { RosterStore } from '../../main/vault/stores/roster-store.js';
import { NS } from '../../main/xmpp/namespaces.js';
import { fakeSession } from '../support/fake-session.js';
import { unlockedVaults } from '../support/vaults.js';

const ACCOUNT = 'juliet@capulet.lit';
const dirs: string[] = [];
const rosters: RosterService[] = [];
afterEach(async () => {
  await Promise.all(rosters.splice(0).map((r) => r.whenSaved()));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function vaultsForTest(): Promise<VaultHolder> {
  const dir = await mkdtemp(join(tmpdir(), 'keyring-reach-'));
  dirs.push(dir);
  return unlockedVaults(dir);
}

/** romeo in Friends, the nurse in Servants: the roster juliet's server holds. */
const ROSTER = () =>
  xml(
    'query',
    { xmlns: NS.roster },
    xml('item', { jid: 'romeo@montague.lit', subscription: 'both' }, xml('group', {}, 'Friends')),
    xml('item', { jid: 'nurse@capulet.lit', subscription: 'both' }, xml('group', {}, 'Servants')),
  );

function reachOver(vaults: VaultHolder, status: ConnectionStatus, server: { failing: boolean; asked: number } = { failing: false, asked: 0 }) {
  const events = new AppEvents();
  const session = fakeSession({
    account: ACCOUNT,
    status,
    answer: () => {
      if (status !== 'online') throw new Error('offline: no request may leave');
      server.asked++;
      return server.failing ? Promise.reject(new Error('timeout')) : Promise.resolve(ROSTER());
    },
  });
  const roster = new RosterService({ session, presence: new Presence({ session, events, isContact: () => true }), events, log: silentLogger, store: new RosterStore(vaults) });
  rosters.push(roster);
  return { roster, reach: new RosterReach({ roster, log: silentLogger }) };
}

const config = (accessModel: string, groups: string[] = []): EffectiveNodeConfig => ({
  node: NS.pubkey,
  accessModel,
  persistItems: true,
  sendLastPublishedItem: 'never',
  maxItems: '32',
  rosterGroupsAllowed: groups,
  members: [],
  deviations: [],
});

describe('roster groups nobody is in', () => {
  it('a key published to "NoSuchGroup" says no contact is in it; one to "Friends" says nothing', async () => {
    const { reach } = reachOver(await vaultsForTest(), 'online');
    const noted = await reach.note(config('roster', ['NoSuchGroup']));
    expect(noted.emptyGroups).toEqual(['NoSuchGroup']);
    expect(describeEmptyGroups(noted.emptyGroups, noted.rosterGroupsAllowed, 'your keys')).toBe(
      'No contact of yours is in the group "NoSuchGroup": nobody can read your keys until you add someone to it.',
    );
    expect(await reach.note(config('roster', ['Friends']))).not.toHaveProperty('emptyGroups');
  });

  it('with one group empty beside one that is not, only the empty one is named, and readers remain', async () => {
    const { reach } = reachOver(await vaultsForTest(), 'online');
    const noted = await reach.note(config('roster', ['Friends', 'Nobody', 'Anyone']));
    expect(noted.emptyGroups).toEqual(['Nobody', 'Anyone']);
    expect(describeEmptyGroups(noted.emptyGroups, noted.rosterGroupsAllowed, 'your profile card')).toBe(
      'No contact of yours is in the groups "Nobody", "Anyone": nobody reads your profile card through them until you add someone to them.',
    );
  });

  it('group names compare as written, as the server compares them: "friends" is not "Friends"', () => {
    expect(emptyGroupsOf(['friends', 'Friends'], [{ groups: ['Friends'] }])).toEqual(['friends']);
  });

  it('another access model is left as it is: it names no group', async () => {
    const { reach } = reachOver(await vaultsForTest(), 'online');
    for (const model of ['open', 'presence', 'whitelist']) expect(await reach.note(config(model))).not.toHaveProperty('emptyGroups');
  });

  it('offline with a saved roster, that roster is what the groups are compared with', async () => {
    const vaults = await vaultsForTest();
    const online = reachOver(vaults, 'online');
    await online.roster.list({ fresh: true });
    await online.roster.whenSaved();
    const { reach } = reachOver(vaults, 'offline');
    expect((await reach.note(config('roster', ['Servants', 'Family']))).emptyGroups).toEqual(['Family']);
  });

  it('roster never fetched and not saved: nothing is said rather than guessed, offline or with the roster unreadable', async () => {
    const offline = reachOver(await vaultsForTest(), 'offline');
    expect(await offline.roster.known()).toBeUndefined();
    expect(await offline.reach.note(config('roster', ['NoSuchGroup']))).not.toHaveProperty('emptyGroups');

    const server = { failing: true, asked: 0 };
    const unreadable = reachOver(await vaultsForTest(), 'online', server);
    expect(await unreadable.reach.note(config('roster', ['NoSuchGroup']))).not.toHaveProperty('emptyGroups');
    expect(server.asked).toBe(1);
  });

  it('an account with no contacts at all, its roster read: every group named is empty', async () => {
    const events = new AppEvents();
    const session = fakeSession({ account: ACCOUNT, status: 'online', answer: () => Promise.resolve(xml('query', { xmlns: NS.roster })) });
    const roster = new RosterService({ session, presence: new Presence({ session, events, isContact: () => true }), events, log: silentLogger, store: new RosterStore(await vaultsForTest()) });
    rosters.push(roster);
    const noted = await new RosterReach({ roster, log: silentLogger }).note(config('roster', ['Friends']));
    expect(noted.emptyGroups).toEqual(['Friends']);
  });
});
