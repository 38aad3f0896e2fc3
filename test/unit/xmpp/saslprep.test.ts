/**
 * SASLprep (main/xmpp/saslprep.ts): the examples of RFC 4013 §3, and the mappings that decide which
 * bytes SCRAM hashes. (Example 7, U+0627 U+0031, fails the bidirectional check, which the app leaves to
 * the server: see the module's comment.) test/integration/saslprep-prosody.test.ts compares it with
 * Prosody's own SASLprep.
 */
import { describe, expect, it } from 'vitest';
import { saslprep, SaslprepError } from '../../../main/xmpp/saslprep.js';

describe('RFC 4013 §3 examples', () => {
  it.each([
    ['I\u00ADX', 'IX'], // soft hyphen mapped to nothing
    ['user', 'user'],
    ['USER', 'USER'], // no case folding
    ['\u00AA', 'a'], // NFKC
    ['\u2168', 'IX'], // NFKC
  ])('%j → %j', (input, output) => {
    expect(saslprep(input)).toBe(output);
  });

  it('U+0007 is prohibited', () => {
    expect(() => saslprep('\u0007')).toThrow(new SaslprepError('a control character'));
  });
});

describe('mapping and normalization', () => {
  it('non-ASCII spaces become U+0020, U+200B included (as ICU, Prosody\'s SASLprep, maps it)', () => {
    expect(saslprep('a\u00A0b\u3000c\u200Bd')).toBe('a b c d');
  });

  it('joiners, variation selectors and the BOM are removed', () => {
    expect(saslprep('\uFEFFp\u200Da\uFE0Fss\u034F')).toBe('pass');
  });

  it('composed and decomposed forms, and full-width letters, come out the same', () => {
    expect(saslprep('Cafe\u0301')).toBe('Caf\u00E9');
    expect(saslprep('\uFF30\uFF41\uFF53\uFF53')).toBe('Pass');
  });

  it('leaves code points Unicode 3.2 did not assign (Prosody accepts them too)', () => {
    expect(saslprep('key-🔑')).toBe('key-🔑');
  });
});

describe('prohibited output (RFC 4013 §2.3)', () => {
  it.each([
    ['\u0085', 'a control character'], // C.2.2
    ['\uE000', 'a private-use character'], // C.3
    ['\uFDD0', 'a noncharacter'], // C.4
    ['\u{1FFFF}', 'a noncharacter'],
    ['\uD800', 'a lone surrogate'], // C.5
    ['\uFFFD', 'a character not meant for plain text'], // C.6
    ['\u2FF0', 'an ideographic description character'], // C.7
    ['\u202E', 'a text-direction control character'], // C.8
    ['\u{E0041}', 'a tag character'], // C.9
  ])('%j: %s', (input, reason) => {
    expect(() => saslprep(`pass${input}word`)).toThrow(new SaslprepError(reason));
  });
});
