/**
 * SASLprep (RFC 4013), the preparation SCRAM applies to the password before hashing it (RFC 5802 §2.2
 * "Normalize") and to the user name (§5.1). Both servers we support prepare the password the same way
 * when it is set and at login (Prosody 0.12: util.encodings saslprep, ICU's, in mod_auth_internal_hashed
 * and util/sasl/scram.lua; ejabberd 23.01: jid:resourceprep, the same mapping to nothing and NFKC), so
 * a password typed with a different but equivalent sequence of code points (é as one code point or as
 * e + combining accent, a full-width letter, a no-break space) still gives the same SaltedPassword.
 *
 * What changes the string is implemented exactly: §2.1 mapping (RFC 3454 tables C.1.2 and B.1) and §2.2
 * NFKC. Of the checks that can only refuse, §2.3 (prohibited output, tables C.1.2–C.9) is implemented;
 * §2.4 (bidirectional text: tables D.1/D.2 run to hundreds of ranges) and §2.5 (code points unassigned
 * in Unicode 3.2, which Prosody allows too) are left to the server: it prepared the password when it was
 * set, so a password failing them was never accepted there, and signing in with it fails as a wrong
 * password would.
 */

type Ranges = readonly (readonly [number, number])[];

/** RFC 3454 C.1.2: non-ASCII space characters; RFC 4013 §2.1 maps them to U+0020. */
const NON_ASCII_SPACE: Ranges = [[0x00a0, 0x00a0], [0x1680, 0x1680], [0x2000, 0x200b], [0x202f, 0x202f], [0x205f, 0x205f], [0x3000, 0x3000]];

/** RFC 3454 B.1: commonly mapped to nothing (soft hyphen, joiners, variation selectors, BOM). */
const MAPPED_TO_NOTHING: Ranges = [
  [0x00ad, 0x00ad], [0x034f, 0x034f], [0x1806, 0x1806], [0x180b, 0x180d], [0x200b, 0x200d],
  [0x2060, 0x2060], [0xfe00, 0xfe0f], [0xfeff, 0xfeff],
];

/** RFC 4013 §2.3: prohibited output, RFC 3454 tables C.1.2 to C.9, each with what a person reads. */
const PROHIBITED: readonly { ranges: Ranges; reason: string }[] = [
  { ranges: NON_ASCII_SPACE, reason: 'a non-ASCII space' }, // C.1.2 (none can remain after mapping)
  { ranges: [[0x0000, 0x001f], [0x007f, 0x007f]], reason: 'a control character' }, // C.2.1
  {
    // C.2.2
    ranges: [
      [0x0080, 0x009f], [0x06dd, 0x06dd], [0x070f, 0x070f], [0x180e, 0x180e], [0x200c, 0x200d], [0x2028, 0x2029],
      [0x2060, 0x2063], [0x206a, 0x206f], [0xfeff, 0xfeff], [0xfff9, 0xfffc], [0x1d173, 0x1d17a],
    ],
    reason: 'a control character',
  },
  { ranges: [[0xe000, 0xf8ff], [0xf0000, 0xffffd], [0x100000, 0x10fffd]], reason: 'a private-use character' }, // C.3
  {
    // C.4: U+FDD0–U+FDEF and the last two code points of every plane
    ranges: [[0xfdd0, 0xfdef], ...Array.from({ length: 17 }, (_, plane) => [plane * 0x10000 + 0xfffe, plane * 0x10000 + 0xffff] as const)],
    reason: 'a noncharacter',
  },
  { ranges: [[0xd800, 0xdfff]], reason: 'a lone surrogate' }, // C.5
  { ranges: [[0xfff9, 0xfffd]], reason: 'a character not meant for plain text' }, // C.6
  { ranges: [[0x2ff0, 0x2ffb]], reason: 'an ideographic description character' }, // C.7
  { ranges: [[0x0340, 0x0341], [0x200e, 0x200f], [0x202a, 0x202e], [0x206a, 0x206f]], reason: 'a text-direction control character' }, // C.8
  { ranges: [[0xe0001, 0xe0001], [0xe0020, 0xe007f]], reason: 'a tag character' }, // C.9
];

const inRanges = (codePoint: number, ranges: Ranges): boolean => ranges.some(([from, to]) => codePoint >= from && codePoint <= to);

export class SaslprepError extends Error {
  constructor(readonly reason: string) {
    super(`it contains ${reason}`);
    this.name = 'SaslprepError';
  }
}

/** Prepares `text` per RFC 4013; throws SaslprepError naming what is not allowed. */
export function saslprep(text: string): string {
  // §2.1. U+200B is in both tables; ICU's SASLprep (Prosody's) maps it to a space, as here.
  let mapped = '';
  for (const character of text) {
    const codePoint = character.codePointAt(0) ?? 0;
    // A lone surrogate (C.5) cannot be normalized: refuse it before NFKC would replace it.
    if (codePoint >= 0xd800 && codePoint <= 0xdfff) throw new SaslprepError('a lone surrogate');
    if (inRanges(codePoint, NON_ASCII_SPACE)) mapped += ' ';
    else if (!inRanges(codePoint, MAPPED_TO_NOTHING)) mapped += character;
  }
  const normalized = mapped.normalize('NFKC'); // §2.2
  for (const character of normalized) {
    const codePoint = character.codePointAt(0) ?? 0;
    const prohibited = PROHIBITED.find(({ ranges }) => inRanges(codePoint, ranges));
    if (prohibited) throw new SaslprepError(prohibited.reason);
  }
  return normalized;
}
