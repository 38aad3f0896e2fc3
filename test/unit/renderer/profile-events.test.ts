import { describe, expect, it } from 'vitest';
import type { AvatarInfoView, ContactProfileView, ProfilePart } from '../../../contract';
import { avatarAnswerOnto, foldProfileEvents, keepMostRecent, lacksPicture, mergeProfileView, notifiedContacts } from '../../../renderer/src/lib/profile-events.js';

const NICK = 'http://jabber.org/protocol/nick';
const VCARD = 'urn:xmpp:vcard4';
const AVATAR = 'urn:xmpp:avatar:metadata';
const PART_OF: Record<string, ProfilePart> = { [NICK]: 'nickname', [VCARD]: 'vcard', [AVATAR]: 'avatar' };
const INFO: AvatarInfoView = { id: 'a'.repeat(40), type: 'image/png', bytes: 100, width: 32, height: 32 };

/** A notification about `node` as main sends it: naming that node's part as refreshed. */
function notification(jid: string, node: string, parts: Partial<ContactProfileView>): ContactProfileView {
  const part = PART_OF[node];
  return { jid, origin: 'notification', updated: [node], ...(part ? { refreshed: [part] } : {}), sources: [{ node, status: 'ok' }], ...parts };
}

function fetched(jid: string, parts: Partial<ContactProfileView> = {}): ContactProfileView {
  return { jid, origin: 'fetch', updated: [VCARD, NICK, AVATAR], sources: [], ...parts };
}

const nothingHeld = (): ContactProfileView | undefined => undefined;

describe('profile events that came together are applied as they came, contact by contact', () => {
  it('a notification keeps what the other nodes said before; a fetch replaces the view', () => {
    const before = fetched('juliet@capulet.lit', { nickname: 'Jules', vcard: { fullName: 'Juliet', emails: [], phones: [], urls: [] } });
    const merged = mergeProfileView(before, notification('juliet@capulet.lit', NICK, { nickname: 'Juliet of Verona' }));
    expect(merged.nickname).toBe('Juliet of Verona');
    expect(merged.vcard?.fullName).toBe('Juliet');
    expect(merged.origin).toBe('notification');
    expect(mergeProfileView(before, fetched('juliet@capulet.lit')).vcard).toBeUndefined();
  });

  it('an avatar not sent again keeps the picture held for the same id, not for another', () => {
    const before = fetched('juliet@capulet.lit', { avatar: { info: INFO, dataBase64: 'cGljdHVyZQ==' } });
    const same = mergeProfileView(before, notification('juliet@capulet.lit', AVATAR, { avatar: { info: INFO, sameAsBefore: true } }));
    expect(same.avatar?.dataBase64).toBe('cGljdHVyZQ==');
    expect(lacksPicture(same)).toBe(false);
    const other = mergeProfileView(before, notification('juliet@capulet.lit', AVATAR, { avatar: { info: { ...INFO, id: 'b'.repeat(40) }, sameAsBefore: true } }));
    expect(other.avatar?.dataBase64).toBeUndefined();
    expect(lacksPicture(other)).toBe(true);
  });

  it('a part the notification refreshed and no longer has is gone; the parts it did not refresh are kept', () => {
    const vcard = { fullName: 'Juliet', emails: [], phones: [], urls: [] };
    const before = fetched('juliet@capulet.lit', { nickname: 'Jules', vcard, avatar: { info: INFO, dataBase64: 'cGljdHVyZQ==' } });
    // Main's view of a nickname retract: the nickname part refreshed, and empty; main's own copy of the
    // other parts may be thinner than the page's (here no vCard and a picture not sent again).
    const retracted = mergeProfileView(before, notification('juliet@capulet.lit', NICK, { avatar: { info: INFO, sameAsBefore: true } }));
    expect(retracted.nickname).toBeUndefined();
    expect('nickname' in retracted).toBe(false);
    expect(retracted.vcard).toEqual(vcard);
    expect(retracted.avatar?.dataBase64).toBe('cGljdHVyZQ==');
    expect(lacksPicture(retracted)).toBe(false);
    // The vCard emptied, then the avatar: each goes alone.
    const noVcard = mergeProfileView(retracted, notification('juliet@capulet.lit', VCARD, {}));
    expect(noVcard.vcard).toBeUndefined();
    expect(noVcard.avatar?.dataBase64).toBe('cGljdHVyZQ==');
    const noAvatar = mergeProfileView(before, notification('juliet@capulet.lit', AVATAR, { nickname: 'Jules' }));
    expect(noAvatar.avatar).toBeUndefined();
    expect(noAvatar.nickname).toBe('Jules');
    expect(noAvatar.vcard).toEqual(vcard);
  });

  it('a refreshed avatar of the same id, not sent again, keeps the picture held', () => {
    const before = fetched('juliet@capulet.lit', { nickname: 'Jules', avatar: { info: INFO, dataBase64: 'cGljdHVyZQ==' } });
    const same = mergeProfileView(before, notification('juliet@capulet.lit', AVATAR, { avatar: { info: INFO, sameAsBefore: true } }));
    expect(same.avatar?.dataBase64).toBe('cGljdHVyZQ==');
    expect(same.nickname).toBe('Jules');
    // The answer to a picture request refreshes the avatar alone.
    const answer: ContactProfileView = { ...fetched('juliet@capulet.lit', { avatar: { info: INFO, dataBase64: 'bmV3' } }), refreshed: ['avatar'] };
    const pictured = mergeProfileView({ ...before, avatar: { info: INFO, sameAsBefore: true } }, answer);
    expect(pictured.avatar?.dataBase64).toBe('bmV3');
    expect(pictured.nickname).toBe('Jules');
  });

  it("one contact's notifications fold in the order they came, onto the view held", () => {
    const held = fetched('juliet@capulet.lit', { nickname: 'Jules', avatar: { info: INFO, dataBase64: 'cGljdHVyZQ==' } });
    const folded = foldProfileEvents((jid) => (jid === held.jid ? held : undefined), [
      notification('juliet@capulet.lit', NICK, { nickname: 'First' }),
      notification('romeo@montague.lit', NICK, { nickname: 'Romeo' }),
      notification('juliet@capulet.lit', VCARD, { vcard: { fullName: 'Juliet Capulet', emails: [], phones: [], urls: [] } }),
      notification('juliet@capulet.lit', NICK, { nickname: 'Last', avatar: { info: INFO, sameAsBefore: true } }),
    ], undefined);
    const juliet = folded.get('juliet@capulet.lit');
    expect(juliet?.nickname).toBe('Last');
    expect(juliet?.vcard?.fullName).toBe('Juliet Capulet');
    // The picture held before the batch survives two events that did not carry it.
    expect(juliet?.avatar?.dataBase64).toBe('cGljdHVyZQ==');
    expect(folded.get('romeo@montague.lit')?.nickname).toBe('Romeo');
    // The contact whose event came last is last.
    expect([...folded.keys()]).toEqual(['romeo@montague.lit', 'juliet@capulet.lit']);
  });

  it('a picture that came earlier in the same batch is kept by a later event that did not send it', () => {
    const folded = foldProfileEvents(nothingHeld, [
      notification('juliet@capulet.lit', AVATAR, { avatar: { info: INFO, dataBase64: 'cGljdHVyZQ==' } }),
      notification('juliet@capulet.lit', NICK, { nickname: 'Jules', avatar: { info: INFO, sameAsBefore: true } }),
    ], undefined);
    const juliet = folded.get('juliet@capulet.lit');
    expect(juliet?.avatar?.dataBase64).toBe('cGljdHVyZQ==');
    expect(juliet && lacksPicture(juliet)).toBe(false);
  });
});

describe('the answer to a request for a dropped picture (contacts:fetchAvatar)', () => {
  const OLDER: AvatarInfoView = { ...INFO, id: 'b'.repeat(40) };
  /** Main's answer for avatar `info`: the avatar part alone, with its picture. */
  const pictureOf = (info: AvatarInfoView, dataBase64: string): ContactProfileView => ({
    ...fetched('juliet@capulet.lit', { avatar: { info, dataBase64 } }),
    refreshed: ['avatar'],
  });

  it('shows the picture while the avatar asked for is still the one held', () => {
    const held = fetched('juliet@capulet.lit', { nickname: 'Jules', avatar: { info: INFO, sameAsBefore: true } });
    const shown = avatarAnswerOnto(held, pictureOf(INFO, 'cGljdHVyZQ=='), INFO.id);
    expect(shown?.avatar?.dataBase64).toBe('cGljdHVyZQ==');
    expect(shown?.nickname).toBe('Jules');
  });

  it('is dropped when it lands after a newer avatar: the older picture never replaces it', () => {
    // The page asked for the older avatar's picture; before the slow answer came, a notification brought
    // the newer avatar with its picture.
    const held = fetched('juliet@capulet.lit', { nickname: 'Jules', avatar: { info: OLDER, sameAsBefore: true } });
    const newer = mergeProfileView(held, notification('juliet@capulet.lit', AVATAR, { avatar: { info: INFO, dataBase64: 'bmV3ZXI=' } }));
    expect(avatarAnswerOnto(newer, pictureOf(OLDER, 'b2xkZXI='), OLDER.id)).toBeUndefined();
    // Two requests whose answers come in the reverse order: the newer one is shown, the older dropped.
    const asked = { ...newer, avatar: { info: INFO, sameAsBefore: true as const } };
    const first = avatarAnswerOnto(asked, pictureOf(INFO, 'bmV3ZXI='), INFO.id);
    expect(first?.avatar?.dataBase64).toBe('bmV3ZXI=');
    expect(first && avatarAnswerOnto(first, pictureOf(OLDER, 'b2xkZXI='), OLDER.id)).toBeUndefined();
  });

  it('is dropped when the avatar was withdrawn meanwhile, or the contact is no longer held', () => {
    const withdrawn = fetched('juliet@capulet.lit', { nickname: 'Jules' });
    expect(avatarAnswerOnto(withdrawn, pictureOf(INFO, 'cGljdHVyZQ=='), INFO.id)).toBeUndefined();
    expect(avatarAnswerOnto(undefined, pictureOf(INFO, 'cGljdHVyZQ=='), INFO.id)).toBeUndefined();
  });

  it('as a whole fetch (main no longer knew that avatar) is the server’s word, while the avatar held is the one asked for', () => {
    const held = fetched('juliet@capulet.lit', { nickname: 'Jules', avatar: { info: OLDER, sameAsBefore: true } });
    const whole = fetched('juliet@capulet.lit', { nickname: 'Juliet', avatar: { info: INFO, dataBase64: 'bmV3ZXI=' } });
    expect(avatarAnswerOnto(held, whole, OLDER.id)).toEqual(whole);
  });
});

describe('the account’s own profile notifications (its PEP nodes notify its own connections too)', () => {
  it('are no contact’s profile: a batch keeps only the contacts’ events, whatever the address’s case', () => {
    const folded = foldProfileEvents(
      nothingHeld,
      [
        notification('romeo@montague.lit', NICK, { nickname: 'Romeo' }),
        notification('juliet@capulet.lit', NICK, { nickname: 'Jules' }),
        notification('Romeo@Montague.lit', AVATAR, { avatar: { info: INFO, dataBase64: 'cGljdHVyZQ==' } }),
      ],
      'romeo@montague.lit',
    );
    expect([...folded.keys()]).toEqual(['juliet@capulet.lit']);
  });

  it('take no place among the contacts’ profiles kept: a burst of them drops no contact', () => {
    const held = keepMostRecent({}, [fetched('juliet@capulet.lit'), fetched('nurse@capulet.lit')], 2);
    const own = [NICK, VCARD, AVATAR].map((node) => notification('romeo@montague.lit', node, {}));
    const kept = keepMostRecent(held, foldProfileEvents((jid) => held[jid], own, 'romeo@montague.lit').values(), 2);
    expect(Object.keys(kept)).toEqual(['juliet@capulet.lit', 'nurse@capulet.lit']);
  });
});

describe('the screens keep the most recently used contacts’ profiles, and no more', () => {
  const views = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => fetched(`c${from + i}@x.example`));

  it('puts the renewed last and drops the oldest beyond the bound', () => {
    const held = keepMostRecent({}, views(0, 4), 4);
    expect(Object.keys(held)).toEqual(['c0@x.example', 'c1@x.example', 'c2@x.example', 'c3@x.example']);
    const next = keepMostRecent(held, [fetched('c1@x.example', { nickname: 'again' }), ...views(4, 6)], 4);
    expect(Object.keys(next)).toEqual(['c3@x.example', 'c1@x.example', 'c4@x.example', 'c5@x.example']);
    expect(next['c1@x.example']?.nickname).toBe('again');
  });

  it('keeps only the last `bound` of a batch larger than the bound', () => {
    const kept = keepMostRecent(keepMostRecent({}, views(0, 10), 64), views(10, 3010), 64);
    expect(Object.keys(kept)).toHaveLength(64);
    expect(Object.keys(kept)[0]).toBe('c2946@x.example');
    expect(Object.keys(kept).at(-1)).toBe('c3009@x.example');
  });

  it('never drops a pinned profile (the open card), whatever comes after it', () => {
    const open = 'c0@x.example';
    const held = keepMostRecent({}, views(0, 64), 64);
    // A flood from 3000 other contacts: the open one stays, with the 63 most recent others.
    const kept = keepMostRecent(held, views(64, 3064), 64, (jid) => jid === open);
    expect(kept[open]).toBeDefined();
    expect(Object.keys(kept)).toHaveLength(64);
    expect(Object.keys(kept)[0]).toBe(open);
    expect(Object.keys(kept).at(-1)).toBe('c3063@x.example');
    expect(kept['c3000@x.example']).toBeUndefined();
    expect(kept['c3001@x.example']).toBeDefined();
    // Unpinned, it goes as the oldest.
    expect(keepMostRecent(kept, views(3064, 3065), 64)[open]).toBeUndefined();
  });

  it('is a lookup by address only: a JID named like a built-in finds nothing', () => {
    const kept = keepMostRecent({}, views(0, 1), 4);
    expect(kept['constructor']).toBeUndefined();
    expect(kept['__proto__']).toBeUndefined();
  });
});

describe('who a batch of profile events tells of an update in Activity', () => {
  it('the contacts notified, never the account itself (its own nodes notify it too) nor a fetch’s answer', () => {
    const events = [
      notification('juliet@capulet.lit', NICK, { nickname: 'Jules' }),
      notification('romeo@montague.lit', VCARD, {}),
      fetched('nurse@capulet.lit'),
      notification('Juliet@Capulet.lit', AVATAR, {}),
    ];
    expect(notifiedContacts(events, 'juliet@capulet.lit')).toEqual(['romeo@montague.lit']);
    // The account not known yet: everyone notified is told.
    expect(notifiedContacts(events, undefined)).toEqual(['juliet@capulet.lit', 'romeo@montague.lit', 'Juliet@Capulet.lit']);
  });
});

describe('what the own vCard holds beyond the editor’s fields goes with the vCard part', () => {
  it('a nickname notification keeps it; a vCard notification replaces or clears it', () => {
    const own: ContactProfileView = { jid: 'juliet@capulet.lit', origin: 'fetch', updated: [], sources: [], vcard: { emails: [], phones: [], urls: [] }, otherDetails: { kept: ['birthday'], notKept: [] } };
    expect(mergeProfileView(own, notification('juliet@capulet.lit', NICK, { nickname: 'Jules' })).otherDetails).toEqual({ kept: ['birthday'], notKept: [] });
    expect(mergeProfileView(own, notification('juliet@capulet.lit', VCARD, { vcard: { emails: [], phones: [], urls: [] } })).otherDetails).toBeUndefined();
  });
});
