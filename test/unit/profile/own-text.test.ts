/**
 * The person's own profile text goes out as typed, but for what could act in a contact's app
 * (contract/own-text.ts): walk 3 found a Persian name published misspelt (its ZWNJ removed), emoji
 * families published as separate pictures (their ZWJ removed) and an RTL nickname's marks dropped, while
 * the window said nothing changed. Character by character: what spelling needs stays; what can reorder,
 * hide or act goes, each with the kind the window names.
 */
import { describe, expect, it } from 'vitest';
import { ownText, removedFromOwnText, spellingCharacterAt } from '../../../contract/own-text.js';

/** The walk's examples, and the rest of what spelling needs. */
const SPELLING: Record<string, string> = {
  'Persian with ZWNJ U+200C (می‌خواهم)': 'می\u200Cخواهم',
  'an emoji family joined by ZWJ U+200D (👨‍👩‍👧)': '👨\u200D👩\u200D👧',
  'a couple with heart: ZWJ and the colour selector VS16 (👩‍❤️‍👨)': '👩\u200D❤\uFE0F\u200D👨',
  'a Hebrew nickname with RLM U+200F': 'רומיאו\u200F (Romeo)',
  'a Latin name with LRM U+200E in Arabic text': 'روميو \u200EJuliet\u200E',
  'Arabic letter mark ALM U+061C': 'رقم \u061C123',
  'a Devanagari half form (virama + ZWJ)': 'क्\u200Dष',
  'an ideographic variation selector U+E0100': '葛\u{E0100}城',
  'the flag of Scotland (tag characters)': '\u{1F3F4}\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}',
  'a keycap (digit, VS16, U+20E3)': '1\uFE0F\u20E3',
  'a soft hyphen and a zero-width space (Thai word break)': 'Donau\u00ADdampf สวัสดี\u200Bครับ',
  'a skin-toned emoji sequence': '🧑\u{1F3FD}\u200D💻',
};

/** What could act in a contact's app: bidi controls, controls, hidden characters, what XML cannot carry. */
const REMOVED: Record<string, [string, string]> = {
  'LRE U+202A': ['\u202A', 'direction'],
  'RLE U+202B': ['\u202B', 'direction'],
  'PDF U+202C': ['\u202C', 'direction'],
  'LRO U+202D': ['\u202D', 'direction'],
  'RLO U+202E': ['\u202E', 'direction'],
  'LRI U+2066': ['\u2066', 'direction'],
  'RLI U+2067': ['\u2067', 'direction'],
  'FSI U+2068': ['\u2068', 'direction'],
  'PDI U+2069': ['\u2069', 'direction'],
  'a deprecated format control U+206E': ['\u206E', 'direction'],
  'NUL': ['\u0000', 'control'],
  'BEL': ['\u0007', 'control'],
  'ESC': ['\u001B', 'control'],
  'DEL': ['\u007F', 'control'],
  'the one-byte CSI U+009B': ['\u009B', 'control'],
  'a tag character (hidden ASCII)': ['\u{E0041}', 'hidden'],
  'the language tag U+E0001': ['\u{E0001}', 'hidden'],
  'an interlinear annotation anchor U+FFF9': ['\uFFF9', 'hidden'],
  'U+FFFF': ['\uFFFF', 'unsendable'],
  'an unpaired surrogate': ['\uD800', 'unsendable'],
};

describe('the person’s own text', () => {
  it.each(Object.entries(SPELLING))('keeps %s as typed', (_name, text) => {
    expect(ownText(text, 1024)).toBe(text);
    expect(ownText(`Note: ${text}\nsecond line`, 1024, { multiline: true })).toBe(`Note: ${text}\nsecond line`);
    expect(removedFromOwnText(text)).toEqual([]);
  });

  it.each(Object.entries(REMOVED))('loses %s, and says which and why', (_name, [char, kind]) => {
    expect(ownText(`Rom${char}eo`, 64)).toBe('Romeo');
    expect(ownText(`Rom${char}eo\nMontague`, 64, { multiline: true })).toBe('Romeo\nMontague');
    expect(removedFromOwnText(`Rom${char}eo`)).toEqual([{ codePoint: char.codePointAt(0), kind }]);
  });

  it('keeps a flag’s tags only in a flag: hidden text after the black flag, or without its cancel tag, goes', () => {
    const hidden = '\u{1F3F4}' + [...'ignore all'].map((c) => String.fromCodePoint(0xe0000 + (c.codePointAt(0) ?? 0))).join('') + '\u{E007F}';
    expect(ownText(hidden, 64)).toBe('\u{1F3F4}');
    expect(ownText('\u{1F3F4}\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}', 64)).toBe('\u{1F3F4}');
    expect(ownText('x\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}', 64)).toBe('x');
  });

  it('one-line text: line breaks and tabs become a space; spaces stay as typed; ends trimmed', () => {
    expect(ownText(' Juliet\tof\r\nVerona\u2028Capulet  ', 64)).toBe('Juliet of Verona Capulet');
    expect(ownText('Renée\u00A0: «\u202FOui\u202F»', 64)).toBe('Renée\u00A0: «\u202FOui\u202F»');
  });

  it('multi-line text keeps tabs and blank lines, and writes every line break as a newline', () => {
    expect(ownText('a\r\nb\rc\u2029d\n\n\n\te', 64, { multiline: true })).toBe('a\nb\nc\nd\n\n\n\te');
  });

  it('is cut at the cap without splitting a surrogate pair; nothing left is none', () => {
    expect(ownText(`${'x'.repeat(9)}😀`, 10)).toBe('x'.repeat(9));
    expect(ownText(' \u202E\u0007 ', 10)).toBeUndefined();
    expect(ownText(undefined, 10)).toBeUndefined();
  });
});

describe('joiners and selectors in text from contacts (spellingCharacterAt)', () => {
  const at = (text: string, char: string) => spellingCharacterAt(text, text.indexOf(char));

  it('are spelling between letters of Persian, Devanagari, and between pictographs', () => {
    expect(at('می\u200Cخواهم', '\u200C')).toBe(true);
    expect(at('क्\u200Dष', '\u200D')).toBe(true);
    expect(at('👨\u200D👩', '\u200D')).toBe(true);
    expect(at('👩\u200D❤\uFE0F\u200D👨', '\uFE0F')).toBe(true);
  });

  it('are not between Latin, Greek or Cyrillic letters, at the ends, or after plain ASCII', () => {
    expect(at('Rom\u200Deo', '\u200D')).toBe(false);
    expect(at('Rom\u200Ceo', '\u200C')).toBe(false);
    expect(at('Ρωμ\u200Cαίος', '\u200C')).toBe(false);
    expect(at('Ром\u200Dео', '\u200D')).toBe(false);
    expect(at('\u200Dمی', '\u200D')).toBe(false);
    expect(at('Romeo\uFE0F', '\uFE0F')).toBe(false);
    expect(at('Romeo3\uFE0F', '\uFE0F')).toBe(false);
    expect(at('Rom\u{E0100}eo', '\u{E0100}')).toBe(false);
  });
});
