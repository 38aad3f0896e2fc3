/**
 * Phone numbers (contract/phone.ts): what is one, the vCard value another client gets (RFC 6350 §6.4.1,
 * RFC 3966), and what the person reads back: what they typed, up to the documented normalisation.
 */
import { describe, expect, it } from 'vitest';
import { phoneAsPublished, phoneProblem, phoneShown, telValue } from '../../../contract/phone.js';

/** RFC 3966 §3 global-number (global-number-digits, then parameters: here only ext). */
const GLOBAL_TEL_URI = /^tel:\+[0-9().-]*[0-9][0-9().-]*(;ext=[0-9().-]+)?$/;

describe('a phone number', () => {
  it.each([
    ['+39 045 123 4567', 'tel:+39-045-123-4567', '+39 045 123 4567'],
    ['+39-045-123-4567', 'tel:+39-045-123-4567', '+39 045 123 4567'],
    ['+1 (418) 656-9254', 'tel:+1-(418)-656-9254', '+1 (418) 656 9254'],
    ['+44 20.7946.0000', 'tel:+44-20.7946.0000', '+44 20.7946.0000'],
    ['+39 (0)45 123 4567', 'tel:+39-(0)45-123-4567', '+39 (0)45 123 4567'],
    ['+1 418 656 9254 ext. 102', 'tel:+1-418-656-9254;ext=102', '+1 418 656 9254 ext. 102'],
    ['+1 418 656 9254 x102', 'tel:+1-418-656-9254;ext=102', '+1 418 656 9254 ext. 102'],
    ['+1 418 656 9254 #102', 'tel:+1-418-656-9254;ext=102', '+1 418 656 9254 ext. 102'],
    ['+1-418-656-9254;ext=102', 'tel:+1-418-656-9254;ext=102', '+1 418 656 9254 ext. 102'],
    // Copied from a web page: no-break spaces between the groups, extra spaces around them.
    ['  +33\u00a01\u202f23 45  67 89 ', 'tel:+33-1-23-45-67-89', '+33 1 23 45 67 89'],
  ])('“%s” with its country code is the tel: URI %s and reads back as “%s”', (typed, uri, shown) => {
    expect(phoneProblem(typed)).toBeUndefined();
    expect(telValue(typed)).toEqual({ uri });
    expect(uri).toMatch(GLOBAL_TEL_URI);
    expect(phoneShown(uri)).toBe(shown);
    expect(phoneAsPublished(typed)).toBe(shown);
    // Shown, it is the same number again: publishing what was read changes nothing.
    expect(telValue(shown)).toEqual({ uri });
  });

  it('without its country code is text, as typed (a tel: URI would need a phone-context, RFC 3966 §5.1.5)', () => {
    expect(phoneProblem('045 123 4567')).toBeUndefined();
    expect(telValue('045 123 4567')).toEqual({ text: '045 123 4567' });
    expect(telValue('(045) 123-4567 ext. 12')).toEqual({ text: '(045) 123-4567 ext. 12' });
    expect(phoneShown('045 123 4567')).toBe('045 123 4567');
    expect(phoneAsPublished(' 045  123 4567 ')).toBe('045 123 4567');
  });

  it.each([
    ['call me maybe', 'it has letters'],
    ['+39 045 CALL NOW', 'it has letters'],
    ['--', 'it has no digits'],
    ['( ) .', 'it has no digits'],
    ['ext. 12', 'it has no digits'],
    ['39+045 123', 'it has a + that is not at its start'],
    ['++39 045 123', 'it has a + that is not at its start'],
    ['+39/045 123', 'it has “/”, which is no part of a phone number'],
    ['12', 'it has only 2 digits'],
    ['+39 045 123 4567 8901 23', 'it has 18 digits, and a phone number has at most 15'],
  ])('refuses “%s”: %s', (typed, why) => {
    expect(phoneProblem(typed)).toBe(
      `“${typed.trim()}” is not a phone number: ${why}. Write its digits, with + and the country code first; spaces, dots, dashes, parentheses and an extension (ext. 12) may go with them.`,
    );
  });

  it('quotes no more than 40 characters of a long refused text', () => {
    expect(phoneProblem('a'.repeat(1000))).toMatch(/^“a{39}…” is not a phone number: it has letters\./);
  });

  it('reads another client’s tel: URI the same way, other parameters kept', () => {
    expect(phoneShown('tel:+1-303-308-3282')).toBe('+1 303 308 3282');
    expect(phoneShown('TEL:+1-303-308-3282;EXT=7')).toBe('+1 303 308 3282 ext. 7');
    expect(phoneShown('tel:7042;phone-context=example.com')).toBe('7042;phone-context=example.com');
    expect(phoneShown('  +1 303 308 3282 (work)  ')).toBe('+1 303 308 3282 (work)');
  });
});
