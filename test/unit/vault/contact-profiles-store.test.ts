/**
 * Contacts' profiles kept in the vault (shown offline): within the byte budget however much contacts
 * publish, the profiles stored longest ago going first; an avatar two contacts share is kept once; and
 * the copy survives closing and reopening the vault.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ContactProfilesStore } from '../../../main/vault/stores/contact-profiles-store.js';
import type { ContactProfileRecord } from '../../../main/vault/schema.js';
import { unlockedVaults } from '../../support/vaults.js';

const ACCOUNT = 'romeo@montague.lit';
const MiB = 1024 * 1024;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keyring-contact-profiles-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const profileWithAvatar = (name: string, id: string): ContactProfileRecord => ({
  vcard: { fullName: name, emails: [], phones: [], urls: [] },
  avatar: { info: { id, type: 'image/png', bytes: 1 } },
  storedAt: new Date().toISOString(),
});
const image = (kib: number, seed: string) => ({ type: 'image/png' as const, dataBase64: seed.repeat((kib * 1024) / seed.length) });

describe('contacts’ profiles in the vault', () => {
  it('stay within the budget, the oldest going first, with only the images the kept profiles name', async () => {
    const vaults = await unlockedVaults(dir);
    const store = new ContactProfilesStore(vaults, 2 * MiB);
    for (let i = 0; i < 8; i++) {
      await store.put(ACCOUNT, `c${i}@capulet.lit`, profileWithAvatar(`Contact ${i}`, `id${i}`), image(512, `${i}`.padEnd(4, 'x')));
      expect(store.usedBytes(ACCOUNT)).toBeLessThanOrEqual(2 * MiB);
    }
    expect(store.usedBytes(ACCOUNT)).toBeGreaterThan(MiB);
    expect(store.get(ACCOUNT, 'c7@capulet.lit')?.avatar?.dataBase64.length).toBe(512 * 1024);
    expect(store.get(ACCOUNT, 'c0@capulet.lit')).toBeUndefined();
    const kept = vaults.vault.account(ACCOUNT)?.contactProfiles;
    const names = Object.values(kept?.profiles ?? {}).map((p) => p.avatar?.info.id);
    expect(Object.keys(kept?.avatars ?? {}).sort()).toEqual([...names].sort());
  }, 60_000);

  it('keep an avatar two contacts publish once, and survive reopening the vault', async () => {
    const vaults = await unlockedVaults(dir);
    const store = new ContactProfilesStore(vaults, 32 * MiB);
    await store.put(ACCOUNT, 'juliet@capulet.lit', profileWithAvatar('Juliet', 'same'), image(256, 'abcd'));
    await store.put(ACCOUNT, 'nurse@capulet.lit', profileWithAvatar('Nurse', 'same'), image(256, 'abcd'));
    expect(Object.keys(vaults.vault.account(ACCOUNT)?.contactProfiles?.avatars ?? {})).toEqual(['same']);
    expect(store.usedBytes(ACCOUNT)).toBeLessThan(300 * 1024);

    const reopened = new ContactProfilesStore(await unlockedVaults(dir), 32 * MiB);
    expect(reopened.get(ACCOUNT, 'nurse@capulet.lit')).toMatchObject({ profile: { vcard: { fullName: 'Nurse' } }, avatar: { dataBase64: 'abcd'.repeat(64 * 1024) } });
  }, 30_000);
});
