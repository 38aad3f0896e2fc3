/**
 * The profile as its editor shows it, for the window and main alike (no runtime dependency: the window
 * imports it, eslint.config.js).
 */
import type { ContactProfileView, Profile } from './profile.js';

/** The profile's editable fields as the editor labels them: the window's form, and main's words about a field. */
export const PROFILE_FIELD_LABELS = {
  fullName: 'Full name',
  nickname: 'Nickname',
  emails: 'E-mail addresses',
  phones: 'Phone numbers',
  urls: 'Web addresses',
  organisation: 'Organisation',
  note: 'Note',
} as const;

/**
 * A profile as the editor shows it: the vCard, with the XEP-0172 nickname when the vCard has none. What a
 * person edits from (the window's form, the CLI's field edits), and what a window's edits are merged
 * onto in main (main/profile/field-edits.ts mergeProfileEdits): one reading for both.
 */
export function profileAsShown(own: Pick<ContactProfileView, 'vcard' | 'nickname'> | undefined): Profile {
  const nickname = own?.vcard?.nickname ?? own?.nickname;
  return { emails: [], phones: [], urls: [], ...own?.vcard, ...(nickname ? { nickname } : {}) };
}
