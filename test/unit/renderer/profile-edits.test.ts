import { describe, expect, it } from 'vitest';
import type { OwnProfileView, Profile } from '../../../contract';
import { formFrom, ownAfterPublish, rebaseForm, profileChanges, profileFrom, profileNotices, profileProblems, restOfCard, shownProfile } from '../../../renderer/src/lib/profile-edits.js';
import { vcard4Payload } from '../../../main/profile/vcard4.js';
import { nickPayload } from '../../../main/profile/nickname.js';

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

describe('phone numbers in the form', () => {
  const form = (phones: string) => ({ ...formFrom(JULES, 'Jules'), phones });

  it('a number that is none is refused in a sentence naming it, tied to the phone field', () => {
    expect(profileProblems(form('+39 045 123 4567\ncall me maybe'))).toEqual([
      {
        field: 'phones',
        text: '“call me maybe” is not a phone number: it has letters. Write its digits, with + and the country code first; spaces, dots, dashes, parentheses and an extension (ext. 12) may go with them.',
      },
    ]);
    expect(profileProblems(form('--'))[0]?.text).toMatch(/^“--” is not a phone number: it has no digits\./);
    expect(profileProblems(form('+39 045 123 4567\n+1 (418) 656-9254 ext. 102\n045 123 4567'))).toEqual([]);
  });

  it('a line the published vCard already holds is not refused, whatever it is (another client wrote it)', () => {
    const published = { ...JULES, phones: ['555 1234 (mobile)'] };
    expect(profileProblems(form('555 1234 (mobile)\n+39 045 123 4567'), published)).toEqual([]);
    // The same kind of text typed anew is refused.
    expect(profileProblems(form('555 1234 (mobile)\n555 9999 (office)'), published).map((p) => p.field)).toEqual(['phones']);
  });

  it('what publishing changes names the number as it will read back, so that once published nothing is left to change', () => {
    const draft = profileFrom(form('+39-045-123-4567\n+1 418 656 9254 x102'), JULES);
    expect(draft.phones).toEqual(['+39 045 123 4567', '+1 418 656 9254 ext. 102']);
    expect(profileChanges(JULES, 'Jules', draft)).toEqual([
      { label: 'Phone numbers', kind: 'added', before: '', after: '+39 045 123 4567, +1 418 656 9254 ext. 102' },
    ]);
    // Read back from the server (vcard4.ts) it is the same, so the form opens on it with nothing to publish.
    const after = ownAfterPublish(OWN, draft);
    expect(profileChanges(after.vcard, after.nickname, profileFrom(formFrom(after.vcard, after.nickname), after.vcard))).toEqual([]);
  });
});

describe('what publishing changes is what goes out (walk 3: the window showed the text as typed, the server got it otherwise)', () => {
  const form = (fields: Partial<ReturnType<typeof formFrom>>) => ({ ...formFrom(JULES, 'Jules'), ...fields });

  it('a Persian nickname with ZWNJ and a note with emoji ZWJ sequences go out as typed, with nothing to tell', () => {
    const typed = form({ nickname: 'می\u200Cخواهم', note: '👨\u200D👩\u200D👧 👩\u200D❤\uFE0F\u200D👨', fullName: '\u200Fרומיאו\u200F' });
    const draft = profileFrom(typed, JULES);
    expect(draft).toMatchObject({ nickname: 'می\u200Cخواهم', note: '👨\u200D👩\u200D👧 👩\u200D❤\uFE0F\u200D👨', fullName: '\u200Fרומיאו\u200F' });
    expect(profileNotices(typed)).toEqual([]);
    // What main publishes is the draft, character for character.
    expect(vcard4Payload(draft).toString()).toContain('<nickname><text>می\u200Cخواهم</text></nickname>');
    expect(nickPayload(draft.nickname ?? '').toString()).toContain('>می\u200Cخواهم<');
    expect(vcard4Payload(draft).toString()).toContain('<note><text>👨\u200D👩\u200D👧 👩\u200D❤\uFE0F\u200D👨</text></note>');
  });

  it('what is left out is left out of the change list too, and said under its field before publishing', () => {
    const typed = form({ nickname: 'Jules\u202E', note: 'a\u0007b\u0007', urls: 'https://capulet.lit/\u2066x\u2069' });
    const draft = profileFrom(typed, JULES);
    expect(draft.nickname).toBe('Jules');
    expect(draft.note).toBe('ab');
    expect(profileChanges(JULES, 'Jules', draft)).toEqual([
      { label: 'Web addresses', kind: 'added', before: '', after: 'https://capulet.lit/x' },
      { label: 'Note', kind: 'added', before: '', after: 'ab' },
    ]);
    expect(profileNotices(typed)).toEqual([
      {
        field: 'nickname',
        text: 'The nickname holds a text-direction control (U+202E), which publishing leaves out: it could make contacts’ apps show the text around it in another order.',
      },
      {
        field: 'urls',
        text: 'The web addresses hold 2 text-direction controls (U+2066, U+2069), which publishing leaves out: they could make contacts’ apps show the text around them in another order.',
      },
      { field: 'note', text: 'The note holds 2 control characters (U+0007), which publishing leaves out: contacts’ apps could act on them instead of showing them.' },
    ]);
    // Main publishes exactly the draft.
    expect(vcard4Payload(draft).toString()).toContain('<nickname><text>Jules</text></nickname>');
  });
});

describe('list fields are one value per line, as their labels say', () => {
  const form = (fields: Partial<ReturnType<typeof formFrom>>) => ({ ...formFrom(JULES, 'Jules'), ...fields });

  it('a web address with a comma is one address, not two (walk 3: “10.99” was refused as no web address)', () => {
    const typed = form({ urls: 'https://maps.example/@45.43,10.99\nhttps://capulet.lit/a,b' });
    expect(profileProblems(typed)).toEqual([]);
    expect(profileFrom(typed, JULES).urls).toEqual(['https://maps.example/@45.43,10.99', 'https://capulet.lit/a,b']);
    expect(profileChanges(JULES, 'Jules', profileFrom(typed, JULES))).toEqual([
      { label: 'Web addresses', kind: 'added', before: '', after: 'https://maps.example/@45.43,10.99, https://capulet.lit/a,b' },
    ]);
  });

  it('e-mail addresses and phone numbers written on one line with a comma are refused whole, naming the line', () => {
    expect(profileProblems(form({ emails: 'juliet@capulet.lit, nurse@capulet.lit' }))).toEqual([
      { field: 'emails', text: '“juliet@capulet.lit, nurse@capulet.lit” is not an e-mail address' },
    ]);
    expect(profileProblems(form({ emails: 'juliet@capulet.lit\nnurse@capulet.lit' }))).toEqual([]);
    expect(profileProblems(form({ phones: '+39 045 123 4567, +39 045 765 4321' })).map((p) => p.field)).toEqual(['phones']);
  });
});

describe('the form when the server’s profile changes under it', () => {
  it('rebases the form’s own fields only: a postal address another app published is no field of the form', () => {
    const address = { street: 'Via Cappello 23', locality: 'Verona' };
    const before: Profile = { emails: [], phones: [], urls: [], fullName: 'Juliet', note: 'old', address };
    const now: Profile = { ...before, note: 'set by my phone', address: { ...address, locality: 'Mantua' } };
    const form = { ...formFrom(before, undefined), fullName: 'Juliet Capulet' };
    const rebased = rebaseForm(form, before, now);
    expect(rebased.changedUnder).toEqual([]);
    expect(rebased.form).toEqual({ ...form, note: 'set by my phone' });
    expect(Object.keys(rebased.form).sort()).toEqual(Object.keys(form).sort());
  });
});

describe('what publishing changes when another app set the nickname node alone (walk 6: “Jules” put back without a word)', () => {
  /** The vCard says "Jules"; her phone app set the nickname node to "Julie". */
  const DRIFTED: OwnProfileView = { ...OWN, nickname: 'Julie' };
  const formOf = (own: OwnProfileView) => formFrom(shownProfile(own), undefined);

  it('the form shows the node’s “Julie”; left alone, the vCard’s change to it is listed beside the note’s', () => {
    const form = { ...formOf(DRIFTED), note: 'n' };
    expect(form.nickname).toBe('Julie');
    expect(profileChanges(DRIFTED.vcard, DRIFTED.nickname, profileFrom(form, DRIFTED.vcard))).toEqual([
      { label: 'Nickname in your profile card', kind: 'changed', before: 'Jules', after: 'Julie' },
      { label: 'Note', kind: 'added', before: '', after: 'n' },
    ]);
  });

  it('typing “Jules” back lists the node’s change, “Julie → Jules”, and nothing for the vCard, which holds it already', () => {
    const form = { ...formOf(DRIFTED), nickname: 'Jules' };
    expect(profileChanges(DRIFTED.vcard, DRIFTED.nickname, profileFrom(form, DRIFTED.vcard))).toEqual([{ label: 'Nickname', kind: 'changed', before: 'Julie', after: 'Jules' }]);
  });

  it('a third nickname changes both, each listed; clearing it removes both', () => {
    const renamed = { ...formOf(DRIFTED), nickname: 'Giulietta' };
    expect(profileChanges(DRIFTED.vcard, DRIFTED.nickname, profileFrom(renamed, DRIFTED.vcard))).toEqual([
      { label: 'Nickname', kind: 'changed', before: 'Julie', after: 'Giulietta' },
      { label: 'Nickname in your profile card', kind: 'changed', before: 'Jules', after: 'Giulietta' },
    ]);
    const cleared = { ...formOf(DRIFTED), nickname: '' };
    expect(profileChanges(DRIFTED.vcard, DRIFTED.nickname, profileFrom(cleared, DRIFTED.vcard))).toEqual([
      { label: 'Nickname', kind: 'removed', before: 'Julie', after: '' },
      { label: 'Nickname in your profile card', kind: 'removed', before: 'Jules', after: '' },
    ]);
  });

  it('once published, both say the form’s nickname and nothing is left to change', () => {
    const form = { ...formOf(DRIFTED), note: 'n' };
    const after = ownAfterPublish(DRIFTED, profileFrom(form, DRIFTED.vcard));
    expect(after).toMatchObject({ nickname: 'Julie', vcard: { nickname: 'Julie' } });
    expect(profileChanges(after.vcard, after.nickname, profileFrom(formOf(after), after.vcard))).toEqual([]);
  });
});

describe('what "What publishing changes" says of the rest of the card (walk 6: it said all stayed while a publish erased the birthday)', () => {
  it('names what stays that the form does not show, and what publishing removes because it cannot be kept', () => {
    expect(restOfCard(undefined)).toEqual({ stays: 'Everything else stays as published.' });
    expect(restOfCard({ kept: ['birthday', 'gender', 'job title'], notKept: [] })).toEqual({
      stays: 'Everything else stays as published, with what this app does not show: birthday, gender and job title.',
    });
    expect(restOfCard({ kept: ['birthday'], notKept: ['photo', 'another full name'] })).toEqual({
      stays: 'Everything else stays as published, with what this app does not show: birthday.',
      removed: 'Publishing also removes what this app cannot keep: photo and another full name.',
    });
  });

  it('after publishing, what could not be kept is gone and what was kept stays named', () => {
    const own = { ...OWN, otherDetails: { kept: ['birthday'], notKept: ['photo'] } };
    expect(ownAfterPublish(own, JULES).otherDetails).toEqual({ kept: ['birthday'], notKept: [] });
  });
});

describe('text too long for a field is refused and named, never cut without a word (walk 6: 20,000 characters pasted into Note kept 4,096)', () => {
  const form = (fields: Partial<ReturnType<typeof formFrom>>) => ({ ...formFrom(JULES, 'Jules'), ...fields });

  it('each one-line field and the note say how long they are and the limit, under the field', () => {
    expect(profileProblems(form({ fullName: 'a'.repeat(5000), nickname: 'n'.repeat(1025), organisation: 'o'.repeat(2000), note: 'x'.repeat(20_000) }))).toEqual([
      { field: 'fullName', text: 'Full name is 5,000 characters; at most 1,024' },
      { field: 'nickname', text: 'Nickname is 1,025 characters; at most 1,024' },
      { field: 'organisation', text: 'Organisation is 2,000 characters; at most 1,024' },
      { field: 'note', text: 'Note is 20,000 characters; at most 4,096' },
    ]);
  });

  it('text exactly at the limit, or over it only by what publishing leaves out, is no problem', () => {
    expect(profileProblems(form({ fullName: 'a'.repeat(1024), note: 'x'.repeat(4096) }))).toEqual([]);
    // Spaces at the ends are trimmed, and a direction control left out, before the limit applies (as main does).
    expect(profileProblems(form({ nickname: ` ${'n'.repeat(1024)}\u202e `, note: `${'x'.repeat(4096)}\n\n` }))).toEqual([]);
  });

  it('a list says which entry is too long, and how many entries there are when there are too many', () => {
    const emails = Array.from({ length: 20 }, (_, i) => `nurse${i}@capulet.lit`).join('\n');
    expect(profileProblems(form({ emails }))).toEqual([{ field: 'emails', text: 'There are 20 e-mail addresses; at most 16' }]);
    const long = `https://capulet.lit/${'p'.repeat(2000)}`;
    expect(profileProblems(form({ urls: `https://capulet.lit\n${long}` }))).toEqual([{ field: 'urls', text: 'A web address is 2,020 characters; at most 1,024' }]);
    expect(profileProblems(form({ phones: '\n\n+39 045 123 4567\n\n' }))).toEqual([]);
  });
});
