/**
 * A picture's type is its bytes' (contract/picture.ts), the rule the window and main share: never the
 * file's name, nor the type a browser makes from that name.
 */
import { describe, expect, it } from 'vitest';
import { avatarSizeProblem, pictureHeaderOf, pictureTypeOf } from '../../../contract/picture.js';
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

describe('a picture too large to be an avatar, refused when picked (walk 6: 4200×4200 opened the crop dialog, then was refused beside a disabled Publish)', () => {
  /** A PNG that declares width×height in its header (the window reads no more to refuse it). */
  const declaring = (width: number, height: number) => {
    const png = makePng(1, 1);
    png.writeUInt32BE(width, 16);
    png.writeUInt32BE(height, 20);
    return png;
  };

  it('the window reads the size main reads, from the header alone', () => {
    expect(pictureHeaderOf(declaring(4200, 4200))).toEqual({ type: 'image/png', width: 4200, height: 4200 });
    expect(pictureHeaderOf(withExifOrientation(makeJpeg(320, 240), 6))).toEqual(readImageHeader(withExifOrientation(makeJpeg(320, 240), 6)));
    expect(pictureHeaderOf(makePng(4, 4).subarray(0, 20))).toEqual({ problem: 'a PNG without its IHDR header' });
  });

  it('says how large it is and what to choose instead, a size of the same shape within the limits', () => {
    expect(avatarSizeProblem(4200, 4200)).toBe('is 4200×4200 pixels (17.6 megapixels); choose one of at most 16 megapixels (for example 4000×4000).');
    expect(avatarSizeProblem(6000, 4000)).toBe('is 6000×4000 pixels (24.0 megapixels); choose one of at most 16 megapixels (for example 4898×3265).');
    // Just over: never "16.0 megapixels; at most 16".
    expect(avatarSizeProblem(4001, 4000)).toBe('is 4001×4000 pixels (16.004 megapixels); choose one of at most 16 megapixels (for example 4000×3999).');
    expect(avatarSizeProblem(9000, 1000)).toBe('is 9000×1000 pixels; choose one of at most 8192 pixels on each side (for example 8192×910).');
  });

  it('a picture within the limits is no problem, and main refuses the others in the same words', () => {
    expect(avatarSizeProblem(4000, 4000)).toBeUndefined();
    expect(avatarSizeProblem(8192, 1953)).toBeUndefined();
    expect(() => checkAvatarInput(declaring(4200, 4200))).toThrow(`The picture ${avatarSizeProblem(4200, 4200) ?? ''}`);
  });
});
