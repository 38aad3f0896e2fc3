/**
 * An address that is a contact's plus a character that shows as nothing: Prosody 0.12 registers
 * "romeo\u115F" and "romeo\u17B4", ejabberd 23.01 those and "romeo\u3164" (attack review 6). Such a
 * stranger asking to see your presence read as your contact asking again, with no warning, and the
 * keyring command printed both as the same line (it removed the character). Now the window marks each
 * such character with U+FFFD and warns beside a request, and the command prints the mark.
 */
import { describe, expect, it } from 'vitest';
import type { RosterContactView } from '../../contract/index.js';
import { hiddenInAddress, markHiddenInAddress } from '../../contract/hidden-in-address.js';
import { describeContacts, safe } from '../../main/cli/output.js';
import { addressNotes, knownAddresses } from '../../renderer/src/lib/lookalike-address.js';

const ROMEO = 'romeo@montague.lit';
const known = knownAddresses([ROMEO, 'nurse@capulet.lit'], 'juliet@capulet.lit');
/** What the servers let through, and the others that draw nothing (checked with Prosody's util.jid). */
const HIDDEN = ['\u115F', '\u1160', '\u3164', '\uFFA0', '\u17B4', '\u17B5', '\u2064', '\u2067', '\u200B', '\u2800', '\u{E0041}'];
const code = (c: string) => `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;

describe('a contact’s address with a character that shows as nothing', () => {
  for (const c of HIDDEN) {
    it(`${code(c)}: warned beside a request, naming the character and the contact; marked on screen`, () => {
      const impostor = `romeo${c}@montague.lit`;
      expect(addressNotes(impostor, known).warning).toBe(
        `Holds a character that shows as nothing (${code(c)}), marked � here: it looks like ${ROMEO}, a contact of yours, but is another address.`,
      );
      expect(markHiddenInAddress(impostor)).toBe('romeo\uFFFD@montague.lit');
      expect(hiddenInAddress(impostor)).toEqual([code(c)]);
    });
  }

  it('like no one known: still warned', () => {
    expect(addressNotes('mallory\u3164@evil.example', known).warning).toBe('Holds a character that shows as nothing (U+3164), marked � here: an address made to look like another does this.');
  });

  it('real addresses in any script are left as they are', () => {
    for (const address of ['juliet@capulet.lit', '山田@例え.jp', 'θεός@ελλάδα.gr', 'ส้มตำ@ไทย.th', 'मेरा@उदाहरण.भारत']) {
      expect(markHiddenInAddress(address)).toBe(address);
      expect(addressNotes(address, known).warning).toBeUndefined();
    }
  });
});

describe('the keyring command', () => {
  it('prints the contact and the impostor as two lines a person can tell apart', () => {
    const contact = (jid: string): RosterContactView => ({ jid, groups: ['Friends'], subscription: 'both', pending: false, online: false });
    const lines = describeContacts([contact(ROMEO), contact('romeo\u115F@montague.lit')]).split('\n');
    expect(lines).toEqual(['romeo@montague.lit  [Friends]  subscription: both', 'romeo\uFFFD@montague.lit  [Friends]  subscription: both']);
  });

  it('marks an address inside a sentence, and still removes what shows as nothing from other text', () => {
    expect(safe('romeo\u17B4@montague.lit is still subscribed to your keys')).toBe('romeo\uFFFD@montague.lit is still subscribed to your keys');
    expect(safe('Rom\u200Beo\u2066 says\nhi')).toBe('Romeo says hi');
  });
});
