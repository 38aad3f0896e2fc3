/**
 * The profile editor's arithmetic: the form's fields from the published profile, the profile to publish
 * from the form, and what publishing it would change. XEP-0292 §4.1.2 publishes the whole vCard, so
 * whatever the form does not show (the postal address) is carried over from what is published: a field
 * is removed only when the user cleared it. Each field is cleaned as main cleans it before it goes out
 * (contract/own-text.ts ownText), so what publishing changes is what contacts will read, and what that
 * cleaning leaves out is said under the field (profileNotices) before anything is published.
 */
import type { EffectiveNodeConfig, OwnProfileView, Profile } from '../../../contract';
import { accessOf } from './own-keys';
import { PROFILE_LIMITS } from '../../../contract/limits';
import { codePointName, ownText, removedFromOwnText, type RemovedKind } from '../../../contract/own-text';
import { newPhoneProblems, phoneAsPublished } from '../../../contract/phone';
import { nicknameCopies, PROFILE_FIELD_LABEL, profileAsShown, profileFieldChanges } from '../../../contract/profile-changes';

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

/**
 * A list field's values, each as it goes out: one per line, as each field's label says. Not split at
 * commas: a web address may hold one (a map's https://maps.example/@45.43,10.99), and an e-mail
 * address or phone number typed with one is refused whole, saying what it is not.
 */
const lines = (text: string) =>
  text
    .split('\n')
    .map((v) => ownText(v, PROFILE_LIMITS.fieldChars))
    .filter((v): v is string => v !== undefined);

/** A one-line field as it goes out. */
const field = (value: string) => ownText(value, PROFILE_LIMITS.fieldChars);

/**
 * The profile to publish: the form's fields over the published profile's others. Phone numbers are
 * written as they will read back once published (contract/phone.ts: "+39-045 123" reads "+39 045 123"),
 * so that what publishing changes names what contacts, and this form later, will show.
 */
export function profileFrom(form: ProfileForm, published: Profile | undefined): Profile {
  const fullName = field(form.fullName);
  const nickname = field(form.nickname);
  const organisation = field(form.organisation);
  const note = ownText(form.note, PROFILE_LIMITS.noteChars, { multiline: true });
  return {
    ...(fullName !== undefined ? { fullName } : {}),
    ...(nickname !== undefined ? { nickname } : {}),
    emails: lines(form.emails),
    phones: lines(form.phones).map(phoneAsPublished),
    urls: lines(form.urls),
    ...(organisation !== undefined ? { organisation } : {}),
    ...(note !== undefined ? { note } : {}),
    ...(published?.address ? { address: { ...published.address } } : {}),
  };
}

/** How the change list names the vCard's nickname when it differs from the nickname node's. */
export const CARD_NICKNAME_LABEL = 'Nickname in your profile card';

/** The change list's labels in the editor's order. */
const FIELD_ORDER: readonly string[] = Object.values(PROFILE_FIELD_LABEL);

/**
 * Field by field, what publishing `next` over `published` changes (nothing listed: nothing changes). The
 * nickname is compared with the nickname node's (`publishedNickname`, which contacts' chat apps show) when
 * there is one; where the vCard holds another, publishing puts the form's into both, and the vCard's
 * change is listed apart, so that neither copy is replaced unsaid.
 */
export function profileChanges(published: Profile | undefined, publishedNickname: string | undefined, next: Profile): FieldChange[] {
  const before: Profile = { emails: [], phones: [], urls: [], ...published };
  const copies = nicknameCopies({ vcard: before, ...(publishedNickname !== undefined ? { nickname: publishedNickname } : {}) });
  if (publishedNickname !== undefined) before.nickname = publishedNickname;
  const changes = profileFieldChanges(before, next).map(({ field, kind, before: was, after }) => ({ label: PROFILE_FIELD_LABEL[field], kind, before: was, after }));
  const cardChange = copies ? profileFieldChanges({ ...before, nickname: copies.card }, next).find((c) => c.field === 'nickname') : undefined;
  if (cardChange === undefined) return changes;
  // Right after the node's nickname (or where it would be: only the card's may change).
  const at = changes.findIndex((c) => FIELD_ORDER.indexOf(c.label) > FIELD_ORDER.indexOf(PROFILE_FIELD_LABEL.nickname));
  const entry = { label: CARD_NICKNAME_LABEL, kind: cardChange.kind, before: cardChange.before, after: cardChange.after };
  return at < 0 ? [...changes, entry] : [...changes.slice(0, at), entry, ...changes.slice(at)];
}

/** The profile the form shows as published (formFrom's): contract/profile-changes.ts profileAsShown. */
export const shownProfile = profileAsShown;

/** The form's fields (not the postal address, which the form does not edit), in its order. */
const FORM_FIELDS = Object.keys(EMPTY_FORM) as (keyof ProfileForm)[];

/** A field of the form as a profile holds it, comparable (a list as its lines in order). */
function fieldText(profile: Profile, key: keyof ProfileForm): string {
  const value = profile[key];
  return Array.isArray(value) ? value.join('\n') : (value ?? '');
}

/** A field the person changed here that the server's profile changed under too: what it holds now. */
export interface ChangedUnder {
  key: keyof ProfileForm;
  label: string;
  now: string;
}

/**
 * The form once the published profile shown changes from `before` to `now` (another app of the account
 * published, or a reload): each field the person left alone takes the new value; each they changed keeps
 * their text, and is named in `changedUnder` when the server's value changed too (to something else
 * than theirs), so that the person knows what publishing would now replace.
 */
export function rebaseForm(form: ProfileForm, before: Profile, now: Profile): { form: ProfileForm; changedUnder: ChangedUnder[] } {
  const draft = profileFrom(form, now);
  const fresh = formFrom(now, undefined);
  const next = { ...form };
  const changedUnder: ChangedUnder[] = [];
  for (const key of FORM_FIELDS) {
    const mine = fieldText(draft, key);
    if (mine === fieldText(before, key)) next[key] = fresh[key];
    else if (fieldText(now, key) !== fieldText(before, key) && fieldText(now, key) !== mine) {
      changedUnder.push({ key, label: PROFILE_FIELD_LABEL[key], now: fieldText(now, key).replace(/\n/g, ', ') });
    }
  }
  return { form: next, changedUnder };
}

/**
 * The own profile once `profile` is published over `own`: the vCard is the one published, and so is the
 * nickname, on the nickname node too (main withdraws a cleared one there), so the form settles with
 * nothing left to change. The avatar and the rest of the view stay.
 */
export function ownAfterPublish(own: OwnProfileView | undefined, profile: Profile, configs: readonly EffectiveNodeConfig[] = []): OwnProfileView {
  const { nickname: _before, audience: audienceBefore, ...rest } = own ?? { jid: '', origin: 'fetch' as const, updated: [], sources: [], configs: [] };
  // The nodes' configurations as the publish read them back; the card's audience is the one it now has.
  const nodes = new Set(configs.map((c) => c.node));
  const card = configs.find((c) => c.node.endsWith('vcard4'));
  const access = card ? accessOf(card.accessModel, card.rosterGroupsAllowed, card.whitelist) : undefined;
  const audience = card ? (access ? { access, source: 'server' as const } : undefined) : audienceBefore;
  return {
    ...rest,
    configs: [...rest.configs.filter((c) => !nodes.has(c.node)), ...configs],
    vcard: profile,
    // What could not be kept is gone now; what was kept stays (the server's echo of the card refreshes both).
    ...(rest.otherDetails ? { otherDetails: { kept: rest.otherDetails.kept, notKept: [] } } : {}),
    ...(profile.nickname !== undefined ? { nickname: profile.nickname } : {}),
    ...(audience ? { audience } : {}),
  };
}

/**
 * What "What publishing changes" says of the rest of the card, from main's words for what the vCard holds
 * that the editor does not show (OwnProfileView.otherDetails): it stays, named; what main cannot keep (too
 * large, a second value of a field shown once) is named apart, as removed. Without main's words (offline,
 * the card unread) only the plain sentence: main keeps whatever the server holds when publishing.
 */
export function restOfCard(details: OwnProfileView['otherDetails']): { stays: string; removed?: string } {
  const kept = details?.kept ?? [];
  const notKept = details?.notKept ?? [];
  return {
    stays: kept.length > 0 ? `Everything else stays as published, with what this app does not show: ${listed(kept)}.` : 'Everything else stays as published.',
    ...(notKept.length > 0 ? { removed: `Publishing also removes what this app cannot keep: ${listed(notKept)}.` } : {}),
  };
}

/** "A", "A and B", "A, B and C". */
function listed(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1] ?? ''}`;
}

/** Something in the form that keeps it from being published, and the field it is about (if one). */
export interface FormProblem {
  field?: keyof ProfileForm;
  text: string;
}

/** A count as the window writes it: "20,000". */
const count = (n: number) => n.toLocaleString('en');

/**
 * How long `raw` is as it would go out, cleaned (contract/own-text.ts ownText) but not cut, when that is
 * over `max`; undefined when it fits. ownText cuts at `max` without a word, so an over-long text must be
 * refused here, named, before anything is lost (walk 6: 20,000 characters pasted into Note kept 4,096).
 */
function overLimit(raw: string, max: number, multiline: boolean): number | undefined {
  if (raw.length <= max) return undefined; // cleaning only ever shortens
  const length = ownText(raw, Number.MAX_SAFE_INTEGER, { multiline })?.length ?? 0;
  return length > max ? length : undefined;
}

/** Each list field's one entry, and all of them, as its problems name them. */
const LIST_WORDS: Record<'emails' | 'phones' | 'urls', { one: string; many: string }> = {
  emails: { one: 'An e-mail address', many: 'e-mail addresses' },
  phones: { one: 'A phone number', many: 'phone numbers' },
  urls: { one: 'A web address', many: 'web addresses' },
};

/**
 * What is too long or too many in the form, field by field: each problem says how long it is and the
 * limit, so the person knows how much to take out. Nothing is cut to fit: what publishing would cut is
 * refused here instead, and named.
 */
function sizeProblems(form: ProfileForm): FormProblem[] {
  const oneLine = (['fullName', 'nickname', 'organisation'] as const).flatMap((name) => {
    const length = overLimit(form[name], PROFILE_LIMITS.fieldChars, false);
    return length === undefined ? [] : [{ field: name, text: `${PROFILE_FIELD_LABEL[name]} is ${count(length)} characters; at most ${count(PROFILE_LIMITS.fieldChars)}` }];
  });
  const lists = (['emails', 'phones', 'urls'] as const).flatMap((name) => {
    const entries = form[name].split('\n').filter((line) => ownText(line, Number.MAX_SAFE_INTEGER) !== undefined);
    const words = LIST_WORDS[name];
    const tooMany =
      entries.length > PROFILE_LIMITS.entries ? [{ field: name, text: `There are ${count(entries.length)} ${words.many}; at most ${PROFILE_LIMITS.entries}` }] : [];
    const tooLong = entries.flatMap((line) => {
      const length = overLimit(line, PROFILE_LIMITS.fieldChars, false);
      return length === undefined ? [] : [{ field: name, text: `${words.one} is ${count(length)} characters; at most ${count(PROFILE_LIMITS.fieldChars)}` }];
    });
    return [...tooMany, ...tooLong];
  });
  const note = overLimit(form.note, PROFILE_LIMITS.noteChars, true);
  return [
    ...oneLine,
    ...lists,
    ...(note === undefined ? [] : [{ field: 'note' as const, text: `Note is ${count(note)} characters; at most ${count(PROFILE_LIMITS.noteChars)}` }]),
  ];
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
    ...sizeProblems(form),
  ];
}

/** How the window names each kind of character left out, and why it is, for one of them and for several. */
const REMOVED_WORDS: Record<RemovedKind, { one: string; many: string; whyOne: string; whyMany: string }> = {
  direction: {
    one: 'a text-direction control',
    many: 'text-direction controls',
    whyOne: 'it could make contacts’ apps show the text around it in another order',
    whyMany: 'they could make contacts’ apps show the text around them in another order',
  },
  control: {
    one: 'a control character',
    many: 'control characters',
    whyOne: 'contacts’ apps could act on it instead of showing it',
    whyMany: 'contacts’ apps could act on them instead of showing them',
  },
  hidden: {
    one: 'a hidden character',
    many: 'hidden characters',
    whyOne: 'it shows as nothing and could hide text from contacts',
    whyMany: 'they show as nothing and could hide text from contacts',
  },
  unsendable: {
    one: 'a character that cannot be sent',
    many: 'characters that cannot be sent',
    whyOne: 'XMPP has no place for it',
    whyMany: 'XMPP has no place for them',
  },
};

/** Each field as the sentence about it starts. */
const FIELD_WORDS: Record<keyof ProfileForm, string> = {
  fullName: 'The full name holds',
  nickname: 'The nickname holds',
  emails: 'The e-mail addresses hold',
  phones: 'The phone numbers hold',
  urls: 'The web addresses hold',
  organisation: 'The organisation holds',
  note: 'The note holds',
};

/**
 * What publishing leaves out of the person's own text (contract/own-text.ts), one sentence per field and
 * kind, naming the characters (U+202E), so that nothing is changed on the way out without a word.
 * Not problems: the rest goes out, and the person may publish as it is.
 */
export function profileNotices(form: ProfileForm): FormProblem[] {
  return (Object.keys(FIELD_WORDS) as (keyof ProfileForm)[]).flatMap((name) => {
    const removed = removedFromOwnText(form[name], { multiline: name !== 'fullName' && name !== 'nickname' && name !== 'organisation' });
    const kinds = [...new Set(removed.map((r) => r.kind))];
    return kinds.map((kind) => {
      const codes = [...new Set(removed.filter((r) => r.kind === kind).map((r) => codePointName(r.codePoint)))];
      const count = removed.filter((r) => r.kind === kind).length;
      const words = REMOVED_WORDS[kind];
      const listed = codes.length > 4 ? `${codes.slice(0, 4).join(', ')}…` : codes.join(', ');
      return {
        field: name,
        text: `${FIELD_WORDS[name]} ${count === 1 ? words.one : `${count} ${words.many}`} (${listed}), which publishing leaves out: ${count === 1 ? words.whyOne : words.whyMany}.`,
      };
    });
  });
}
