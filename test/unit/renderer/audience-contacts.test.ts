/**
 * The whitelist chooser (AccessPicker, on My keys and Profile) offers the roster without the account
 * itself: a roster another app put the own address in must not offer it, since main refuses a whitelist
 * naming the account (on Prosody 0.12 it would cost the account its ownership of the node).
 */
import { describe, expect, it } from 'vitest';
import type { RosterContactView } from '../../../contract/index.js';
import { audienceContacts } from '../../../renderer/src/lib/own-keys.js';

const contact = (jid: string): RosterContactView => ({ jid, groups: [], subscription: 'both', pending: false, online: false });

describe('the contacts an audience may name', () => {
  it('leave out the account itself, whatever the case of its address', () => {
    const roster = [contact('romeo@montague.lit'), contact('Juliet@Capulet.lit'), contact('nurse@capulet.lit')];
    expect(audienceContacts(roster, 'juliet@capulet.lit').map((c) => c.jid)).toEqual(['romeo@montague.lit', 'nurse@capulet.lit']);
  });

  it('are the whole roster while no account is named', () => {
    expect(audienceContacts([contact('romeo@montague.lit')], undefined).map((c) => c.jid)).toEqual(['romeo@montague.lit']);
  });
});
