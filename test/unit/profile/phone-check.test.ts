/**
 * Main refuses a phone line that is no number (contract/phone.ts names it and why), before a publish or
 * its queueing (ProfileService.checkPhones, called by the profile:publish handler), except a line the
 * account's vCard already holds: another client may have published free text, and a change of the
 * nickname must not be refused for a line the user never touched.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppEvents } from '../../../main/events.js';
import { silentLogger } from '../../../main/logger.js';
import { ProfileService } from '../../../main/services/profile.js';
import { OwnProfileStore } from '../../../main/vault/stores/own-profile-store.js';
import { fakeSession } from '../../support/fake-session.js';
import { unlockedVaults } from '../../support/vaults.js';

const ACCOUNT = 'juliet@capulet.lit';

describe('phone lines checked before a publish', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keyring-phones-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function service(held: string[]) {
    const ownProfile = new OwnProfileStore(await unlockedVaults(dir));
    await ownProfile.update(ACCOUNT, () => ({ vcard: { emails: [], phones: held, urls: [] }, storedAt: new Date().toISOString() }));
    return new ProfileService({ session: fakeSession({ account: ACCOUNT }), events: new AppEvents(), log: silentLogger, ownProfile, isKnownContact: () => false });
  }

  it('refuses a new line that is no number, naming it, with the field', async () => {
    const profiles = await service([]);
    let refused: unknown;
    try {
      profiles.checkPhones({ phones: ['+39 045 123 4567', 'call me maybe'] });
    } catch (error) {
      refused = error;
    }
    expect(refused).toMatchObject({ code: 'invalid-argument', field: 'phones' });
    expect((refused as Error).message).toMatch(/^“call me maybe” is not a phone number: it has letters\./);
    expect(() => profiles.checkPhones({ phones: ['+39 045 123 4567', '+1 (418) 656-9254 ext. 102', '+44 20.7946.0000', '045 123 4567'] })).not.toThrow();
  });

  it('lets a line the vCard already holds through, whatever it is; the same text typed anew is refused', async () => {
    const profiles = await service(['555 1234 (mobile)']);
    expect(() => profiles.checkPhones({ phones: ['555 1234 (mobile)', '+39 045 123 4567'] })).not.toThrow();
    expect(() => profiles.checkPhones({ phones: ['555 9999 (office)'] })).toThrow(/“555 9999 \(office\)” is not a phone number/);
  });
});
