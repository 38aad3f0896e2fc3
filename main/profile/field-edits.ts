/**
 * Editing a profile field by field (`keyring profile set --field NAME=VALUE`): the names a person types,
 * and the published profile with the edits applied. XEP-0292 §4.1.2 publishes the whole vCard, so the
 * fields an edit does not name keep their published value.
 */
import type { ContactProfileView, Profile } from '../../contract/index.js';
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
  return own.vcard ?? { emails: [], phones: [], urls: [], ...(own.nickname ? { nickname: own.nickname } : {}) };
}
