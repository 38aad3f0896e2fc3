/**
 * The whitelist chooser (AccessPicker, on My keys and Profile) offers the roster without the account
 * itself: a roster another app put the own address in must not offer it, since main refuses a whitelist
 * naming the account (on Prosody 0.12 it would cost the account its ownership of the node).
 */
import { describe, expect, it } from 'vitest';
import type { RosterContactView } from '../../../contract/index.js';
import { audienceContacts, chosenBeyondRoster } from '../../../renderer/src/lib/own-keys.js';

const contact = (jid: string): RosterContactView => ({ jid, groups: [], subscription: 'both', pending: false, online: false });

describe('the contacts an audience may name', () => {
  it('leave out the account itself, whatever the case of its address', () => {
    const roster = [contact('romeo@montague.lit'), contact('Juliet@Capulet.lit'), contact('nurse@capulet.lit')];
    expect(audienceContacts(roster, 'juliet@capulet.lit').map((c) => c.jid)).toEqual(['nurse@capulet.lit', 'romeo@montague.lit']);
  });

  it('come in the order of the names shown, not the roster’s (the user walk: tybalt, nurse, romeo, benvolio)', () => {
    const roster = [contact('tybalt@capulet.lit'), { ...contact('nurse@capulet.lit'), name: 'Angelica' }, contact('romeo@montague.lit'), contact('Benvolio@montague.lit')];
    expect(audienceContacts(roster, 'juliet@capulet.lit').map((c) => c.jid)).toEqual(['nurse@capulet.lit', 'Benvolio@montague.lit', 'romeo@montague.lit', 'tybalt@capulet.lit']);
  });

  it('are the whole roster while no account is named', () => {
    expect(audienceContacts([contact('romeo@montague.lit')], undefined).map((c) => c.jid)).toEqual(['romeo@montague.lit']);
  });
});

describe('what a published audience names beyond the roster (shown, chosen, in the chooser)', () => {
  const roster = [contact('romeo@montague.lit'), contact('nurse@capulet.lit')];

  it('a group no contact is in any more, beside those that still have someone', () => {
    expect(chosenBeyondRoster({ model: 'roster', groups: ['Friends', 'Servants'] }, ['Servants'], roster)).toEqual({ groups: ['Friends'], allow: [] });
  });

  it('someone no longer in the contact list, whatever the case of the address', () => {
    expect(chosenBeyondRoster({ model: 'whitelist', allow: ['Romeo@Montague.lit', 'benvolio@montague.lit'] }, [], roster)).toEqual({ groups: [], allow: ['benvolio@montague.lit'] });
  });

  it('nothing when there is no audience yet, or it names only what is offered', () => {
    expect(chosenBeyondRoster(undefined, ['Friends'], roster)).toEqual({ groups: [], allow: [] });
    expect(chosenBeyondRoster({ model: 'presence' }, [], roster)).toEqual({ groups: [], allow: [] });
    expect(chosenBeyondRoster({ model: 'roster', groups: ['Friends'] }, ['Friends'], roster)).toEqual({ groups: [], allow: [] });
  });
});
