/**
 * XEP-0292 vCard4 over PEP: the `<vcard xmlns='urn:ietf:params:xml:ns:vcard-4.0'>` payload (§3: the root
 * is <vcard/>, not RFC 6351's <vcards/>) on node urn:xmpp:vcard4 (§4.1), for the app's `Profile` fields.
 * Property and value elements follow RFC 6351 (the XML form of RFC 6350). The publisher sends the whole
 * vCard every time (§4.1.2: "not a diff"). Contacts' vCards are untrusted: unknown properties are
 * ignored, only so many children are looked at, every value is cut and cleaned (main/untrusted-text.ts).
 * The user's own text goes out, and reads back, as typed but for what could act in a contact's app
 * (contract/own-text.ts): the spelling of a Persian name or an emoji sequence is not a contact's spoof.
 */
import { xml } from '@xmpp/client';
import type { Element } from '@xmpp/xml';
import type { Profile, ProfileAddress } from '../../contract/index.js';
import { PROFILE_LIMITS } from '../../contract/limits.js';
import { phoneShown, telValue } from '../../contract/phone.js';
import type { RawItem } from '../xmpp/pubsub.js';
import { ownText } from '../../contract/own-text.js';
import { cleanText } from '../untrusted-text.js';

/** How a reader cleans each value: cleanText for a contact's, ownText for the account's own read back. */
export type TextCleaner = (raw: string | undefined, maxChars: number, options?: { multiline?: boolean }) => string | undefined;

/** RFC 6351: the vCard XML namespace (the payload's), distinct from the node name urn:xmpp:vcard4. */
export const VCARD_NS = 'urn:ietf:params:xml:ns:vcard-4.0';

/**
 * XEP-0292 leaves the item id to the publisher; the node keeps one vCard, so it is a singleton node and
 * XEP-0060 §13.21 (Singleton Nodes) recommends the id 'current'.
 */
export const VCARD_ITEM_ID = 'current';

/** How many child elements of a contact's <vcard/> are looked at before the rest is ignored. */
export const MAX_VCARD_CHILDREN = 512;

const ADDRESS_PARTS = ['street', 'locality', 'region', 'code', 'country'] as const;

/**
 * The payload for the user's own profile; every value capped, and cleaned of what could act in a
 * contact's app, as the window's "what publishing changes" shows it (contract/own-text.ts).
 */
export function vcard4Payload(profile: Profile): Element {
  return xml('vcard', { xmlns: VCARD_NS }, ...profileProperties(profile));
}

/** The properties vcard4Payload writes for the profile, in its order (main/profile/vcard4-kept.ts places them among the held vCard's). */
export function profileProperties(profile: Profile): Element[] {
  const field = (v: string | undefined) => ownText(v, PROFILE_LIMITS.fieldChars);
  const list = (values: readonly string[]) =>
    values
      .map(field)
      .filter((v): v is string => v !== undefined)
      .slice(0, PROFILE_LIMITS.entries);
  const text = (name: string, value: string | undefined) => (value === undefined ? undefined : xml(name, {}, xml('text', {}, value)));
  const uri = (name: string, value: string) => xml(name, {}, xml('uri', {}, value));

  const children: (Element | undefined)[] = [
    text('fn', field(profile.fullName)),
    text('nickname', field(profile.nickname)),
    ...list(profile.emails).map((e) => text('email', e)),
    ...list(profile.phones).map((p) => telProperty(p)),
    ...list(profile.urls).map((u) => uri('url', u)),
    text('org', field(profile.organisation)),
    text('note', ownText(profile.note, PROFILE_LIMITS.noteChars, { multiline: true })),
    addressProperty(profile.address),
  ];
  return children.filter((c): c is Element => c !== undefined);
}

/**
 * RFC 6350 §6.4.1: TEL SHOULD be a URI. A number with its country code becomes a tel: URI (RFC 3966
 * global number); one without stays text, as typed (contract/phone.ts says why, and how it reads back).
 */
function telProperty(phone: string): Element {
  const value = telValue(phone);
  return xml('tel', {}, 'uri' in value ? xml('uri', {}, value.uri) : xml('text', {}, value.text));
}

/** RFC 6351 value-adr: all seven components, in order, each present (empty when unknown). */
function addressProperty(address: ProfileAddress | undefined): Element | undefined {
  if (!address) return undefined;
  const parts = Object.fromEntries(ADDRESS_PARTS.map((p) => [p, ownText(address[p], PROFILE_LIMITS.fieldChars) ?? '']));
  if (Object.values(parts).every((v) => v === '')) return undefined;
  return xml(
    'adr',
    {},
    xml('pobox', {}, ''),
    xml('ext', {}, ''),
    ...ADDRESS_PARTS.map((p) => xml(p, {}, parts[p] ?? '')),
  );
}

export type Vcard4Read = { profile: Profile } | { problem: string };

/** A contact's vCard4 item (or, with ownText, the account's own), read defensively. */
export function readVcard4Item(item: RawItem, clean: TextCleaner = cleanText): Vcard4Read {
  const vcard = item.payload;
  if (!vcard || !vcard.is('vcard', VCARD_NS)) return { problem: `no <vcard xmlns="${VCARD_NS}"/> payload` };
  return { profile: parseVcard4(vcard, clean) };
}

/** The app's fields from a <vcard/>: first value wins for single fields, lists capped, the rest ignored. */
export function parseVcard4(vcard: Element, clean: TextCleaner = cleanText): Profile {
  const entries = vcard4Properties(vcard).map((property) => propertyEntry(property, clean));
  const profile = profileOfEntries(entries.filter((e): e is FieldEntry => e !== undefined && e.field !== 'structuredName'));
  const structuredName = entries.find((e) => e?.field === 'structuredName' && e.value !== undefined)?.value;
  if (profile.fullName === undefined && typeof structuredName === 'string') profile.fullName = structuredName;
  return profile;
}

/** The <vcard/>'s children looked at (at most MAX_VCARD_CHILDREN), in order. */
export function vcard4Properties(vcard: Element): Element[] {
  return vcard.getChildElements().slice(0, MAX_VCARD_CHILDREN);
}

/** A profile field one vCard property gives, as read (cleaned); the value undefined when it holds none. */
export type FieldEntry =
  | { field: 'fullName' | 'nickname' | 'note' | 'organisation' | 'emails' | 'phones' | 'urls'; value: string | undefined }
  | { field: 'address'; value: ProfileAddress | undefined };

/**
 * What one property of a <vcard/> says for the app's fields: a FieldEntry, the structured name (the full
 * name's fallback), or undefined for a property the app does not read (another namespace, or one of the
 * many more RFC 6350 has: XEP-0292 clients ignore what they do not show).
 */
export function propertyEntry(property: Element, clean: TextCleaner = cleanText): FieldEntry | { field: 'structuredName'; value: string | undefined } | undefined {
  if (property.getNS() !== VCARD_NS) return undefined;
  const field = (v: string | undefined) => clean(v, PROFILE_LIMITS.fieldChars);
  switch (localName(property)) {
    case 'fn':
      return { field: 'fullName', value: field(valueOf(property)) };
    case 'n':
      return { field: 'structuredName', value: field(structuredNameOf(property)) };
    case 'nickname':
      // value-text-list: several <text/> are several nicknames; the first one is the one shown.
      return { field: 'nickname', value: field(valueOf(property)) };
    case 'email':
      return { field: 'emails', value: field(stripScheme(valueOf(property), 'mailto:')) };
    case 'tel': {
      // A tel: URI's '-' separators as the spaces the person typed (contract/phone.ts).
      const value = valueOf(property);
      return { field: 'phones', value: field(value === undefined ? undefined : phoneShown(value)) };
    }
    case 'url':
      return { field: 'urls', value: field(valueOf(property)) };
    case 'note':
      return { field: 'note', value: clean(valueOf(property), PROFILE_LIMITS.noteChars, { multiline: true }) };
    case 'org':
      // value-org: organisation name, then units; shown joined.
      return { field: 'organisation', value: field(valuesOf(property, 'text').join(', ')) };
    case 'adr':
      return { field: 'address', value: addressOf(property, clean) };
    default:
      return undefined;
  }
}

/** The fields the entries give, in order: the first value wins for single fields, lists capped and without repeats. */
export function profileOfEntries(entries: readonly FieldEntry[]): Profile {
  const profile: Profile = { emails: [], phones: [], urls: [] };
  for (const entry of entries) {
    if (entry.value === undefined) continue;
    if (entry.field === 'address') profile.address ??= entry.value;
    else if (entry.field === 'emails' || entry.field === 'phones' || entry.field === 'urls') {
      const list = profile[entry.field];
      if (list.length < PROFILE_LIMITS.entries && !list.includes(entry.value)) list.push(entry.value);
    } else profile[entry.field] ??= entry.value;
  }
  return profile;
}

/**
 * An element's name without its prefix: `<v:fn xmlns:v='urn:ietf:params:xml:ns:vcard-4.0'>` is the same
 * property as `<fn xmlns='urn:ietf:params:xml:ns:vcard-4.0'>` (its namespace is checked apart, by getNS).
 */
export function localName(element: Element): string {
  return element.name.slice(element.name.indexOf(':') + 1);
}

/** The first <text/> or <uri/> value of a property (RFC 6351 value-text / value-uri). */
function valueOf(property: Element): string | undefined {
  for (const child of property.getChildElements().slice(0, 16)) {
    if ((localName(child) === 'text' || localName(child) === 'uri') && child.getNS() === VCARD_NS) return child.text();
  }
  return undefined;
}

function valuesOf(property: Element, name: string): string[] {
  return property
    .getChildElements()
    .slice(0, 16)
    .filter((c) => localName(c) === name && c.getNS() === VCARD_NS)
    .map((c) => c.text());
}

/** RFC 6351 value-n: prefix, given, additional, surname, suffix as a display name. */
function structuredNameOf(n: Element): string | undefined {
  const part = (name: string) => valuesOf(n, name).join(' ');
  const joined = ['prefix', 'given', 'additional', 'surname', 'suffix'].map(part).filter((p) => p.trim() !== '').join(' ');
  return joined === '' ? undefined : joined;
}

function addressOf(adr: Element, clean: TextCleaner): ProfileAddress | undefined {
  const address: ProfileAddress = {};
  for (const part of ADDRESS_PARTS) {
    const value = clean(valuesOf(adr, part).join(' '), PROFILE_LIMITS.fieldChars);
    if (value !== undefined) address[part] = value;
  }
  return Object.keys(address).length > 0 ? address : undefined;
}

function stripScheme(value: string | undefined, scheme: string): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed.toLowerCase().startsWith(scheme) ? trimmed.slice(scheme.length) : trimmed;
}
