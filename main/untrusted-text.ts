/**
 * Text from the network is untrusted: a contact's profile, item ids, server error texts, JIDs. Before a
 * person sees it, every character that changes how text is displayed instead of being text is removed:
 *
 * - C0 and C1 controls and DEL (ESC and the one-byte CSI U+009B start terminal escape sequences; CR
 *   overwrites a line),
 * - bidirectional controls: embeddings and overrides U+202A–202E, isolates U+2066–2069, and the marks
 *   LRM/RLM/ALM (U+200E, U+200F, U+061C), which can make "romeo@evil" render as another name
 *   (cf. CVE-2021-42574),
 * - every default-ignorable code point (Unicode's Default_Ignorable_Code_Point: zero-width spaces and
 *   joiners, U+2060–206F, U+FEFF, U+00AD, the Hangul fillers U+115F/1160/3164/FFA0, the combining
 *   grapheme joiner U+034F, variation selectors, the tag characters U+E0000–E0FFF…) and the other
 *   invisible format characters U+180E and U+FFF9–FFFB: each shows as nothing (or as a blank), so
 *   "Romeo" and "Rom\u{E0065}eo" would look alike. `cleanText` (profile text, names, labels) keeps the
 *   few of these that spelling needs where spelling puts them (contract/own-text.ts spellingCharacterAt):
 *   ZWJ and ZWNJ between two letters of a script other than Latin, Greek and Cyrillic (Persian
 *   "می‌خواهم", Indic conjuncts) or between two pictographs (👨‍👩‍👧), variation selectors after an emoji
 *   or a CJK character, the tags of an emoji subdivision flag. Nothing of those acts beyond the letters
 *   around it, and none can make a Latin name look like another one. `oneLine` and `keepingLines`, for a
 *   terminal and for addresses, remove them all,
 * - the line and paragraph separators U+2028/U+2029, which start a new line where only newlines were
 *   expected.
 *
 * Single-line text has every run of white space (newlines included) folded to one space, so it cannot
 * forge a line of its own; multi-line text keeps tab and newline. Markup stays text: `<script>` in a
 * vCard field is a string to show, never something to interpret.
 */

import { markHiddenInAddress } from '../contract/hidden-in-address.js';
import { spellingCharacterAt } from '../contract/own-text.js';

// Default_Ignorable_Code_Point covers the bidirectional controls, the marks and the zero-width characters
// too; they stay listed where it does not (C1 controls, U+180E, U+2028/2029, U+FFF9–FFFB).
const INVISIBLE = '\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff\\ufff9-\\ufffb\\p{Default_Ignorable_Code_Point}';
/** Every character above, C0 controls included. */
const UNSAFE = new RegExp(`[\\u0000-\\u001f${INVISIBLE}]`, 'gu');
/** The same, but keeping tab and newline. */
const UNSAFE_KEEP_LINES = new RegExp(`[\\u0000-\\u0008\\u000b-\\u001f${INVISIBLE}]`, 'gu');
/** The characters above that JSON.stringify leaves as they are (it escapes C0 itself). */
const UNSAFE_IN_JSON = new RegExp(`[${INVISIBLE}]`, 'gu');

/** One line: white space folded to single spaces, unsafe characters removed, ends trimmed. No cap. */
export function oneLine(raw: string): string {
  return raw.replace(/\s+/g, ' ').replace(UNSAFE, '').trim();
}

/**
 * oneLine, except that in a word holding an "@" (an address, alone or inside a sentence) each character
 * that would show as nothing is shown as U+FFFD instead of being removed: removed, "romeo\u115F@capulet.lit"
 * would print exactly as romeo@capulet.lit (contract/hidden-in-address.ts). For the keyring command's lines.
 */
export function oneLineShowingHiddenInAddresses(raw: string): string {
  return oneLine(raw.replace(/[^\s@]*@\S*/g, markHiddenInAddress));
}

/** Unsafe characters removed, newlines and tabs kept (CR and CRLF become a newline). */
export function keepingLines(raw: string): string {
  return raw.replace(/\r\n?/g, '\n').replace(UNSAFE_KEEP_LINES, '');
}

/**
 * JSON text whose strings carry unsafe characters as \uXXXX escapes instead of the characters
 * themselves: the same data for a program reading it, nothing a terminal acts on for a person reading it.
 */
export function escapeUnsafeInJson(json: string): string {
  // A character beyond U+FFFF (a tag character) is two UTF-16 units: JSON writes it as two escapes.
  return json.replace(UNSAFE_IN_JSON, (c) => Array.from({ length: c.length }, (_, i) => `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`).join(''));
}

/**
 * A name from a hostile certificate (or the like), to put in a sentence: every unsafe character becomes
 * U+FFFD, so the reader sees that something was there (removing it could make "romeo@evil" read as
 * another name), and it is cut to `maxChars`.
 */
export function markedName(raw: string, maxChars = 256): string {
  const marked = raw.replace(UNSAFE, '\ufffd');
  return marked.length > maxChars ? `${cutAt(marked, maxChars)}…` : marked;
}

/** Cleaned text, or undefined when nothing is left. */
export function cleanText(raw: string | undefined | null, maxChars: number, options: { multiline?: boolean } = {}): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  // Cut generously first so a 1 MB field costs no more than a short one, then clean, then cut exactly.
  const head = raw.length > maxChars * 4 ? raw.slice(0, maxChars * 4) : raw;
  const keepSpelling = (char: string, offset: number, text: string) => (spellingCharacterAt(text, offset) ? char : '');
  const cleaned = options.multiline
    ? head.replace(/\r\n?/g, '\n').replace(UNSAFE_KEEP_LINES, keepSpelling).replace(/\n{3,}/g, '\n\n')
    : head.replace(/\s+/g, ' ').replace(UNSAFE, keepSpelling).trim();
  const text = cutAt(cleaned.trim(), maxChars).trim();
  return text === '' ? undefined : text;
}

/** At most `maxChars` UTF-16 units, never splitting a surrogate pair. */
export function cutAt(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const cut = text.slice(0, maxChars);
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}
