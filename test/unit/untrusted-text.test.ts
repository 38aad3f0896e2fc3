/**
 * Text from the network loses every character that shows as nothing (main/untrusted-text.ts), so two
 * different names cannot look alike on screen or in the terminal. The cases an attack review found the
 * old list let through: Unicode's default-ignorable code points beyond the zero-width ones.
 */
import { describe, expect, it } from 'vitest';
import { cleanText, escapeUnsafeInJson, keepingLines, markedName, oneLine } from '../../main/untrusted-text.js';

const INVISIBLE: Record<string, string> = {
  'a tag character (U+E0000 block, hidden ASCII)': '\u{E0041}',
  'the cancel tag U+E007F': '\u{E007F}',
  'Hangul filler U+3164': '\u3164',
  'halfwidth Hangul filler U+FFA0': '\uFFA0',
  'Hangul choseong filler U+115F': '\u115F',
  'a deprecated format control U+206A': '\u206A',
  'combining grapheme joiner U+034F': '\u034F',
  'Mongolian free variation selector U+180B': '\u180B',
  'Khmer vowel inherent U+17B4': '\u17B4',
  'musical symbol format U+1D173': '\u{1D173}',
  'a variation selector U+FE0F': '\uFE0F',
  'zero-width space U+200B (already removed)': '\u200B',
  'right-to-left override U+202E (already removed)': '\u202E',
};

describe('characters that show as nothing', () => {
  it.each(Object.entries(INVISIBLE))('%s is removed from one-line and multi-line text', (_name, char) => {
    expect(oneLine(`Rom${char}eo`)).toBe('Romeo');
    expect(cleanText(`Rom${char}eo`, 64)).toBe('Romeo');
    expect(keepingLines(`Rom${char}eo\nMontague`)).toBe('Romeo\nMontague');
  });

  it('is marked, one mark per character, in a name quoted from a certificate', () => {
    expect(markedName('rom\u{E0065}eo@montague.lit')).toBe('rom\ufffdeo@montague.lit');
  });

  it('is escaped in JSON output, a character beyond U+FFFF as its two UTF-16 escapes (still the same string)', () => {
    const json = escapeUnsafeInJson(JSON.stringify({ name: 'Rom\u{E0065}eo\u3164' }));
    expect(json).toBe('{"name":"Rom\\udb40\\udc65eo\\u3164"}');
    expect((JSON.parse(json) as { name: string }).name).toBe('Rom\u{E0065}eo\u3164');
  });

  it('leaves letters, accents, other scripts and visible emoji alone', () => {
    const text = 'Renée Ōtsuka 李雷 Ελένη 🔑';
    expect(oneLine(text)).toBe(text);
  });
});

describe('what spelling needs, in text from contacts (cleanText)', () => {
  it('keeps a Persian name’s ZWNJ and an emoji family’s ZWJ, as written', () => {
    expect(cleanText('می\u200Cخواهم', 64)).toBe('می\u200Cخواهم');
    expect(cleanText('👨\u200D👩\u200D👧 and 👩\u200D❤\uFE0F\u200D👨', 64)).toBe('👨\u200D👩\u200D👧 and 👩\u200D❤\uFE0F\u200D👨');
    expect(cleanText('Note\n\nمی\u200Cخواهم 👨\u200D👩\u200D👧', 64, { multiline: true })).toBe('Note\n\nمی\u200Cخواهم 👨\u200D👩\u200D👧');
  });

  it('still removes them where they make a look-alike, and the marks and overrides everywhere (names are not isolated on screen)', () => {
    expect(cleanText('Rom\u200Deo', 64)).toBe('Romeo');
    expect(cleanText('Rom\u200Ceo \u200D👨', 64)).toBe('Romeo 👨');
    expect(cleanText('רומיאו\u200F\u202E', 64)).toBe('רומיאו');
  });

  it('is not kept in text for a terminal or an address (oneLine, keepingLines)', () => {
    expect(oneLine('می\u200Cخواهم')).toBe('میخواهم');
    expect(keepingLines('👨\u200D👩')).toBe('👨👩');
  });
});
