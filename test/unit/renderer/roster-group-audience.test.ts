/**
 * The audience picker's roster groups (renderer/src/components/AccessPicker.svelte): how many contacts
 * each group holds, and who a narrower choice of groups takes access from (review walk 4, item 16:
 * "Friends" narrowed to "Montagues" removed romeo's access without naming him).
 */
import { describe, expect, it } from 'vitest';
import type { RosterContactView } from '../../../contract';
import { groupMemberCounts, rosterAccessLost } from '../../../renderer/src/lib/own-keys.js';

const contact = (jid: string, groups: string[], name?: string): RosterContactView => ({ jid, groups, subscription: 'both', pending: false, online: false, ...(name ? { name } : {}) });
const romeo = contact('romeo@montague.lit', ['Friends'], 'Romeo');
const benvolio = contact('benvolio@montague.lit', ['Friends', 'Montagues']);
const nurse = contact('nurse@capulet.lit', ['Servants']);
const contacts = [benvolio, nurse, romeo];

describe('roster groups in the audience picker', () => {
  it('counts the contacts in each group', () => {
    expect(groupMemberCounts(['Friends', 'Montagues', 'Servants', 'Foes'], contacts)).toEqual({ Friends: 2, Montagues: 1, Servants: 1, Foes: 0 });
  });

  it('names who a narrower set of groups leaves out, and nobody who stays in through another group', () => {
    const published = { model: 'roster' as const, groups: ['Friends'] };
    expect(rosterAccessLost(published, ['Montagues'], contacts)).toEqual([romeo]);
    expect(rosterAccessLost(published, ['Friends', 'Servants'], contacts)).toEqual([]);
    expect(rosterAccessLost({ model: 'roster', groups: ['Friends', 'Servants'] }, ['Servants'], contacts)).toEqual([benvolio, romeo]);
  });

  it('only between roster-group audiences', () => {
    expect(rosterAccessLost({ model: 'presence' }, ['Montagues'], contacts)).toEqual([]);
    expect(rosterAccessLost(undefined, ['Montagues'], contacts)).toEqual([]);
  });
});
