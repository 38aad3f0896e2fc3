/**
 * XEP-0292 §4.1.2 publishes the whole vCard ("not a diff"): what the form does not edit must go back as
 * the server holds it, or a new nickname would erase the birthday, job title or structured name another
 * app of the account (Gajim, Conversations, a phone) put there. So a publish is built on the vCard held:
 * - a property the form does not edit (any other RFC 6350 property, any other namespace) goes back in
 *   its place, as its XML was, with nothing cleaned: it is the person's own data, not shown here;
 * - a property the form edits goes back as held (its parameters, such as a phone's type=work, its group,
 *   its other values) while it says the value the form publishes; a changed value is written anew,
 *   because parameters describe the value they came with.
 * The own node may have been written by anyone with the password, so what is kept is bounded
 * (MAX_KEPT_BYTES): what does not fit is left out, and vcard4OtherDetails names it beforehand.
 */
import { xml } from '@xmpp/client';
import { Element as XmlElement, type Element } from '@xmpp/xml';
import type { Profile } from '../../contract/index.js';
import { ownText } from '../../contract/own-text.js';
import { localName, parseVcard4, profileProperties, propertyEntry, VCARD_NS, vcard4Properties, type FieldEntry, type TextCleaner } from './vcard4.js';

/**
 * Bytes of the held vCard written back as it was: half of the smaller payload cap measured (ejabberd
 * about 250,000 bytes per item, Prosody's client stanza limit 256 KiB: SERVER-NOTES.md), leaving the
 * rest for the form's own fields (16 of each list, each at most 1,024 characters) and the stanza around.
 */
export const MAX_KEPT_BYTES = 120_000;

/** The whole vCard to publish: the profile's fields placed among what is kept of `held` (module comment). */
export function vcard4PayloadKeeping(profile: Profile, held: Element | undefined): Element {
  return xml('vcard', { xmlns: VCARD_NS }, ...plan(profile, held).properties);
}

/**
 * In words for the person, what of the held vCard the form does not show: what a publish keeps as it is,
 * and what it cannot (beyond MAX_KEPT_BYTES, or a second value of a field the form shows one of). Words
 * from a fixed list, never the vCard's own text.
 */
export function vcard4OtherDetails(held: Element): { kept: string[]; notKept: string[] } {
  const { keptHeld } = plan(parseVcard4(held, ownText), held);
  const kept = new Set<string>();
  const notKept = new Set<string>();
  const children = held.getChildElements();
  for (const [i, property] of children.entries()) {
    const entry = propertyEntry(property, ownText);
    const formShows = entry !== undefined && entry.field !== 'structuredName';
    if (keptHeld.has(property)) {
      if (!formShows) kept.add(detailWords(property));
    } else if (i >= vcard4Properties(held).length || !formShows || entry.value !== undefined) {
      // An empty property of the form's (<tel/>) says nothing: leaving it out changes nothing.
      notKept.add(formShows ? `another ${detailWords(property)}` : detailWords(property));
    }
  }
  return { kept: [...kept], notKept: [...notKept] };
}

/** The properties to publish, and which of the held ones go back as they were. */
function plan(profile: Profile, held: Element | undefined): { properties: Element[]; keptHeld: Set<Element> } {
  // Read as they will be read in the payload (their namespace is the <vcard/>'s).
  const built = xml('vcard', { xmlns: VCARD_NS }, ...profileProperties(profile))
    .getChildElements()
    .map((element) => ({ element, entry: propertyEntry(element, ownText) as FieldEntry }));
  const keptHeld = new Set<Element>();
  if (held === undefined) return { properties: built.map((b) => b.element), keptHeld };
  // Each held property as it reads on screen (to place it), and as it is written (to keep it only when it
  // says exactly what the form publishes: a hidden character or an over-long value the screen does not
  // show must not go back under a value the person saw clean).
  const heldEntries = vcard4Properties(held).map((element) => ({ element, entry: propertyEntry(element, ownText), raw: propertyEntry(element, asWritten) }));
  const properties: Element[] = [];
  let budget = MAX_KEPT_BYTES;
  const keep = (element: Element): boolean => {
    const copy = detached(element);
    const bytes = Buffer.byteLength(copy.toString());
    if (bytes > budget) return false;
    budget -= bytes;
    properties.push(copy);
    keptHeld.add(element);
    return true;
  };
  const placed = new Set<FieldEntry['field']>();
  // A field's properties go where the held vCard had its first one (else at the end, in the form's order).
  const place = (field: FieldEntry['field']) => {
    placed.add(field);
    for (const { element, entry } of built.filter((b) => b.entry.field === field)) {
      const same = heldEntries.find((h) => !keptHeld.has(h.element) && h.entry?.field === field && sameValue(h.raw?.value, entry.value));
      if (same === undefined || !keep(same.element)) properties.push(element);
    }
  };
  for (const { element, entry } of heldEntries) {
    // The structured name shows as the full name where there is no <fn> (vcard4.ts): a full name taken
    // off the card takes it along, or the name would stay on every reader's screen.
    if (entry?.field === 'structuredName' && !profile.fullName) continue;
    if (entry === undefined || entry.field === 'structuredName') keep(element);
    else if (!placed.has(entry.field)) place(entry.field);
  }
  for (const { entry } of built) if (!placed.has(entry.field)) place(entry.field);
  return { properties, keptHeld };
}

/** A property's text exactly as the card holds it: nothing cleaned, nothing cut. */
const asWritten: TextCleaner = (raw) => raw;

function sameValue(a: FieldEntry['value'] | undefined, b: FieldEntry['value'] | undefined): boolean {
  return a !== undefined && b !== undefined && JSON.stringify(a) === JSON.stringify(b);
}

/**
 * A copy of a held property that means the same outside its <vcard/>: the namespaces it takes from its
 * ancestors (a prefix declared on the <vcard/>, the default one) declared on it. The rest is as it was.
 */
function detached(property: Element): Element {
  const copy = copied(property);
  const declared = (prefix: string) => (prefix === '' ? 'xmlns' : `xmlns:${prefix}`);
  const prefixes = new Set<string>();
  const visit = (element: Element) => {
    prefixes.add(element.name.includes(':') ? element.name.slice(0, element.name.indexOf(':')) : '');
    for (const attr of Object.keys(element.attrs)) if (attr.includes(':') && !attr.startsWith('xmlns:') && !attr.startsWith('xml:')) prefixes.add(attr.slice(0, attr.indexOf(':')));
    element.getChildElements().forEach(visit);
  };
  visit(copy);
  for (const prefix of prefixes) {
    const ns = namespaceOf(property, declared(prefix));
    // The default namespace is the <vcard/>'s own in the payload: declaring it again adds nothing.
    if (ns !== undefined && copy.attrs[declared(prefix)] === undefined && !(prefix === '' && ns === VCARD_NS)) copy.attrs[declared(prefix)] = ns;
  }
  return copy;
}

/** The namespace `declaration` (xmlns, xmlns:p) names at `element`: its own, else its nearest ancestor's. */
function namespaceOf(element: Element, declaration: string): string | undefined {
  for (let at: Element | null | undefined = element; at; at = at.parent) {
    const ns = at.attrs[declaration] as unknown;
    if (typeof ns === 'string') return ns;
  }
  return undefined;
}

/** An element and all below it, copied as it is (the stream reader bounds how deep a stanza goes). */
function copied(element: Element): Element {
  const copy = new XmlElement(element.name, { ...element.attrs });
  for (const child of element.children) copy.children.push(typeof child === 'string' ? child : copied(child));
  for (const child of copy.children) if (typeof child !== 'string') child.parent = copy;
  return copy;
}

/** RFC 6350's properties (§6) and RFC 6474/8605's, in words; any other is "other details". */
const DETAIL_WORDS: Readonly<Record<string, string>> = {
  fn: 'full name',
  n: 'structured name (surname, given name)',
  nickname: 'nickname',
  photo: 'photo',
  bday: 'birthday',
  anniversary: 'anniversary',
  gender: 'gender',
  adr: 'postal address',
  tel: 'phone number',
  email: 'e-mail address',
  impp: 'chat addresses',
  lang: 'languages',
  tz: 'time zone',
  geo: 'location',
  title: 'job title',
  role: 'role',
  logo: 'logo',
  org: 'organisation',
  member: 'group members',
  related: 'related people',
  categories: 'categories',
  note: 'note',
  prodid: 'name of the app that wrote it',
  rev: 'revision date',
  sound: 'sound',
  uid: 'identifier',
  clientpidmap: 'sync identifiers',
  url: 'web address',
  key: 'public keys',
  fburl: 'free/busy address',
  caladruri: 'calendar invitation address',
  caluri: 'calendar address',
  kind: 'kind of card',
  source: 'source address',
  xml: 'extra XML',
  birthplace: 'place of birth',
  deathplace: 'place of death',
  deathdate: 'date of death',
  expertise: 'expertise',
  hobby: 'hobbies',
  interest: 'interests',
  'org-directory': 'organisation directory',
};

function detailWords(property: Element): string {
  const words = property.getNS() === VCARD_NS ? DETAIL_WORDS[localName(property)] : undefined;
  return words ?? 'other details';
}
