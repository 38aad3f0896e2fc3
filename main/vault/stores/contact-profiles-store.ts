/**
 * What the vault keeps of contacts' profiles, so they show offline: each contact's last profile and the
 * avatar images, once per id (XEP-0084 §4.2.1: the id is the image's SHA-1), within a byte budget. Over
 * it, the profiles stored longest ago go first, then the images no profile kept names.
 */
import { ContactProfiles, type ContactProfileRecord, type ContactProfilesRecord } from '../schema.js';
import type { VaultHolder } from '../vault-holder.js';
import { updateAccountPart } from './account-record.js';

export interface StoredAvatar {
  type: 'image/png' | 'image/jpeg';
  dataBase64: string;
}

export class ContactProfilesStore {
  readonly #vaults: VaultHolder;
  readonly #budgetBytes: number;

  /** `budgetBytes`: what the profiles and images may take in all (JSON characters, a byte each). */
  constructor(vaults: VaultHolder, budgetBytes: number) {
    this.#vaults = vaults;
    this.#budgetBytes = budgetBytes;
  }

  /** The contact's stored profile and its avatar's image when kept; none while the vault is locked. */
  get(account: string, contact: string): { profile: Readonly<ContactProfileRecord>; avatar?: StoredAvatar } | undefined {
    if (!this.#vaults.isOpen) return undefined;
    const kept = this.#vaults.vault.account(account)?.contactProfiles;
    const profile = kept?.profiles[contact];
    if (kept === undefined || profile === undefined) return undefined;
    const avatar = profile.avatar === undefined ? undefined : kept.avatars[profile.avatar.info.id];
    return avatar === undefined ? { profile } : { profile, avatar };
  }

  /** Keeps the contact's profile (and the avatar image, unless already kept); no-op while locked. */
  async put(account: string, contact: string, profile: ContactProfileRecord, avatar?: StoredAvatar): Promise<void> {
    if (!this.#vaults.isOpen) return;
    const next = (stored: ContactProfilesRecord | undefined): ContactProfilesRecord => {
      const kept: ContactProfilesRecord = stored ?? { profiles: {}, avatars: {} };
      // Re-inserted, so that key order is the order of storing (the oldest first, evicted first).
      const { [contact]: _previous, ...others } = kept.profiles;
      const profiles = { ...others, [contact]: profile };
      const avatars = { ...kept.avatars };
      if (avatar !== undefined && profile.avatar !== undefined) avatars[profile.avatar.info.id] ??= avatar;
      return withinBudget({ profiles, avatars }, this.#budgetBytes);
    };
    // Only the kept profiles are copied and checked, not the whole document (every contact's keys):
    // a sign-in can bring many contacts' profiles.
    await updateAccountPart(this.#vaults.vault, account, 'contactProfiles', ContactProfiles, next);
  }

  /** Bytes the kept profiles and images take for the account now (at most the budget). */
  usedBytes(account: string): number {
    if (!this.#vaults.isOpen) return 0;
    const kept = this.#vaults.vault.account(account)?.contactProfiles;
    return kept === undefined ? 0 : sizeOf(kept);
  }
}

function sizeOf(kept: ContactProfilesRecord): number {
  let bytes = 0;
  for (const [jid, profile] of Object.entries(kept.profiles)) bytes += jid.length + JSON.stringify(profile).length;
  for (const [id, avatar] of Object.entries(kept.avatars)) bytes += id.length + avatar.dataBase64.length + 32;
  return bytes;
}

/** The oldest profiles dropped until what is left, with the images it names, fits. */
function withinBudget(kept: ContactProfilesRecord, budget: number): ContactProfilesRecord {
  const entries = Object.entries(kept.profiles);
  const uses = new Map<string, number>();
  for (const [, profile] of entries) if (profile.avatar) uses.set(profile.avatar.info.id, (uses.get(profile.avatar.info.id) ?? 0) + 1);
  const avatars = Object.fromEntries(Object.entries(kept.avatars).filter(([id]) => uses.has(id)));
  let bytes = sizeOf({ profiles: kept.profiles, avatars });
  let dropped = 0;
  while (bytes > budget && dropped < entries.length) {
    const [jid, profile] = entries[dropped++] ?? ['', undefined];
    if (profile === undefined) break;
    bytes -= jid.length + JSON.stringify(profile).length;
    const id = profile.avatar?.info.id;
    if (id === undefined) continue;
    const left = (uses.get(id) ?? 1) - 1;
    if (left > 0) {
      uses.set(id, left);
      continue;
    }
    uses.delete(id);
    const image = avatars[id];
    if (image) bytes -= id.length + image.dataBase64.length + 32;
    delete avatars[id];
  }
  return { profiles: Object.fromEntries(entries.slice(dropped)), avatars };
}
