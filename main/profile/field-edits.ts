/**
 * Editing a profile field by field (`keyring profile set --field NAME=VALUE`): the names a person types,
 * and the published profile with the edits applied. XEP-0292 §4.1.2 publishes the whole vCard, so the
 * fields an edit does not name keep their published value.
 */
import type { ContactProfileView, Profile } from '../../contract/index.js';
import { PROFILE_FIELD_LABEL, profileAsShown } from '../../contract/profile-changes.js';
import { KeyringError } from '../errors.js';
import { NS } from '../xmpp/namespaces.js';

/** What the user types → the profile field (list fields may repeat). */
export const PROFILE_FIELDS = {
  name: 'fullName',
  nickname: 'nickname',
  email: 'emails',
  phone: 'phones',
  url: 'urls',
  note: 'note',
  org: 'organisation',
  street: 'street',
  locality: 'locality',
  region: 'region',
  code: 'code',
  country: 'country',
} as const;

const FIELD_ALIASES: Record<string, keyof typeof PROFILE_FIELDS> = {
  fn: 'name',
  'full-name': 'name',
  nick: 'nickname',
  tel: 'phone',
  organisation: 'org',
  organization: 'org',
  'postal-code': 'code',
};

export type FieldEdit = { field: (typeof PROFILE_FIELDS)[keyof typeof PROFILE_FIELDS]; value: string };

/** `NAME=VALUE` texts as edits; an unknown name or a missing `=` is an 'invalid-argument' error. */
export function parseFieldEdits(args: readonly string[]): FieldEdit[] {
  return args.map((arg) => {
    const eq = arg.indexOf('=');
    const rawName = (eq < 0 ? arg : arg.slice(0, eq)).trim().toLowerCase();
    const name = FIELD_ALIASES[rawName] ?? rawName;
    if (eq < 0 || !Object.hasOwn(PROFILE_FIELDS, name)) {
      throw new KeyringError('invalid-argument', `--field takes NAME=VALUE with NAME one of ${Object.keys(PROFILE_FIELDS).join(', ')}.`, 'field');
    }
    return { field: PROFILE_FIELDS[name as keyof typeof PROFILE_FIELDS], value: arg.slice(eq + 1).trim() };
  });
}

/** The published profile with the edits applied: a list named at all is replaced by the values given. */
export function applyFieldEdits(current: Profile, edits: readonly FieldEdit[]): Profile {
  const next: Profile = { ...current, emails: [...current.emails], phones: [...current.phones], urls: [...current.urls] };
  if (current.address) next.address = { ...current.address };
  const listsSeen = new Set<string>();
  for (const { field, value } of edits) {
    if (field === 'emails' || field === 'phones' || field === 'urls') {
      if (!listsSeen.has(field)) next[field] = [];
      listsSeen.add(field);
      if (value !== '') next[field].push(value);
    } else if (field === 'street' || field === 'locality' || field === 'region' || field === 'code' || field === 'country') {
      const address = { ...next.address };
      if (value === '') delete address[field];
      else address[field] = value;
      if (Object.keys(address).length > 0) next.address = address;
      else delete next.address;
    } else if (value === '') {
      delete next[field];
    } else {
      next[field] = value;
    }
  }
  return next;
}

/**
 * The profile to apply edits to, from the account's own profile as its server holds it; a problem when
 * the vCard cannot be read (then the fields not named would be lost).
 */
export function editableProfile(own: ContactProfileView): Profile | { problem: string } {
  const source = own.sources.find((s) => s.node === NS.vcard4);
  if (source && source.status !== 'ok' && source.status !== 'none') return { problem: source.detail ?? source.status };
  // As the editor's form shows it: the profile a person edits, and the one a window's edits are merged
  // onto (mergeProfileEdits), are alike.
  return profileAsShown(own);
}

/** How the conflict's words name each field (the profile editor's labels). */
const FIELD_WORDS: Record<FieldEdit['field'], string> = {
  fullName: PROFILE_FIELD_LABEL.fullName,
  nickname: PROFILE_FIELD_LABEL.nickname,
  emails: PROFILE_FIELD_LABEL.emails,
  phones: PROFILE_FIELD_LABEL.phones,
  urls: PROFILE_FIELD_LABEL.urls,
  organisation: PROFILE_FIELD_LABEL.organisation,
  note: PROFILE_FIELD_LABEL.note,
  street: PROFILE_FIELD_LABEL.address,
  locality: PROFILE_FIELD_LABEL.address,
  region: PROFILE_FIELD_LABEL.address,
  code: PROFILE_FIELD_LABEL.address,
  country: PROFILE_FIELD_LABEL.address,
};

const EDITABLE_FIELDS = Object.values(PROFILE_FIELDS);

/** A field's value, comparable as text (a list in order, as XEP-0292 publishes it); absent is ''. */
function fieldValue(profile: Profile, field: FieldEdit['field']): string {
  if (field === 'emails' || field === 'phones' || field === 'urls') return JSON.stringify(profile[field]);
  if (field === 'street' || field === 'locality' || field === 'region' || field === 'code' || field === 'country') return profile.address?.[field] ?? '';
  return profile[field] ?? '';
}

/** The edits that make `base`'s `field` `edited`'s: a list named at all is replaced (applyFieldEdits). */
function editsOf(edited: Profile, field: FieldEdit['field']): FieldEdit[] {
  if (field === 'emails' || field === 'phones' || field === 'urls') {
    return edited[field].length === 0 ? [{ field, value: '' }] : edited[field].map((value) => ({ field, value }));
  }
  if (field === 'street' || field === 'locality' || field === 'region' || field === 'code' || field === 'country') return [{ field, value: edited.address?.[field] ?? '' }];
  return [{ field, value: edited[field] ?? '' }];
}

/**
 * A three-way merge by field, for a profile edited in a window while another app of the account may
 * publish too: the fields the person changed from `base` (the profile they edited from, as it was shown
 * published) applied onto `current` (what the server holds now), so that what another app changed
 * meanwhile stays. A field both changed, to different values, is a conflict: nothing is merged then, and
 * the labels say which (each once).
 */
export function mergeProfileEdits(base: Profile, edited: Profile, current: Profile): { profile: Profile } | { conflicts: string[] } {
  const changed = EDITABLE_FIELDS.filter((field) => fieldValue(edited, field) !== fieldValue(base, field));
  const conflicts = changed.filter((field) => fieldValue(current, field) !== fieldValue(base, field) && fieldValue(current, field) !== fieldValue(edited, field));
  if (conflicts.length > 0) return { conflicts: [...new Set(conflicts.map((field) => FIELD_WORDS[field]))] };
  return { profile: applyFieldEdits(current, changed.flatMap((field) => editsOf(edited, field))) };
}
