/**
 * Text the person writes for others to read: their own profile's name, nickname, note and lists.
 * Dependency-free: main cleans what it publishes with `ownText` (main/profile/vcard4.ts, nickname.ts), and
 * the window builds the profile it shows as "what publishing changes" with the same function and says,
 * with `removedFromOwnText`, what it leaves out (renderer/src/lib/profile-edits.ts), so what the window
 * shows is what goes out.
 *
 * Removed, because other apps show this text, and these characters act there instead of being text:
 * - C0 and C1 controls and DEL ('control'): terminal escapes, a CR that overwrites a line, a bell; tab and
 *   newline stay in multi-line text, and fold to a space in one-line text, with the other line breaks;
 * - the bidirectional embeddings, overrides and isolates U+202A–202E, U+2066–2069 ('direction'): an
 *   unclosed one reorders what a contact's app writes after the name ("romeo@evil" read backwards,
 *   cf. CVE-2021-42574), and the deprecated format controls U+206A–206F, which change how the text after
 *   them is shaped or mirrored;
 * - the tag characters U+E0000–E007F, outside an emoji flag (🏴 and a subdivision code: Scotland, Wales),
 *   and the interlinear annotation characters U+FFF9–FFFB ('hidden'): they show as nothing, and tags can
 *   carry a whole hidden ASCII text;
 * - U+FFFE, U+FFFF and unpaired surrogates ('unsendable'): XML 1.0 has no place for them, and a server
 *   would end the connection over them.
 * Kept, because spelling needs them, and none of them acts beyond the letters around it: the joiners
 * ZWJ U+200D and ZWNJ U+200C (Persian "می‌خواهم", Indic conjuncts, emoji sequences such as 👨‍👩‍👧), the
 * variation selectors (the colour form of ❤️, ideographic variants of a name's character), the marks
 * LRM/RLM/ALM (U+200E, U+200F, U+061C: they order the neutral characters next to them like a letter of
 * their direction would, and close nothing), soft hyphens and zero-width spaces (Thai and Khmer break
 * words with them).
 *
 * `spellingCharacterAt` is the narrower rule for text FROM contacts (main/untrusted-text.ts cleanText):
 * there every invisible character is removed unless it is a joiner or selector in the place spelling puts
 * one, so a Persian name or an emoji sequence reads as written while "Rom\u200Deo" still reads "Romeo".
 */

/** Why a character is left out of the person's own text (the window names the kind). */
export type RemovedKind = 'control' | 'direction' | 'hidden' | 'unsendable';

export interface RemovedCharacter {
  codePoint: number;
  kind: RemovedKind;
}

/** What `ownText` removes (after one-line text folded tab and newline into spaces). */
// eslint-disable-next-line no-control-regex -- removing control characters is the point
const REMOVED = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u206f\ufff9-\ufffb\ufffe\uffff\u{e0000}-\u{e007f}]|\p{Cs}/gu;
/** One-line text: every line break and tab becomes a space (the rest of the white space stays as typed). */
const LINE_BREAKS = /[\t\n\r\u2028\u2029]+/g;

const ZWNJ = 0x200c;
const ZWJ = 0x200d;
const BLACK_FLAG = 0x1f3f4;
const CANCEL_TAG = 0xe007f;
/** Letters of scripts where an invisible joiner would only make a look-alike ("Rom\u200Deo"). */
const LOOK_ALIKE_SCRIPT = /[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}]/u;
const LETTER = /^\p{L}$/u;
const MARK = /^\p{M}$/u;
const PICTOGRAPH = /^\p{Extended_Pictographic}$/u;
const EMOJI = /^\p{Emoji}$/u;
/** Between a pictograph and the joiner after it: its skin tone or its colour selector. */
const EMOJI_TAIL = /^(?:[\u{1f3fb}-\u{1f3ff}]|\ufe0f)$/u;

function kindOf(codePoint: number): RemovedKind {
  if (codePoint <= 0x9f) return 'control';
  if ((codePoint >= 0x202a && codePoint <= 0x202e) || (codePoint >= 0x2066 && codePoint <= 0x206f)) return 'direction';
  if ((codePoint >= 0xfff9 && codePoint <= 0xfffb) || codePoint >= 0xe0000) return 'hidden';
  return 'unsendable';
}

/** The code point that ends just before `index`, and where it starts. */
function before(text: string, index: number): { char: string; at: number } | undefined {
  if (index <= 0) return undefined;
  const low = text.charCodeAt(index - 1);
  const at = low >= 0xdc00 && low <= 0xdfff && index >= 2 && text.charCodeAt(index - 2) >= 0xd800 && text.charCodeAt(index - 2) <= 0xdbff ? index - 2 : index - 1;
  return { char: text.slice(at, index), at };
}

/** The code point that starts at `index`. */
function at(text: string, index: number): string | undefined {
  const codePoint = text.codePointAt(index);
  return codePoint === undefined ? undefined : String.fromCodePoint(codePoint);
}

const spellingLetter = (char: string | undefined) => char !== undefined && LETTER.test(char) && !LOOK_ALIKE_SCRIPT.test(char);

/**
 * Whether the joiner, variation selector or tag character at `index` of `text` is where spelling puts
 * one: ZWJ/ZWNJ between two letters of a script other than Latin, Greek and Cyrillic (the marks after
 * the first letter, such as a virama, looked past), or ZWJ between two pictographs (👩‍❤️‍👨); VS15/VS16
 * after an emoji (or after a keycap's digit, # or *); another variation selector after a character
 * that is no Latin, Greek or Cyrillic one and no ASCII; a tag in an emoji subdivision flag.
 */
export function spellingCharacterAt(text: string, index: number): boolean {
  const codePoint = text.codePointAt(index);
  if (codePoint === undefined) return false;
  const width = codePoint > 0xffff ? 2 : 1;
  const next = at(text, index + width);
  if (codePoint === ZWJ || codePoint === ZWNJ) {
    let previous = before(text, index);
    if (codePoint === ZWJ && previous !== undefined && next !== undefined && PICTOGRAPH.test(next)) {
      let emoji = previous;
      while (EMOJI_TAIL.test(emoji.char)) {
        const earlier = before(text, emoji.at);
        if (earlier === undefined) return false;
        emoji = earlier;
      }
      if (PICTOGRAPH.test(emoji.char)) return true;
    }
    while (previous !== undefined && MARK.test(previous.char)) previous = before(text, previous.at);
    return spellingLetter(previous?.char) && spellingLetter(next);
  }
  if (codePoint === 0xfe0e || codePoint === 0xfe0f) {
    const previous = before(text, index)?.char;
    if (previous === undefined) return false;
    // A keycap: #, * or a digit, the selector, then U+20E3.
    if (/^[#*0-9]$/.test(previous)) return next === '\u20e3';
    return EMOJI.test(previous);
  }
  if ((codePoint >= 0xfe00 && codePoint <= 0xfe0d) || (codePoint >= 0x180b && codePoint <= 0x180f && codePoint !== 0x180e) || (codePoint >= 0xe0100 && codePoint <= 0xe01ef)) {
    const previous = before(text, index)?.char;
    return previous !== undefined && (previous.codePointAt(0) ?? 0) > 0x7f && !LOOK_ALIKE_SCRIPT.test(previous);
  }
  if (codePoint >= 0xe0020 && codePoint <= CANCEL_TAG) return inSubdivisionFlag(text, index);
  return false;
}

const isTag = (codePoint: number | undefined) => codePoint !== undefined && codePoint >= 0xe0020 && codePoint <= CANCEL_TAG;

/**
 * Whether the tag at `index` is part of 🏴 + a subdivision code + the cancel tag (Unicode TS #51 §2.8:
 * a region and a subdivision, 3 to 7 lower-case letters and digits). Looked at no further than a flag
 * reaches, so a long run of tags costs no more than a short one.
 */
function inSubdivisionFlag(text: string, index: number): boolean {
  let start = index;
  for (let steps = 0; steps < 8 && isTag(before(text, start)?.char.codePointAt(0)); steps++) start -= 2;
  if (before(text, start)?.char.codePointAt(0) !== BLACK_FLAG) return false;
  const code: number[] = [];
  for (let i = start; code.length <= 8; i += 2) {
    const codePoint = text.codePointAt(i);
    if (!isTag(codePoint) || codePoint === undefined) return false;
    if (codePoint === CANCEL_TAG) return code.length >= 3 && code.length <= 7 && code.every((c) => (c >= 0xe0030 && c <= 0xe0039) || (c >= 0xe0061 && c <= 0xe007a));
    code.push(codePoint);
  }
  return false;
}

/** The text as written to be published: line breaks as the field allows, nothing removed yet. */
function written(raw: string, multiline: boolean): string {
  return multiline ? raw.replace(/\r\n?|[\u2028\u2029]/g, '\n') : raw.replace(LINE_BREAKS, ' ');
}

/** What leaves with the text: every removed character, kept-in-flag tags excepted. */
function scan(text: string, removed?: RemovedCharacter[]): string {
  return text.replace(REMOVED, (char: string, offset: number) => {
    if (isTag(char.codePointAt(0)) && inSubdivisionFlag(text, offset)) return char;
    removed?.push({ codePoint: char.codePointAt(0) ?? 0, kind: kindOf(char.codePointAt(0) ?? 0) });
    return '';
  });
}

/**
 * The person's own text as it is published: the characters above removed, one-line text on one line,
 * ends trimmed, at most `maxChars` UTF-16 units (never half a surrogate pair); undefined when nothing is
 * left. Nothing else changes: spaces, blank lines and every letter stay as typed.
 */
export function ownText(raw: string | undefined | null, maxChars: number, options: { multiline?: boolean } = {}): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  // Cut generously first so a 1 MB field costs no more than a short one, then clean, then cut exactly.
  const head = raw.length > maxChars * 4 ? raw.slice(0, maxChars * 4) : raw;
  let text = scan(written(head, options.multiline === true)).trim();
  if (text.length > maxChars) {
    const last = text.charCodeAt(maxChars - 1);
    text = text.slice(0, last >= 0xd800 && last <= 0xdbff ? maxChars - 1 : maxChars).trim();
  }
  return text === '' ? undefined : text;
}

/** The characters `ownText` leaves out of `raw`, in order (none for text that goes out as typed). */
export function removedFromOwnText(raw: string, options: { multiline?: boolean } = {}): RemovedCharacter[] {
  const removed: RemovedCharacter[] = [];
  scan(written(raw, options.multiline === true), removed);
  return removed;
}

/** U+202E, as the window names a character. */
export function codePointName(codePoint: number): string {
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
}
