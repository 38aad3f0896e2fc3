/**
 * Field by field, how one profile differs from another: what the editor says publishing would change
 * (renderer/src/lib/profile-edits.ts profileChanges), and what another app or the server changed in the
 * card the app published (drift, main/profile/profile-content.ts profileFieldChanges). One comparison,
 * so the window's two lists of changes never disagree on what a field is.
 */
import type { ContactProfileView, Profile } from './profile.js';

/** A field as the editor groups it (the postal address's lines are one field). */
export type ProfileFieldName = 'fullName' | 'nickname' | 'emails' | 'phones' | 'urls' | 'organisation' | 'note' | 'address';

export interface ProfileFieldChange {
  field: ProfileFieldName;
  kind: 'added' | 'changed' | 'removed';
  /** The value before, as one line (a list's values joined by ", "); '' when there was none. */
  before: string;
  /** The value now, likewise; '' when there is none. */
  after: string;
}

/** How the editor labels each field: the words for it in the editor, the drift banner and the terminal. */
export const PROFILE_FIELD_LABEL: Readonly<Record<ProfileFieldName, string>> = {
  fullName: 'Full name',
  nickname: 'Nickname',
  emails: 'E-mail addresses',
  phones: 'Phone numbers',
  urls: 'Web addresses',
  organisation: 'Organisation',
  note: 'Note',
  address: 'Postal address',
};

/** In the editor's order. */
const FIELDS: readonly { field: ProfileFieldName; read: (p: Profile) => string }[] = [
  { field: 'fullName', read: (p) => p.fullName ?? '' },
  { field: 'nickname', read: (p) => p.nickname ?? '' },
  { field: 'emails', read: (p) => p.emails.join(', ') },
  { field: 'phones', read: (p) => p.phones.join(', ') },
  { field: 'urls', read: (p) => p.urls.join(', ') },
  { field: 'organisation', read: (p) => p.organisation ?? '' },
  { field: 'note', read: (p) => p.note ?? '' },
  { field: 'address', read: (p) => Object.values(p.address ?? {}).filter(Boolean).join(', ') },
];

/** The fields `after` holds otherwise than `before`, in the editor's order (none: they read the same). */
export function profileFieldChanges(before: Profile, after: Profile): ProfileFieldChange[] {
  return FIELDS.flatMap(({ field, read }) => {
    const was = read(before);
    const now = read(after);
    if (was === now) return [];
    return [{ field, kind: was === '' ? 'added' : now === '' ? 'removed' : 'changed', before: was, after: now }];
  });
}

/**
 * A profile as the editor shows it: the vCard, with the XEP-0172 nickname node's nickname when there is
 * one, else the vCard's. The node's wins where the two differ: it is what contacts' chat apps show, and
 * what another app of the account changes (a phone app sets the node alone); the form showing the vCard's
 * instead claimed to show what the server holds while any publish put the old nickname back on the node
 * without a word. The other copy is said beside the form (nicknameCopies) and its change listed. What a
 * person edits from (the window's form, the CLI's field edits), and what a window's edits are merged
 * onto in main (main/profile/field-edits.ts mergeProfileEdits): one reading for both.
 */
export function profileAsShown(own: Pick<ContactProfileView, 'vcard' | 'nickname'> | undefined): Profile {
  const nickname = own?.nickname ?? own?.vcard?.nickname;
  return { emails: [], phones: [], urls: [], ...own?.vcard, ...(nickname ? { nickname } : {}) };
}

/**
 * The account's two published nicknames when they differ: the XEP-0172 node's (`node`, what chat apps
 * show, and what the form shows) and the vCard's (`card`). Undefined when they agree or one is missing
 * (a publish writes the form's nickname to both, so the one missing then simply gets it).
 */
export function nicknameCopies(own: Pick<ContactProfileView, 'vcard' | 'nickname'> | undefined): { node: string; card: string } | undefined {
  const node = own?.nickname;
  const card = own?.vcard?.nickname;
  return node !== undefined && card !== undefined && node !== card ? { node, card } : undefined;
}
