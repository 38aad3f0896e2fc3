/** The profile channels' argument schemas: caps and strictness hold before any handler runs. */
import { describe, expect, it } from 'vitest';
import { CONTRACT } from '../../../contract/index.js';
import { PROFILE_LIMITS } from '../../../contract/limits.js';

const access = { model: 'presence' as const };

describe('profile request schemas', () => {
  it('accepts a profile and fills the lists in', () => {
    const parsed = CONTRACT.profile.requests.publish.params.safeParse({ profile: { fullName: ' Juliet ', emails: ['j@c.lit'] }, access });
    expect(parsed.success && parsed.data).toEqual({
      profile: { fullName: 'Juliet', emails: ['j@c.lit'], phones: [], urls: [] },
      access,
    });
  });

  it.each([
    ['an over-long field', { profile: { fullName: 'x'.repeat(PROFILE_LIMITS.fieldChars + 1) }, access }],
    ['an over-long note', { profile: { note: 'x'.repeat(PROFILE_LIMITS.noteChars + 1) }, access }],
    ['too many e-mails', { profile: { emails: Array.from({ length: PROFILE_LIMITS.entries + 1 }, (_, i) => `${i}@x.lit`) }, access }],
    ['an unknown profile key', { profile: { photo: 'x' }, access }],
    ['an unknown address key', { profile: { address: { planet: 'Earth' } }, access }],
    ['no access', { profile: {} }],
  ])('refuses %s', (_what, params) => {
    expect(CONTRACT.profile.requests.publish.params.safeParse(params).success).toBe(false);
  });

  it('leaves whether a phone line is a number to main’s profile service (it knows the vCard held)', () => {
    const publish = CONTRACT.profile.requests.publish.params;
    expect(publish.safeParse({ profile: { phones: ['+39 045 123 4567', 'call me maybe'] }, access }).success).toBe(true);
    expect(publish.safeParse({ profile: { phones: ['x'.repeat(PROFILE_LIMITS.fieldChars + 1)] }, access }).success).toBe(false);
  });

  it('caps the avatar upload and wants base64, with no type beside it (main reads it from the bytes)', () => {
    const ok = { dataBase64: Buffer.from('x').toString('base64'), access };
    expect(CONTRACT.profile.requests.setAvatar.params.safeParse(ok).success).toBe(true);
    // A type said beside the picture (a browser's File.type, made from the file's name) is not taken.
    expect(CONTRACT.profile.requests.setAvatar.params.safeParse({ ...ok, mime: 'image/png' }).success).toBe(false);
    expect(CONTRACT.profile.requests.previewAvatar.params.safeParse({ dataBase64: ok.dataBase64, mime: 'image/png' }).success).toBe(false);
    expect(CONTRACT.contacts.requests.verifyQrImage.params.safeParse({ jid: 'juliet@capulet.lit', dataBase64: ok.dataBase64, mime: 'image/png' }).success).toBe(false);
    expect(CONTRACT.profile.requests.setAvatar.params.safeParse({ ...ok, dataBase64: 'not base64!' }).success).toBe(false);
    const tooBig = 'A'.repeat(Math.ceil(PROFILE_LIMITS.avatarUploadBytes / 3) * 4 + 4);
    expect(CONTRACT.profile.requests.setAvatar.params.safeParse({ ...ok, dataBase64: tooBig }).success).toBe(false);
  });

  it('takes a crop of whole pixels for the preview and the publish, and nothing else beside the picture', () => {
    const picture = { dataBase64: Buffer.from('x').toString('base64') };
    const preview = CONTRACT.profile.requests.previewAvatar.params;
    expect(preview.safeParse({ ...picture, crop: { x: 10, y: 0, size: 300 } }).success).toBe(true);
    expect(preview.safeParse(picture).success).toBe(true);
    expect(preview.safeParse({ ...picture, crop: { x: -1, y: 0, size: 300 } }).success).toBe(false);
    expect(preview.safeParse({ ...picture, crop: { x: 0.5, y: 0, size: 300 } }).success).toBe(false);
    expect(preview.safeParse({ ...picture, crop: { x: 0, y: 0, size: 300, rotate: 90 } }).success).toBe(false);
    expect(preview.safeParse({ ...picture, access }).success).toBe(false);
    expect(CONTRACT.profile.requests.setAvatar.params.safeParse({ ...picture, access, crop: { x: 0, y: 0, size: 64 } }).success).toBe(true);
  });

  it('fetches a contact by bare JID only', () => {
    expect(CONTRACT.contacts.requests.fetchProfile.params.safeParse({ jid: 'juliet@capulet.lit' }).success).toBe(true);
    expect(CONTRACT.contacts.requests.fetchProfile.params.safeParse({ jid: 'juliet@capulet.lit/balcony' }).success).toBe(false);
    expect(CONTRACT.profile.requests.get.params.safeParse({}).success).toBe(false);
  });

  it('asks for a contact’s picture by bare JID and the avatar’s SHA-1 id only', () => {
    const fetchAvatar = CONTRACT.contacts.requests.fetchAvatar.params;
    const id = 'a1'.repeat(20);
    expect(fetchAvatar.safeParse({ jid: 'juliet@capulet.lit', id }).success).toBe(true);
    expect(fetchAvatar.safeParse({ jid: 'juliet@capulet.lit/balcony', id }).success).toBe(false);
    expect(fetchAvatar.safeParse({ jid: 'juliet@capulet.lit', id: id.toUpperCase() }).success).toBe(false);
    expect(fetchAvatar.safeParse({ jid: 'juliet@capulet.lit', id: id.slice(2) }).success).toBe(false);
    expect(fetchAvatar.safeParse({ jid: 'juliet@capulet.lit', id, avatarData: true }).success).toBe(false);
  });
});
