/**
 * Anyone can send the user a message carrying a PEP event from their own address. Profile notifications
 * count only from roster contacts and addresses the user opened (main/services/listened-contacts.ts): a
 * stranger's is not shown, makes the app ask nothing of the stranger's server, and takes no place in the
 * vault's bounded copy of contacts' profiles, where it would push real contacts' out. (Found by an attack
 * review: 200 strangers' nicknames evicted a contact's kept profile from a 16 KiB copy.)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ContactProfileView } from '../../../contract/index.js';
import { AppEvents } from '../../../main/events.js';
import type { Logger } from '../../../main/logger.js';
import { silentLogger } from '../../../main/logger.js';
import { avatarMetadataPayload } from '../../../main/profile/avatar.js';
import { NICK_ITEM_ID, nickPayload } from '../../../main/profile/nickname.js';
import { ProfileService } from '../../../main/services/profile.js';
import type { SessionPort } from '../../../main/services/session-port.js';
import { ContactProfilesStore } from '../../../main/vault/stores/contact-profiles-store.js';
import { NS } from '../../../main/xmpp/namespaces.js';
import { stanzaError } from '../../support/fake-pep-service.js';
import { fakeSession } from '../../support/fake-session.js';
import { unlockedVaults } from '../../support/vaults.js';

const ACCOUNT = 'juliet@capulet.lit';
const ROMEO = 'romeo@montague.lit';
const nickItem = (nick: string) => {
  const payload = nickPayload(nick);
  return { id: NICK_ITEM_ID, payload, size: payload.toString().length };
};
const settle = () => new Promise((r) => setTimeout(r, 50));

describe('profile notifications from strangers', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keyring-strangers-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** `account()`: the account signed in, read at each use (a switch of account changes it). */
  async function service(account: () => string = () => ACCOUNT) {
    const store = new ContactProfilesStore(await unlockedVaults(dir), 16 * 1024);
    const asked: string[] = [];
    const base = fakeSession({
      account: ACCOUNT,
      answer: (request, to = '') => {
        asked.push(`${to} ${request.getChild('items')?.attrs.node ?? ''}`);
        return Promise.reject(stanzaError('item-not-found', 'cancel'));
      },
    });
    const session: SessionPort = {
      ...base,
      get ownJid() {
        return account();
      },
      get state() {
        return { status: 'online' as const, account: account() };
      },
    };
    const events = new AppEvents();
    const shown: string[] = [];
    events.subscribe((event, payload) => event === 'contacts:profile' && shown.push((payload as ContactProfileView).jid));
    const warnings: string[] = [];
    const log: Logger = { ...silentLogger, warn: (line: string) => void warnings.push(line) };
    const profiles = new ProfileService({ session, events, log, contactProfiles: store, isKnownContact: (jid) => jid === ROMEO });
    return { store, asked, shown, warnings, profiles };
  }

  it('are not shown, fetched from or kept, and evict no contact’s kept profile; each stranger is logged once', { timeout: 30_000 }, async () => {
    const { store, asked, shown, warnings, profiles } = await service();
    profiles.onNotification({ from: ROMEO, node: NS.nick, items: [nickItem('Romeo')], retracted: [] });
    await vi.waitFor(() => expect(store.get(ACCOUNT, ROMEO)?.profile.nickname).toBe('Romeo'), { timeout: 10_000 });

    const id = 'a'.repeat(40);
    const meta = avatarMetadataPayload({ id, bytes: 10, type: 'image/png', width: 1, height: 1 });
    for (let round = 0; round < 2; round++) {
      profiles.onNotification({ from: 'mallory@evil.example', node: NS.avatarMetadata, items: [{ id, payload: meta, size: 100 }], retracted: [] });
    }
    for (let i = 0; i < 200; i++) {
      profiles.onNotification({ from: `s${i}@evil.example`, node: NS.nick, items: [nickItem(`stranger ${i} ${'x'.repeat(60)}`)], retracted: [] });
    }
    await settle();
    await settle();

    expect(shown).toEqual([ROMEO]);
    expect(asked).toEqual([]);
    expect(store.get(ACCOUNT, 's199@evil.example')).toBeUndefined();
    expect(store.get(ACCOUNT, ROMEO)?.profile.nickname).toBe('Romeo');
    expect(warnings.filter((w) => w.includes('mallory@evil.example'))).toHaveLength(1);
  });

  it('count once the user opened that address (a contact being added)', async () => {
    const { shown, profiles } = await service();
    await profiles.fetch('mercutio@verona.lit');
    profiles.onNotification({ from: 'Mercutio@Verona.lit', node: NS.nick, items: [nickItem('Mercutio')], retracted: [] });
    await vi.waitFor(() => expect(shown).toEqual(['Mercutio@Verona.lit']), { timeout: 10_000 });
  });

  it('count for the account that opened the address only: after a switch of account, they are a stranger’s again', async () => {
    let account = ACCOUNT;
    const { shown, warnings, profiles } = await service(() => account);
    await profiles.fetch('mercutio@verona.lit');
    account = 'nurse@capulet.lit';
    profiles.onNotification({ from: 'mercutio@verona.lit', node: NS.nick, items: [nickItem('Mercutio')], retracted: [] });
    await settle();
    expect(shown).toEqual([]);
    expect(warnings.some((w) => w.includes('mercutio@verona.lit'))).toBe(true);
    // Back to the account that opened it: its notifications count again.
    account = ACCOUNT;
    profiles.onNotification({ from: 'mercutio@verona.lit', node: NS.nick, items: [nickItem('Mercutio')], retracted: [] });
    await vi.waitFor(() => expect(shown).toEqual(['mercutio@verona.lit']), { timeout: 10_000 });
  });
});
