/**
 * What to say beside an address where the person decides about access: a request to see their presence
 * (approving it opens everything published to the "presence" audience: keys, profile) and the address
 * typed in "Add contact…". Servers' PRECIS/nodeprep lets `julіet@capulet.lit` (a Cyrillic і) through,
 * and on screen it is juliet@capulet.lit. So: a warning when a name mixes scripts whose letters look
 * alike (UTS #39 §5.2, "highly restrictive": Latin may mix only with Han and Japanese or Korean
 * scripts), or when the address's skeleton (UTS #39 §4, with a short table of the common confusables)
 * is a contact's or the account's own while the address is not; and, neutral, the ASCII (punycode,
 * RFC 5891) form of an internationalized domain. A mark, never a block: 山田@例え.jp is a real address.
 * Pure (the URL API only, which the window and Node both have), so it is unit-tested as is.
 */

import { hiddenInAddress, withoutHiddenInAddress } from '../../../contract/hidden-in-address';

/** What to show beside one address; both absent for a plain ASCII address that looks like no one. */
export interface AddressNotes {
  /** A look-alike or mixed-script warning, in words for people. */
  warning?: string;
  /** The domain in ASCII, when it is an internationalized one ("Server name in ASCII: xn--…"). */
  asciiDomain?: string;
}

/** The addresses an address is compared with, by skeleton (built once for a whole request list). */
export interface KnownAddresses {
  addresses: ReadonlyMap<string, { address: string; own: boolean }>;
  domains: ReadonlyMap<string, { domain: string; own: boolean }>;
}

/**
 * Common confusables, lowercase, folded to the Latin letter they are read as (a short excerpt of
 * Unicode's confusables.txt: the letters fonts draw the same, or nearly). Fullwidth and mathematical
 * letters are folded by NFKC before this, accents by taking marks off.
 */
const CONFUSABLES: Readonly<Record<string, string>> = {
  // Cyrillic
  а: 'a', е: 'e', һ: 'h', і: 'i', ј: 'j', к: 'k', ӏ: 'l', о: 'o', р: 'p', ԛ: 'q', ѕ: 's', с: 'c', у: 'y', ү: 'y', х: 'x', ԁ: 'd', ԝ: 'w', ѵ: 'v',
  // Greek
  α: 'a', γ: 'y', ι: 'i', κ: 'k', ν: 'v', ο: 'o', ρ: 'p', τ: 't', υ: 'u', χ: 'x', ϲ: 'c', ϳ: 'j',
  // Armenian
  հ: 'h', ո: 'n', ս: 'u', օ: 'o', զ: 'q',
  // Latin letters beyond ASCII read as ASCII ones
  ı: 'i', ȷ: 'j', ɑ: 'a', ɡ: 'g', ɩ: 'i', ʋ: 'u',
};

/** Scripts named in a warning; a letter of none of them counts as "another script". */
const SCRIPTS = [
  'Latin', 'Greek', 'Cyrillic', 'Armenian', 'Georgian', 'Hebrew', 'Arabic', 'Syriac', 'Thaana', 'Devanagari', 'Bengali', 'Gurmukhi',
  'Gujarati', 'Oriya', 'Tamil', 'Telugu', 'Kannada', 'Malayalam', 'Sinhala', 'Thai', 'Lao', 'Tibetan', 'Myanmar', 'Khmer',
  'Mongolian', 'Ethiopic', 'Cherokee', 'Hangul', 'Hiragana', 'Katakana', 'Bopomofo', 'Han',
] as const;
const SCRIPT_TESTS = SCRIPTS.map((name) => ({ name, test: new RegExp(`^\\p{Script=${name}}$`, 'u') }));
const LETTER = /^\p{L}$/u;
/** UTS #39 §5.2 "highly restrictive": the mixes a name may have that are how languages are written. */
const ALLOWED_MIXES: readonly (readonly string[])[] = [
  ['Latin', 'Han', 'Hiragana', 'Katakana'],
  ['Latin', 'Han', 'Bopomofo'],
  ['Latin', 'Han', 'Hangul'],
];
// eslint-disable-next-line no-control-regex -- ASCII is the point
const ASCII = /^[\u0000-\u007f]*$/;

/** The scripts of the letters in `text` (digits, punctuation and marks belong to none). */
function scriptsOf(text: string): string[] {
  const found = new Set<string>();
  for (const char of text) {
    if (!LETTER.test(char)) continue;
    found.add(SCRIPT_TESTS.find((s) => s.test.test(char))?.name ?? 'another script');
  }
  return [...found];
}

/** The scripts `text` mixes in a way no language writes (Latin named first), or undefined. */
function mixedScripts(text: string): string[] | undefined {
  const scripts = scriptsOf(text);
  if (scripts.length < 2 || ALLOWED_MIXES.some((mix) => scripts.every((s) => mix.includes(s)))) return undefined;
  return scripts.sort((a, b) => (a === 'Latin' ? -1 : b === 'Latin' ? 1 : 0));
}

/**
 * The skeleton of `text` (UTS #39 §4, simplified): compatibility forms folded (NFKC: ｊ, 𝐣), lowercase,
 * marks taken off (è is read as e), common confusables folded to the Latin letter they look like.
 */
export function skeleton(text: string): string {
  // Characters that show as nothing are read as nothing: "romeo\u115F" is read as "romeo".
  const folded = withoutHiddenInAddress(text).normalize('NFKC').toLowerCase().normalize('NFD').replace(/\p{M}/gu, '');
  let out = '';
  for (const char of folded) out += CONFUSABLES[char] ?? char;
  return out;
}

/** Bare address split at its last "@" (the localpart has no "@", the domainpart none either). */
function split(address: string): { local: string; domain: string } {
  const at = address.lastIndexOf('@');
  return at === -1 ? { local: '', domain: address } : { local: address.slice(0, at), domain: address.slice(at + 1) };
}

/** The same address, as XMPP compares them (RFC 7622: case-folded, NFC, no dot ending the domain). */
function comparable(address: string): string {
  return address.normalize('NFC').toLowerCase().replace(/\.$/, '');
}

/** The contacts' and the account's addresses (and their servers), indexed by skeleton. */
export function knownAddresses(contacts: readonly string[], own: string | undefined): KnownAddresses {
  const addresses = new Map<string, { address: string; own: boolean }>();
  const domains = new Map<string, { domain: string; own: boolean }>();
  // The account's own first: a look-alike of it is named as such even if a contact shares the skeleton.
  const all = [...(own ? [{ address: own, own: true }] : []), ...contacts.map((address) => ({ address, own: false }))];
  for (const { address, own: isOwn } of all) {
    const key = skeleton(comparable(address));
    if (!addresses.has(key)) addresses.set(key, { address, own: isOwn });
    const { domain } = split(comparable(address));
    const domainKey = skeleton(domain);
    if (domain !== '' && !domains.has(domainKey)) domains.set(domainKey, { domain, own: isOwn });
  }
  return { addresses, domains };
}

/** The domain's ASCII form (IDNA, as the browser's URL API does it), when it differs; else undefined. */
function asciiDomainOf(domain: string): string | undefined {
  if (ASCII.test(domain) || /[\s/?#\\:@%[\]]/.test(domain)) return undefined;
  try {
    const ascii = new URL(`http://${domain}/`).hostname;
    return ascii !== '' && ascii !== domain.toLowerCase() ? ascii : undefined;
  } catch {
    // Not a name IDNA can write in ASCII: the address shows as it is, with no second form.
    return undefined;
  }
}

const listed = (names: readonly string[]) =>
  names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;

/** What to show beside `address` (a bare JID from a request, or as typed), compared with `known`. */
export function addressNotes(address: string, known: KnownAddresses): AddressNotes {
  const notes: AddressNotes = {};
  const shown = comparable(address.trim());
  const { local, domain } = split(shown);
  const asciiDomain = asciiDomainOf(domain);
  if (asciiDomain) notes.asciiDomain = asciiDomain;

  // Each name on its own: the localpart, and each label of the domain (juliet@пример.рф is not a mix).
  const mixes = [local, ...domain.split('.')].map(mixedScripts).filter((m) => m !== undefined);
  const mixed = mixes.length > 0 ? [...new Set(mixes.flat())] : undefined;

  const same = known.addresses.get(skeleton(shown));
  const sameDomain = known.domains.get(skeleton(domain));
  let likeWhom: string | undefined;
  if (same && comparable(same.address) !== shown) {
    likeWhom = `looks like ${same.address}, ${same.own ? 'your own address' : 'a contact of yours'}, but is another address.`;
  } else if (!same && sameDomain && sameDomain.domain !== domain) {
    likeWhom = `its server looks like ${sameDomain.domain}, ${sameDomain.own ? 'your own server' : 'a contact’s server'}, but is another.`;
  }

  // A name wholly in another script whose every letter reads as a Latin one ("рау" for "pay").
  const readAsLatin = mixed ? undefined : [local, ...domain.split('.')].find((name) => !ASCII.test(name) && scriptsOf(name).length > 0 && !scriptsOf(name).includes('Latin') && ASCII.test(skeleton(name)));

  // A character that shows as nothing comes first: the address reads as another one, whatever else.
  const hidden = hiddenInAddress(address.trim());
  if (hidden.length > 0) {
    const what = hidden.length === 1 ? `a character that shows as nothing (${hidden[0]})` : `characters that show as nothing (${listed(hidden)})`;
    const reads = likeWhom === undefined ? 'an address made to look like another does this.' : likeWhom.startsWith('its ') ? likeWhom : `it ${likeWhom}`;
    notes.warning = `Holds ${what}, marked � here: ${reads}`;
  } else if (mixed) {
    const words = `Mixes ${listed(mixed)} letters`;
    notes.warning = likeWhom ? `${words}: ${likeWhom}` : `${words}, as an address made to look like another does.`;
  } else if (likeWhom) {
    notes.warning = likeWhom.charAt(0).toUpperCase() + likeWhom.slice(1);
  } else if (readAsLatin !== undefined) {
    notes.warning = `Written in ${listed(scriptsOf(readAsLatin))} letters that read as the Latin “${skeleton(readAsLatin)}”.`;
  }
  return notes;
}
