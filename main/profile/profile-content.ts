/**
 * What an item of one of the account's own profile nodes says, as contacts' readers read it: the
 * nickname's text (XEP-0172), the vCard's fields (XEP-0292, the app's Profile), the avatar metadata's
 * <info/>s (XEP-0084 §4.2.1), the avatar data's bytes (§4.1). Compared by this, not by XML text: a
 * server may store and echo the same payload with other whitespace between elements or the namespace
 * on a prefix, which is the same content to every reader.
 *
 * Used twice: a profile publish reads its items back and compares (main/drift/profile-read-back.ts),
 * and drift watch compares a node's item with the digest recorded when the app published it
 * (main/drift/compare.ts), then a card that differs field by field with the one published (replacedFields).
 * What the server says is untrusted: the readers clean every text, nothing throws.
 */
import { createHash } from 'node:crypto';
import { Parser, type Element } from '@xmpp/xml';
import type { Profile, ProfileFieldChange } from '../../contract/index.js';
import { profileFieldChanges } from '../../contract/profile-changes.js';
import { NS } from '../xmpp/namespaces.js';
import type { RawItem } from '../xmpp/pubsub.js';
import { cutAt } from '../untrusted-text.js';
import { readAvatarDataItem, readAvatarMetadataItem } from './avatar.js';
import { readNickItem } from './nickname.js';
import { readVcard4Item } from './vcard4.js';

/** The profile nodes whose items are compared by content. */
export const CONTENT_NODES: readonly string[] = [NS.vcard4, NS.nick, NS.avatarMetadata, NS.avatarData];

/** How long `says` may be: a sentence's worth of a vCard, not all of it. */
const SAYS_CHARS = 160;

export interface ProfileContent {
  /** SHA-256 (hex) of the canonical content: what the published-node record keeps and drift compares. */
  digest: string;
  /**
   * What the item says, for a sentence (cleaned by the readers, one line, cut): the nickname; the
   * vCard's values, joined; for the avatar, its id. Empty when the item says there is none (an empty
   * <nick/>, an empty vCard, XEP-0084 §3.5's empty <metadata/>).
   */
  says: string;
  /**
   * For a vCard, SHA-256 (hex) of all its XML as a reader of XML sees it (canonicalXml): what a profile
   * publish reads back, so that the properties it kept without showing them (vcard4-kept.ts) are checked
   * too. Drift compares `digest` alone: another app adding a birthday is no change to what this app shows.
   */
  whole?: string;
}

/**
 * The content of `item` on `node`, or undefined when the node is none of CONTENT_NODES or the item
 * holds nothing its readers can read (another element, damaged base64, an image whose SHA-1 is not
 * its id).
 */
export function profileContent(node: string, item: RawItem): ProfileContent | undefined {
  const canonical = canonicalContent(node, item);
  if (canonical === undefined) return undefined;
  const content: ProfileContent = { digest: createHash('sha256').update(`${node}\n${canonical.json}`).digest('hex'), says: cutAt(canonical.says, SAYS_CHARS) };
  if (node === NS.vcard4 && item.payload !== undefined) content.whole = createHash('sha256').update(JSON.stringify(canonicalXml(item.payload))).digest('hex');
  return content;
}

/**
 * How long each value of a field change may be (ellipsis beyond): short enough that a sentence naming
 * several changes, each with its value before and now, still reads as one.
 */
const FIELD_CHARS = 60;

/**
 * Field by field, how the vCard (or nickname) item `now` differs from the one the app published
 * (`published`, as the vault kept it), both read as contacts read them (cleaned, so the values are safe
 * to quote), each value one line and cut. Undefined when the node is another, either item is unreadable,
 * or no field differs: the words then quote what the item says now whole.
 */
export function replacedFields(node: string, published: RawItem, now: RawItem): ProfileFieldChange[] | undefined {
  const before = fieldsOf(node, published);
  const after = fieldsOf(node, now);
  if (before === undefined || after === undefined) return undefined;
  const changes = profileFieldChanges(before, after).map((change) => ({ ...change, before: shortValue(change.before), after: shortValue(change.after) }));
  return changes.length > 0 ? changes : undefined;
}

/**
 * The vCard's fields, or the nickname node's one field (its sentence quotes it whole, "it now says …",
 * and adds what it said before).
 */
function fieldsOf(node: string, item: RawItem): Profile | undefined {
  if (node === NS.nick) {
    const read = readNickItem(item);
    return 'problem' in read ? undefined : { emails: [], phones: [], urls: [], ...(read.nickname ? { nickname: read.nickname } : {}) };
  }
  if (node !== NS.vcard4) return undefined;
  const read = readVcard4Item(item);
  return 'problem' in read ? undefined : read.profile;
}

/** One line (a note's line breaks as spaces), at most FIELD_CHARS with an ellipsis where cut. */
function shortValue(value: string): string {
  const line = value.replace(/\s+/g, ' ').trim();
  return line.length <= FIELD_CHARS ? line : `${cutAt(line, FIELD_CHARS - 1).trimEnd()}…`;
}

/** An item from its id and payload (its size counted from the XML), for the readers above. */
export function asItem(item: { id: string; payload: RawItem['payload'] }): RawItem {
  return { id: item.id, payload: item.payload, size: item.payload?.toString().length ?? 0 };
}

function canonicalContent(node: string, item: RawItem): { json: string; says: string } | undefined {
  if (node === NS.nick) {
    const read = readNickItem(item);
    if ('problem' in read) return undefined;
    return { json: JSON.stringify({ nickname: read.nickname ?? null }), says: read.nickname ?? '' };
  }
  if (node === NS.vcard4) {
    const read = readVcard4Item(item);
    if ('problem' in read) return undefined;
    return { json: canonicalJson(read.profile), says: profileValues(read.profile).join(', ') };
  }
  if (node === NS.avatarMetadata) {
    const read = readAvatarMetadataItem(item);
    if ('problem' in read) return undefined;
    if ('disabled' in read) return { json: JSON.stringify({ infos: [] }), says: '' };
    // Every <info/> in order: another one added (a JPEG beside the PNG) changes what contacts pick.
    return { json: canonicalJson({ infos: read.all }), says: read.info.id };
  }
  if (node === NS.avatarData) {
    // The bytes' SHA-1 must be the item id (§3.1): the same id with the same bytes is the same image.
    const read = readAvatarDataItem(item, item.id);
    if ('problem' in read) return undefined;
    return { json: JSON.stringify({ sha256: createHash('sha256').update(read.bytes).digest('hex'), type: read.type }), says: item.id };
  }
  return undefined;
}

/** The vCard's values in the order its editor lists them. */
function profileValues(profile: Profile): string[] {
  const { address } = profile;
  const lines = [address?.street, address?.locality, address?.region, address?.code, address?.country];
  return [profile.fullName, profile.nickname, ...profile.emails, ...profile.phones, ...profile.urls, profile.organisation, profile.note, ...lines]
    .filter((v): v is string => v !== undefined && v !== '')
    .map((v) => v.replace(/\s+/g, ' '));
}

/**
 * An element as every reader of XML sees it, whatever a server did to its text: each element by its
 * namespace and local name (not its prefix), its attributes but the namespace declarations, sorted, its
 * children in order, and white space between elements left out.
 */
type CanonicalXml = [string, string, [string, string][], (CanonicalXml | string)[]];
function canonicalXml(element: Element): CanonicalXml {
  const local = element.name.slice(element.name.indexOf(':') + 1);
  const attrs = Object.entries(element.attrs as Record<string, unknown>)
    .filter(([name]) => name !== 'xmlns' && !name.startsWith('xmlns:'))
    .map(([name, value]): [string, string] => [name, String(value)])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const hasElements = element.getChildElements().length > 0;
  const children = element.children.flatMap((c): (CanonicalXml | string)[] => (typeof c === 'string' ? (hasElements && c.trim() === '' ? [] : [c]) : [canonicalXml(c)]));
  return [element.getNS() ?? '', local, attrs, children];
}

/** JSON with every object's keys sorted and undefined left out: the same content, the same text. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** A profile item's payload as the vault kept it (the XML the app published), parsed again. */
export function parsePayload(text: string): Element | undefined {
  const parser = new Parser();
  let element: Element | undefined;
  parser.on('element', (e: Element) => (element ??= e));
  parser.write(`<payload>${text}</payload>`);
  return element;
}
