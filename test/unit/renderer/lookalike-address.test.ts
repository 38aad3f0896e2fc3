/**
 * A request to see your presence from `julіet@capulet.lit` (a Cyrillic і) looks like your contact
 * juliet@capulet.lit; approving it gives that stranger everything published to "presence". The request
 * list and "Add contact…" say so beside the address; a real address in another script (山田@例え.jp)
 * gets only its domain's ASCII form, and a plain ASCII address nothing.
 */
import { describe, expect, it } from 'vitest';
import { addressNotes, knownAddresses, skeleton } from '../../../renderer/src/lib/lookalike-address.js';

const known = knownAddresses(['juliet@capulet.lit', 'nurse@capulet.lit', '山田@例え.jp'], 'romeo@montague.lit');
const nobody = knownAddresses([], undefined);

describe('an address that looks like another', () => {
  it('mixing Latin and Cyrillic, like a contact: names the scripts and the contact', () => {
    expect(addressNotes('julіet@capulet.lit', known)).toEqual({
      warning: 'Mixes Latin and Cyrillic letters: looks like juliet@capulet.lit, a contact of yours, but is another address.',
    });
  });

  it('like the account’s own address (a Greek ο, any case): says it is not yours', () => {
    expect(addressNotes('Rοmeo@montague.lit', known).warning).toBe(
      'Mixes Latin and Greek letters: looks like romeo@montague.lit, your own address, but is another address.',
    );
  });

  it('mixing scripts in its server’s name: warned, and the server’s ASCII form shown', () => {
    expect(addressNotes('tybalt@сapulet.lit', known)).toEqual({
      warning: 'Mixes Latin and Cyrillic letters: its server looks like capulet.lit, a contact’s server, but is another.',
      asciiDomain: 'xn--apulet-hrf.lit',
    });
  });

  it('mixing scripts, like no one known: still warned', () => {
    expect(addressNotes('pаypal@example.com', nobody).warning).toBe('Mixes Latin and Cyrillic letters, as an address made to look like another does.');
  });

  it('with an accent and no other script, like a contact: warned without a mix', () => {
    expect(addressNotes('julièt@capulet.lit', known).warning).toBe('Looks like juliet@capulet.lit, a contact of yours, but is another address.');
  });

  it('wholly in Cyrillic letters that read as Latin: says what it reads as', () => {
    expect(addressNotes('рау@capulet.lit', nobody).warning).toBe('Written in Cyrillic letters that read as the Latin “pay”.');
  });

  it('skeletons fold case, compatibility forms, accents and common confusables', () => {
    // Fullwidth Ｊ, Cyrillic Е, Cyrillic і, Latin è.
    expect(skeleton('\uff2aULI\u0415T')).toBe('juliet');
    expect(skeleton('jul\u0456\u00e8t')).toBe('juliet');
    expect(skeleton('ρаypal')).toBe('paypal');
  });
});

describe('an address that looks like no one else', () => {
  it('in plain ASCII: nothing to say, contact or not', () => {
    expect(addressNotes('benvolio@montague.lit', known)).toEqual({});
    expect(addressNotes('juliet@capulet.lit', known)).toEqual({});
    expect(addressNotes('Juliet@Capulet.lit', known)).toEqual({});
  });

  it('in Japanese (Han and Hiragana mixed, as Japanese is written): only its domain in ASCII', () => {
    expect(addressNotes('山田@例え.jp', nobody)).toEqual({ asciiDomain: 'xn--r8jz45g.jp' });
    expect(addressNotes('山田@例え.jp', known)).toEqual({ asciiDomain: 'xn--r8jz45g.jp' });
  });

  it('a Latin name at a Cyrillic domain: no mix (each name on its own), the domain in ASCII', () => {
    expect(addressNotes('juliet@пример.рф', known)).toEqual({ asciiDomain: 'xn--e1afmkfd.xn--p1ai' });
  });

  it('in Cyrillic, at an ASCII domain, reading as no Latin word: nothing', () => {
    expect(addressNotes('дмитрий@capulet.lit', known)).toEqual({});
  });
});
