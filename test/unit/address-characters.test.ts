/**
 * An address holding a character no XMPP address may hold is refused where it is typed, in words that
 * say so: a control such as ESC (XML cannot carry it, so the server cut the stream and the app called
 * that a refusal), a bidirectional override, a lone surrogate, and the characters RFC 7622 §3.3.1
 * excludes from the name before the @. Every legitimate address still passes, unchanged.
 */
import { describe, expect, it } from 'vitest';
import { ADDRESS_WORDS, bareJidText, contactAddressText } from '../../contract/domain.js';

describe('characters no address may hold', () => {
  it.each([
    ['ESC in the name', 'a\u001b[31mb@capulet.lit'],
    ['ESC in the domain', 'juliet@capu\u001blet.lit'],
    ['NUL', 'juliet\u0000@capulet.lit'],
    ['DEL', 'juliet\u007f@capulet.lit'],
    ['a C1 control (CSI)', 'evil\u009b31m@capulet.lit'],
    ['a right-to-left override', 'juliet\u202e@capulet.lit'],
    ['a left-to-right mark', '\u200ejuliet@capulet.lit'],
    ['a lone surrogate', 'juliet\ud800@capulet.lit'],
    ['a noncharacter', 'juliet\uffff@capulet.lit'],
  ])('%s is refused as an invisible control character', (_what, typed) => {
    const parsed = bareJidText.safeParse(typed);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((issue) => issue.message)).toEqual([ADDRESS_WORDS.invisible]);
  });

  it.each(['o"neil@capulet.lit', 'tom&jerry@capulet.lit', "o'brien@capulet.lit", 'a:b@capulet.lit', '<juliet@capulet.lit', 'juliet>@capulet.lit'])(
    '%j is refused: RFC 7622 §3.3.1 excludes the character from the name',
    (typed) => {
      const parsed = bareJidText.safeParse(typed);
      expect(parsed.error?.issues.map((issue) => issue.message)).toEqual(['The name before the @ cannot contain " & \' : < or >']);
    },
  );

  it.each(['xmpp:evil%1B@capulet.lit', 'xmpp:evil\u001b@capulet.lit'])('the add-contact link %j is refused the same way', (link) => {
    expect(contactAddressText.safeParse(link).error?.issues.map((issue) => issue.message)).toEqual([ADDRESS_WORDS.invisible]);
  });

  it.each([
    'juliet@capulet.lit',
    'Juliet.Capulet@capulet.lit',
    'juliet+keys@capulet.lit',
    'j_c-1984@xmpp-2.capulet.lit',
    'ромео@пример.рф',
    'josé@münchen.de',
    '山田@例え.テスト',
    'juliet@[::1]',
    'juliet@127.0.0.1',
    'juliet!x#y$z%w*v=u?t^s`r{q|p}o~n@capulet.lit',
  ])('%s still passes, as it was', (typed) => {
    expect(bareJidText.parse(typed)).toBe(typed);
  });
});

describe('one form of an address', () => {
  it('an address typed decomposed (NFD) is read in NFC, the form the server and the app compare', () => {
    expect(bareJidText.parse('jose\u0301@example.com')).toBe('jos\u00e9@example.com');
    expect(bareJidText.parse('jos\u00e9@example.com')).toBe('jos\u00e9@example.com');
    expect(contactAddressText.parse('xmpp:jose%CC%81@example.com')).toBe('jos\u00e9@example.com');
  });
});
