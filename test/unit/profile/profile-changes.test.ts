/**
 * The profile as the editor shows it when the account's two nicknames differ: the XEP-0172 node's (what
 * chat apps show, what another app of the account sets) and the vCard's. Found by a UI walk: the form
 * showed the vCard's "Jules" under "as your server holds it" while the node said "Julie", and a publish
 * of the note alone put "Jules" back on the node without a word.
 */
import { describe, expect, it } from 'vitest';
import { nicknameCopies, profileAsShown } from '../../../contract/profile-changes.js';
import type { Profile } from '../../../contract/index.js';

const CARD: Profile = { fullName: 'Juliet Capulet', nickname: 'Jules', emails: [], phones: [], urls: [] };

describe('the nickname the editor shows', () => {
  it('is the nickname node’s where the vCard holds another, and both copies are named', () => {
    const own = { vcard: CARD, nickname: 'Julie' };
    expect(profileAsShown(own).nickname).toBe('Julie');
    expect(profileAsShown(own).fullName).toBe('Juliet Capulet');
    expect(nicknameCopies(own)).toEqual({ node: 'Julie', card: 'Jules' });
  });

  it('is the vCard’s when the node holds none, and the node’s when the vCard holds none: no two copies then', () => {
    expect(profileAsShown({ vcard: CARD }).nickname).toBe('Jules');
    expect(nicknameCopies({ vcard: CARD })).toBeUndefined();
    expect(profileAsShown({ vcard: { ...CARD, nickname: undefined }, nickname: 'Julie' }).nickname).toBe('Julie');
    expect(nicknameCopies({ vcard: { emails: [], phones: [], urls: [] }, nickname: 'Julie' })).toBeUndefined();
  });

  it('is the one both hold when they agree', () => {
    expect(profileAsShown({ vcard: CARD, nickname: 'Jules' }).nickname).toBe('Jules');
    expect(nicknameCopies({ vcard: CARD, nickname: 'Jules' })).toBeUndefined();
  });
});
