/** "Add contact…" with an address already in the roster: the dialog says so, and in which groups. */
import { describe, expect, it } from 'vitest';
import type { RosterContactView } from '../../../contract/index.js';
import { alreadyContactWords, existingContact, requestsNotShownWords } from '../../../renderer/src/lib/add-contact.js';

const romeo: RosterContactView = { jid: 'romeo@montague.lit', name: 'Romeo', groups: ['Friends'], subscription: 'both', pending: false, online: true };
const nurse: RosterContactView = { jid: 'nurse@capulet.lit', groups: [], subscription: 'none', pending: true, online: false };

describe('an address already in the contacts', () => {
  it('is found whatever its case and spaces around it', () => {
    expect(existingContact([nurse, romeo], '  Romeo@Montague.LIT ')).toBe(romeo);
    expect(existingContact([nurse, romeo], 'benvolio@montague.lit')).toBeUndefined();
    expect(existingContact([nurse, romeo], '')).toBeUndefined();
    expect(existingContact([nurse, romeo], 'xmpp:romeo@montague.lit?roster')).toBe(romeo);
    expect(existingContact([nurse, romeo], 'xmpp:romeo@montague.lit/balcony')).toBeUndefined();
    // RFC 7622 §3.2: a dot ending the domain is not part of the address.
    expect(existingContact([nurse, romeo], 'romeo@montague.lit.')).toBe(romeo);
  });

  it('is named with the groups it is in, and that adding keeps them', () => {
    expect(alreadyContactWords(romeo)).toBe('Romeo (romeo@montague.lit) is already in your contacts, in “Friends”. Adding keeps that group and adds any you name here.');
    expect(alreadyContactWords({ ...romeo, groups: ['Friends', 'Verona', 'Family'] })).toContain('in “Friends”, “Verona” and “Family”. Adding keeps those groups');
    expect(alreadyContactWords(nurse)).toBe('nurse@capulet.lit is already in your contacts, in no group. Groups you name here are added.');
  });
});

describe('more requests to see your presence than are listed', () => {
  it('says how many more came, and that the server sends them again', () => {
    expect(requestsNotShownWords(1)).toBe('1 more request came than are listed. Your server sends them again at your next sign-in.');
    expect(requestsNotShownWords(19_744)).toBe('19,744 more requests came than are listed. Your server sends them again at your next sign-in.');
  });
});
