/**
 * romeo's profile or avatar publish still running when mercutio signs in (another window pressed
 * Connect) stops in words that say so: nothing goes over mercutio's connection, to mercutio's service or
 * addressed to romeo's (where romeo's server would refuse mercutio in words about permissions).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KeyringError } from '../../../main/errors.js';
import { AppEvents } from '../../../main/events.js';
import { silentLogger } from '../../../main/logger.js';
import { ProfileService } from '../../../main/services/profile.js';
import { PublishedNodesStore } from '../../../main/vault/stores/published-nodes-store.js';
import { NS } from '../../../main/xmpp/namespaces.js';
import { makePng } from '../../support/images.js';
import { MERCUTIO, ROMEO, twoPepAccounts } from '../../support/two-pep-accounts.js';
import { unlockedVaults } from '../../support/vaults.js';

const PROFILE = { fullName: 'Romeo Montague', emails: [], phones: [], urls: [] };
const SIGNED_OUT = /^romeo@montague\.lit was signed out .* while publishing your (profile|avatar): .*did nothing for another account/;

describe('romeo’s profile publish across mercutio’s sign-in (or romeo’s own reconnect)', () => {
  let dir: string;
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function app() {
    dir = await mkdtemp(join(tmpdir(), 'keyring-profile-switch-'));
    const sw = twoPepAccounts();
    const published = new PublishedNodesStore(await unlockedVaults(dir));
    const profiles = new ProfileService({ session: sw.session, events: new AppEvents(), log: silentLogger, published, isKnownContact: () => false });
    return { sw, published, profiles };
  }

  it('mercutio signs in while the profile’s audience is noted: stopped in words, nothing sent over his connection', async () => {
    const { sw, published, profiles } = await app();
    const noteAccess = published.noteAccess.bind(published);
    published.noteAccess = async (...args) => {
      await noteAccess(...args);
      sw.signIn(MERCUTIO);
    };

    const error = await profiles.publish(PROFILE, { model: 'presence' }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(KeyringError);
    expect(error).toMatchObject({ code: 'signed-out-meanwhile', message: expect.stringMatching(SIGNED_OUT) as string });
    expect(sw.mercutio.requests).toEqual([]);
    expect(sw.romeo.nodes.size).toBe(0);
  });

  it('mercutio signs in while the avatar is being prepared: stopped in words, nothing sent over his connection', async () => {
    const { sw, profiles } = await app();

    const publishing = profiles.setAvatar(makePng(64, 64), { model: 'presence' });
    sw.signIn(MERCUTIO);
    const error = await publishing.catch((e: unknown) => e);

    expect(error).toBeInstanceOf(KeyringError);
    expect(error).toMatchObject({ code: 'signed-out-meanwhile', message: expect.stringMatching(SIGNED_OUT) as string });
    expect(sw.mercutio.requests).toEqual([]);
    expect(sw.romeo.nodes.size).toBe(0);
  });

  it('romeo’s own reconnect while the profile’s audience is noted: the publish goes on over his new stream, to his nodes', async () => {
    const { sw, published, profiles } = await app();
    const noteAccess = published.noteAccess.bind(published);
    let reconnect: (() => void) | undefined = () => {
      sw.set({ status: 'reconnecting', account: ROMEO });
      sw.set({ status: 'connecting', account: ROMEO });
      sw.set({ status: 'online', account: ROMEO });
    };
    published.noteAccess = async (...args) => {
      await noteAccess(...args);
      const now = reconnect;
      reconnect = undefined;
      now?.();
    };

    await profiles.publish(PROFILE, { model: 'presence' });

    expect(reconnect).toBeUndefined();
    expect(sw.romeo.nodes.get(NS.vcard4)?.items).toHaveLength(1);
    expect(sw.mercutio.requests).toEqual([]);
  });
});

