import { describe, expect, it } from 'vitest';
import type { OwnProfileView, Profile } from '../../../contract';
import { formFrom, ownAfterPublish, profileChanges, profileFrom } from '../../../renderer/src/lib/profile-edits.js';

const JULES: Profile = { fullName: 'Juliet Capulet', nickname: 'Jules', emails: ['juliet@capulet.lit'], phones: [], urls: [] };
/** Her profile as read back: the vCard and the nickname node both say "Jules", and she has an avatar. */
const OWN: OwnProfileView = {
  jid: 'juliet@capulet.lit',
  origin: 'fetch',
  updated: [],
  sources: [],
  configs: [],
  vcard: JULES,
  nickname: 'Jules',
  avatar: { info: { id: 'a'.repeat(40), type: 'image/png', bytes: 100, width: 32, height: 32 } },
};

describe('the profile form after publishing', () => {
  it('a cleared nickname is removed (not kept from the nickname node), and once published nothing is left to change', () => {
    const form = { ...formFrom(OWN.vcard, OWN.nickname), nickname: '' };
    const draft = profileFrom(form, OWN.vcard);
    expect(draft.nickname).toBeUndefined();
    expect(profileChanges(OWN.vcard, OWN.nickname, draft)).toEqual([{ label: 'Nickname', kind: 'removed', before: 'Jules', after: '' }]);

    const after = ownAfterPublish(OWN, draft);
    expect(after.nickname).toBeUndefined();
    expect(after.vcard).toEqual(draft);
    expect(after.avatar).toEqual(OWN.avatar);
    // The form settles: what it shows is what is published.
    expect(profileChanges(after.vcard, after.nickname, draft)).toEqual([]);
    expect(formFrom(after.vcard, after.nickname)).toEqual(form);
  });

  it('a new nickname is the one held afterwards; with nothing read before, the view is made', () => {
    const renamed = { ...JULES, nickname: 'Juliet of Verona' };
    expect(ownAfterPublish(OWN, renamed)).toMatchObject({ nickname: 'Juliet of Verona', vcard: renamed, jid: 'juliet@capulet.lit' });
    expect(ownAfterPublish(undefined, renamed)).toMatchObject({ nickname: 'Juliet of Verona', vcard: renamed, sources: [], configs: [] });
  });
});
