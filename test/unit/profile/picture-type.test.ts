/**
 * A picture's type is its bytes' (contract/picture.ts), the rule the window and main share: never the
 * file's name, nor the type a browser makes from that name.
 */
import { describe, expect, it } from 'vitest';
import { pictureTypeOf } from '../../../contract/picture.js';
import { readImageHeader } from '../../../main/profile/image-header.js';
import { checkAvatarInput } from '../../../main/profile/avatar-image.js';
import { makeJpeg, makePng, withExifOrientation } from '../../support/images.js';

describe('what a picture is, by its first bytes', () => {
  it('knows a PNG and a JPEG (with or without EXIF) by their signatures', () => {
    expect(pictureTypeOf(makePng(4, 4))).toBe('image/png');
    expect(pictureTypeOf(makeJpeg(4, 4))).toBe('image/jpeg');
    expect(pictureTypeOf(withExifOrientation(makeJpeg(4, 4), 6))).toBe('image/jpeg');
    // Only the first bytes are needed: the window reads no more than these.
    expect(pictureTypeOf(makeJpeg(4, 4).subarray(0, 3))).toBe('image/jpeg');
    expect(pictureTypeOf(makePng(4, 4).subarray(0, 8))).toBe('image/png');
  });

  it.each([
    ['a GIF', Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1')],
    ['a WebP', Buffer.from('RIFF\x1a\x00\x00\x00WEBPVP8 ', 'latin1')],
    ['text', Buffer.from('not a picture')],
    ['an empty file', Buffer.alloc(0)],
    ['a PNG signature cut short', makePng(4, 4).subarray(0, 7)],
    ['SOI without a marker after it', Buffer.from([0xff, 0xd8, 0x00])],
  ])('is nothing for %s', (_what, bytes) => {
    expect(pictureTypeOf(bytes)).toBeUndefined();
  });

  it('is the type main reads: a JPEG is taken as a JPEG with nothing said about it', () => {
    expect(readImageHeader(makeJpeg(320, 240))).toEqual({ type: 'image/jpeg', width: 320, height: 240 });
    expect(checkAvatarInput(makeJpeg(320, 240))).toMatchObject({ type: 'image/jpeg', crop: { x: 40, y: 0, size: 240 } });
  });
});
