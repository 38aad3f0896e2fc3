/**
 * The profile editor's arithmetic: the form's fields from the published profile, the profile to publish
 * from the form, and what publishing it would change. XEP-0292 §4.1.2 publishes the whole vCard, so
 * whatever the form does not show (the postal address) is carried over from what is published: a field
 * is removed only when the user cleared it.
 */
import type { OwnProfileView, Profile } from '../../../contract';
import { PROFILE_LIMITS } from '../../../contract/limits';
import { newPhoneProblems, phoneAsPublished } from '../../../contract/phone';

export interface ProfileForm {
  fullName: string;
  nickname: string;
  emails: string;
  phones: string;
  urls: string;
  organisation: string;
  note: string;
}

export interface FieldChange {
  label: string;
  kind: 'added' | 'changed' | 'removed';
  before: string;
  after: string;
}

export const EMPTY_FORM: ProfileForm = { fullName: '', nickname: '', emails: '', phones: '', urls: '', organisation: '', note: '' };

/** The form filled from a published profile (the XEP-0172 nickname when the vCard has none). */
export function formFrom(published: Profile | undefined, nickname: string | undefined): ProfileForm {
  return {
    fullName: published?.fullName ?? '',
    nickname: published?.nickname ?? nickname ?? '',
    emails: (published?.emails ?? []).join('\n'),
    phones: (published?.phones ?? []).join('\n'),
    urls: (published?.urls ?? []).join('\n'),
    organisation: published?.organisation ?? '',
    note: published?.note ?? '',
  };
}

const lines = (text: string) =>
  text
    .split(/[\n,]/)
    .map((v) => v.trim())
    .filter((v) => v !== '');

/**
 * The profile to publish: the form's fields over the published profile's others. Phone numbers are
 * written as they will read back once published (contract/phone.ts: "+39-045 123" reads "+39 045 123"),
 * so that what publishing changes names what contacts, and this form later, will show.
 */
export function profileFrom(form: ProfileForm, published: Profile | undefined): Profile {
  const text = (value: string) => value.trim();
  return {
    ...(text(form.fullName) ? { fullName: text(form.fullName) } : {}),
    ...(text(form.nickname) ? { nickname: text(form.nickname) } : {}),
    emails: lines(form.emails),
    phones: lines(form.phones).map(phoneAsPublished),
    urls: lines(form.urls),
    ...(text(form.organisation) ? { organisation: text(form.organisation) } : {}),
    ...(form.note.trim() ? { note: form.note } : {}),
    ...(published?.address ? { address: { ...published.address } } : {}),
  };
}

const FIELDS: { label: string; read: (p: Profile) => string }[] = [
  { label: 'Full name', read: (p) => p.fullName ?? '' },
  { label: 'Nickname', read: (p) => p.nickname ?? '' },
  { label: 'E-mail addresses', read: (p) => p.emails.join(', ') },
  { label: 'Phone numbers', read: (p) => p.phones.join(', ') },
  { label: 'Web addresses', read: (p) => p.urls.join(', ') },
  { label: 'Organisation', read: (p) => p.organisation ?? '' },
  { label: 'Note', read: (p) => p.note ?? '' },
  { label: 'Postal address', read: (p) => Object.values(p.address ?? {}).filter(Boolean).join(', ') },
];

/** Field by field, what publishing `next` over `published` changes (nothing listed: nothing changes). */
export function profileChanges(published: Profile | undefined, publishedNickname: string | undefined, next: Profile): FieldChange[] {
  const before: Profile = { emails: [], phones: [], urls: [], ...published };
  if (before.nickname === undefined && publishedNickname !== undefined) before.nickname = publishedNickname;
  return FIELDS.flatMap(({ label, read }) => {
    const was = read(before);
    const now = read(next);
    if (was === now) return [];
    return [{ label, kind: was === '' ? 'added' : now === '' ? 'removed' : 'changed', before: was, after: now }];
  });
}

/**
 * The own profile once `profile` is published over `own`: the vCard is the one published, and so is the
 * nickname, on the nickname node too (main withdraws a cleared one there), so the form settles with
 * nothing left to change. The avatar and the rest of the view stay.
 */
export function ownAfterPublish(own: OwnProfileView | undefined, profile: Profile): OwnProfileView {
  const { nickname: _before, ...rest } = own ?? { jid: '', origin: 'fetch' as const, updated: [], sources: [], configs: [] };
  return { ...rest, vcard: profile, ...(profile.nickname !== undefined ? { nickname: profile.nickname } : {}) };
}

/** Something in the form that keeps it from being published, and the field it is about (if one). */
export interface FormProblem {
  field?: keyof ProfileForm;
  text: string;
}

/**
 * Per-field checks before anything is sent (main validates again, phone numbers with the same
 * contract/phone.ts newPhoneProblems, which lets a line the published vCard already holds through):
 * each problem a sentence that names what it is about.
 */
export function profileProblems(form: ProfileForm, published?: Pick<Profile, 'phones'>): FormProblem[] {
  const emails = lines(form.emails);
  const phones = lines(form.phones);
  const urls = lines(form.urls);
  return [
    ...emails.filter((e) => !/^[^\s@]+@[^\s@]+$/.test(e)).map((e) => ({ field: 'emails' as const, text: `“${e}” is not an e-mail address` })),
    ...newPhoneProblems(phones, published?.phones).map((text) => ({ field: 'phones' as const, text })),
    ...urls.filter((u) => !/^https?:\/\/\S+$/i.test(u)).map((u) => ({ field: 'urls' as const, text: `“${u}” is not a web address (http:// or https://)` })),
    ...(emails.length > PROFILE_LIMITS.entries || phones.length > PROFILE_LIMITS.entries || urls.length > PROFILE_LIMITS.entries
      ? [{ text: `At most ${PROFILE_LIMITS.entries} entries per list` }]
      : []),
    ...([form.fullName, form.nickname, form.organisation].some((v) => v.length > PROFILE_LIMITS.fieldChars)
      ? [{ text: `A field is longer than ${PROFILE_LIMITS.fieldChars} characters` }]
      : []),
    ...(form.note.length > PROFILE_LIMITS.noteChars ? [{ field: 'note' as const, text: `The note is longer than ${PROFILE_LIMITS.noteChars} characters` }] : []),
  ];
}
