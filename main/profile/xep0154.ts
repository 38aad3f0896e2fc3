/**
 * XEP-0154 User Profile, read only: `<profile xmlns='urn:xmpp:tmp:profile'>` wrapping a XEP-0004 data
 * form whose fields are scoped by FORM_TYPE urn:xmpp:tmp:profile (§3.2). XEP-0222 uses it as its
 * profile example. Over PEP (§4.2, §5.3) an item may carry only the fields that changed, and may leave
 * out FORM_TYPE, so a form without one is read too, and several items are merged (the last one wins).
 * Everything is untrusted: fields and values capped and cleaned, binary fields skipped.
 */
import type { Element } from '@xmpp/xml';
import type { Profile, ProfileAddress, Xep0154View } from '../../contract/index.js';
import { PROFILE_LIMITS } from '../../contract/limits.js';
import { NS } from '../xmpp/namespaces.js';
import type { RawItem } from '../xmpp/pubsub.js';
import { cleanText } from '../untrusted-text.js';

export const MAX_XEP0154_FIELDS = 64;
const MAX_VALUES = PROFILE_LIMITS.entries;
const MAX_FIELDS_LOOKED_AT = 512;
/** §3.2: registered names, or unregistered ones that begin with "x-" (XEP-0068 §3.4). */
const FIELD_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;
/** Base64 images (§6.9 avatar_data, photo_data): XEP-0084 is the way to show an avatar. */
const SKIPPED_FIELDS = new Set(['FORM_TYPE', 'avatar_data', 'photo_data']);

export type Xep0154Field = Xep0154View['fields'][number];
export type Xep0154Read = { fields: Xep0154Field[] } | { problem: string };

export function readXep0154Item(item: RawItem): Xep0154Read {
  const profile = item.payload;
  if (!profile || !profile.is('profile', NS.profile)) return { problem: `no <profile xmlns="${NS.profile}"/> payload` };
  const form = profile.getChildren('x', NS.dataForms)[0];
  if (!form) return { problem: 'the profile holds no data form' };
  return parseProfileForm(form);
}

/** The fields of one profile form, in document order; a form of another FORM_TYPE is refused. */
export function parseProfileForm(form: Element): Xep0154Read {
  const fields: Xep0154Field[] = [];
  for (const field of form.getChildren('field').slice(0, MAX_FIELDS_LOOKED_AT)) {
    const name = field.attrs.var ?? '';
    if (name === 'FORM_TYPE') {
      const formType = field.getChildText('value')?.trim();
      if (formType !== undefined && formType !== NS.profile) return { problem: `a data form of another type (${cleanText(formType, 80) ?? ''})` };
      continue;
    }
    if (!FIELD_NAME.test(name) || SKIPPED_FIELDS.has(name) || fields.some((f) => f.name === name)) continue;
    const values = field
      .getChildren('value')
      .slice(0, MAX_VALUES)
      .map((v) => cleanText(v.text(), PROFILE_LIMITS.fieldChars, { multiline: name === 'description' }))
      .filter((v): v is string => v !== undefined);
    if (values.length === 0) continue;
    const label = cleanText(field.attrs.label, 200);
    fields.push(label === undefined ? { name, values } : { name, label, values });
    if (fields.length >= MAX_XEP0154_FIELDS) break;
  }
  return { fields };
}

/** Fields of several items merged: a later item's field replaces an earlier one of the same name. */
export function mergeFields(lists: readonly Xep0154Field[][]): Xep0154Field[] {
  const merged = new Map<string, Xep0154Field>();
  for (const list of lists) for (const field of list) merged.set(field.name, field);
  return [...merged.values()].slice(0, MAX_XEP0154_FIELDS);
}

/** The registered fields (§6) that have a place in the app's profile. */
export function xep0154ToProfile(fields: readonly Xep0154Field[]): Profile {
  const get = (name: string) => fields.find((f) => f.name === name)?.values ?? [];
  const first = (...names: string[]) => names.map((n) => get(n)[0]).find((v) => v !== undefined);
  const all = (...names: string[]) => [...new Set(names.flatMap(get))].slice(0, PROFILE_LIMITS.entries);

  const profile: Profile = { emails: all('email'), phones: all('mobile_phone', 'landline_phone'), urls: all('homepage', 'weblog', 'bio') };
  const given = first('given_name');
  const family = first('family_name');
  const fullName = first('display_name', 'common_name') ?? ([given, family].filter(Boolean).join(' ') || undefined);
  const set = (key: 'fullName' | 'nickname' | 'note' | 'organisation', value: string | undefined) => {
    if (value !== undefined) profile[key] = value;
  };
  set('fullName', fullName);
  set('nickname', first('nickname'));
  set('note', first('description'));
  set('organisation', first('org_name'));
  const address: ProfileAddress = {};
  const parts: [keyof ProfileAddress, string][] = [
    ['street', 'street'],
    ['locality', 'locality'],
    ['region', 'region'],
    ['code', 'postalcode'],
    ['country', 'country'],
  ];
  for (const [key, name] of parts) {
    const value = first(name);
    if (value !== undefined) address[key] = value;
  }
  if (Object.keys(address).length > 0) profile.address = address;
  return profile;
}
