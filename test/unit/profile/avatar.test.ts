/**
 * XEP-0084 avatars: our payloads, a contact's metadata and data read defensively (size cap before
 * decoding, PNG/JPEG magic, SHA-1 equal to the id), and the user's picture made into a small PNG.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import parseXml from '@xmpp/xml/lib/parse.js';
import type { Element } from '@xmpp/xml';
import { PNG } from 'pngjs';
import {
  avatarDataPayload,
  avatarId,
  avatarMetadataPayload,
  readAvatarDataItem,
  readAvatarMetadataItem,
} from '../../../main/profile/avatar.js';
import { AVATAR_MAX_BYTES, AVATAR_MAX_SIDE, orient, prepareAvatar, scaleRegion, type AvatarCrop } from '../../../main/profile/avatar-image.js';
import { jpegOrientation, readImageHeader } from '../../../main/profile/image-header.js';
import { KeyringError } from '../../../main/errors.js';
import { parseItems } from '../../../main/xmpp/pubsub.js';
import { PROFILE_LIMITS } from '../../../contract/limits.js';
import { BLUE, GREEN, jpegOf, makeJpeg, makePng, paint, pngOf, quadrants, RED, WHITE, withExifOrientation, type Rgb } from '../../support/images.js';

const parse = (text: string): Element => parseXml(text.trim());
const itemOf = (id: string, inner: string) => {
  const item = parseItems(parse(`<items node='n'><item id='${id}'>${inner}</item></items>`))[0];
  if (!item) throw new Error('no item');
  return item;
};
const META = 'urn:xmpp:avatar:metadata';
const DATA = 'urn:xmpp:avatar:data';
const sha1 = (b: Buffer) => createHash('sha1').update(b).digest('hex');

describe('XEP-0084 metadata', () => {
  it('reads what we publish, and the §3.2 example', () => {
    const info = { id: 'a'.repeat(40), bytes: 1234, type: 'image/png' as const, width: 64, height: 48 };
    expect(readAvatarMetadataItem(itemOf(info.id, avatarMetadataPayload(info).toString()))).toEqual({ info, all: [info] });
    const example = itemOf(
      '111f4b3c50d7b0df729d299bc6f8e9ef9066971f',
      `<metadata xmlns='${META}'><info bytes='12345' id='111f4b3c50d7b0df729d299bc6f8e9ef9066971f' height='64' type='image/png' width='64'/></metadata>`,
    );
    expect(readAvatarMetadataItem(example)).toMatchObject({ info: { bytes: 12345, width: 64, height: 64, type: 'image/png' } });
  });

  it('prefers the PNG on the data node over other formats and URLs (§5.1), and keeps a URL only if http(s)', () => {
    const read = readAvatarMetadataItem(
      itemOf(
        'x',
        `<metadata xmlns='${META}'>
          <info bytes='1' id='${'b'.repeat(40)}' type='image/png' url='https://avatars.example.org/happy.png'/>
          <info bytes='2' id='${'c'.repeat(40)}' type='image/gif' url='javascript:alert(1)'/>
          <info bytes='3' id='${'d'.repeat(40)}' type='image/jpeg'/>
          <info bytes='4' id='${'e'.repeat(40)}' type='image/png'/>
          <pointer><x xmlns='http://example.com/virtualworlds'/></pointer></metadata>`,
      ),
    );
    expect(read).toMatchObject({ info: { id: 'e'.repeat(40), bytes: 4 } });
    const all = 'all' in read ? read.all : [];
    expect(all.find((i) => i.bytes === 1)?.url).toBe('https://avatars.example.org/happy.png');
    // A javascript: "URL" is dropped, so that info counts as one on the data node.
    expect(all.find((i) => i.bytes === 2)?.url).toBeUndefined();
  });

  it('reads an empty <metadata/> as "avatar disabled" (§3.5)', () => {
    expect(readAvatarMetadataItem(itemOf('x', `<metadata xmlns='${META}'/>`))).toEqual({ disabled: true });
  });

  it.each([
    ['a foreign payload', `<metadata xmlns='urn:example'/>`],
    ['an id that is no SHA-1', `<metadata xmlns='${META}'><info bytes='1' id='../../etc/passwd' type='image/png'/></metadata>`],
    ['negative bytes', `<metadata xmlns='${META}'><info bytes='-1' id='${'a'.repeat(40)}' type='image/png'/></metadata>`],
    ['a non-image type', `<metadata xmlns='${META}'><info bytes='1' id='${'a'.repeat(40)}' type='text/html'/></metadata>`],
    ['no bytes', `<metadata xmlns='${META}'><info id='${'a'.repeat(40)}' type='image/png'/></metadata>`],
  ])('reports %s as a problem', (_what, xmlText) => {
    expect(readAvatarMetadataItem(itemOf('x', xmlText))).toHaveProperty('problem');
  });

  it('ignores absurd dimensions rather than trusting them', () => {
    const read = readAvatarMetadataItem(
      itemOf('x', `<metadata xmlns='${META}'><info bytes='1' id='${'a'.repeat(40)}' type='image/png' width='99999999' height='x'/></metadata>`),
    );
    expect(read).toEqual({ info: { id: 'a'.repeat(40), bytes: 1, type: 'image/png' }, all: [{ id: 'a'.repeat(40), bytes: 1, type: 'image/png' }] });
  });
});

describe('XEP-0084 data from a contact', () => {
  const png = makePng(32, 32);
  const id = sha1(png);

  it('accepts a PNG or JPEG whose SHA-1 is its id, base64 with line feeds included (§4.1)', () => {
    expect(avatarId(png)).toBe(id);
    expect(readAvatarDataItem(itemOf(id, avatarDataPayload(png).toString()), id)).toEqual({ bytes: png, type: 'image/png', width: 32, height: 32 });
    const wrapped = png.toString('base64').replace(/(.{76})/g, '$1\n');
    expect(readAvatarDataItem(itemOf(id, `<data xmlns='${DATA}'>\n${wrapped}\n</data>`), id)).toMatchObject({ type: 'image/png' });
    const jpeg = makeJpeg(20, 10);
    expect(readAvatarDataItem(itemOf(sha1(jpeg), avatarDataPayload(jpeg).toString()), sha1(jpeg))).toMatchObject({
      type: 'image/jpeg',
      width: 20,
      height: 10,
    });
  });

  it.each([
    ['a wrong SHA-1 id', () => [id.replace(/^./, id.startsWith('0') ? '1' : '0'), avatarDataPayload(png).toString()], /SHA-1/],
    ['a non-image', () => [sha1(Buffer.from('<svg onload=alert(1)>')), `<data xmlns='${DATA}'>${Buffer.from('<svg onload=alert(1)>').toString('base64')}</data>`], /not a PNG or JPEG/],
    ['a GIF', () => [sha1(Buffer.from('GIF89a....')), `<data xmlns='${DATA}'>${Buffer.from('GIF89a....').toString('base64')}</data>`], /not a PNG or JPEG/],
    ['a truncated PNG', () => [sha1(png.subarray(0, 12)), `<data xmlns='${DATA}'>${png.subarray(0, 12).toString('base64')}</data>`], /IHDR/],
    ['broken base64', () => [id, `<data xmlns='${DATA}'>!!notbase64!!</data>`], /not base64/],
    ['empty data', () => [id, `<data xmlns='${DATA}'/>`], /empty/],
    ['a foreign payload', () => [id, `<data xmlns='urn:example'>AAAA</data>`], /no <data/],
  ])('refuses %s', (_what, make, problem) => {
    const [itemId, inner] = make() as [string, string];
    expect(readAvatarDataItem(itemOf(itemId, inner), itemId)).toMatchObject({ problem: expect.stringMatching(problem) as string });
  });

  it('refuses an oversized image before decoding it', () => {
    const big = Buffer.alloc(PROFILE_LIMITS.contactAvatarBytes + 3, 0x41);
    const read = readAvatarDataItem(itemOf(sha1(big), `<data xmlns='${DATA}'>${big.toString('base64')}</data>`), sha1(big));
    expect(read).toMatchObject({ problem: /over the 1048576-byte limit/ });
  });
});

describe('image headers', () => {
  it('reads PNG and JPEG sizes without decoding, and the EXIF orientation', () => {
    expect(readImageHeader(makePng(300, 200))).toEqual({ type: 'image/png', width: 300, height: 200 });
    const jpeg = makeJpeg(33, 17);
    expect(readImageHeader(jpeg)).toEqual({ type: 'image/jpeg', width: 33, height: 17 });
    expect(jpegOrientation(jpeg)).toBe(1);
    expect(readImageHeader(withExifOrientation(jpeg, 6))).toEqual({ type: 'image/jpeg', width: 33, height: 17 });
    expect(jpegOrientation(withExifOrientation(jpeg, 6))).toBe(6);
  });

  it('never throws on garbage', () => {
    for (const bytes of [Buffer.alloc(0), Buffer.from([0xff, 0xd8, 0xff]), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0]), Buffer.from('\x89PNG\r\n\x1a\n', 'latin1')]) {
      expect(readImageHeader(bytes)).toHaveProperty('problem');
      expect(jpegOrientation(bytes)).toBe(1);
    }
    for (let i = 0; i < 200; i++) {
      const noise = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.from(Array.from({ length: 64 }, () => Math.floor(Math.random() * 256)))]);
      expect(() => readImageHeader(noise)).not.toThrow();
      expect(() => jpegOrientation(noise)).not.toThrow();
    }
  });
});

describe('making the user’s picture into an avatar', () => {
  const decoded = (png: Buffer) => PNG.sync.read(png);
  /** The colour at (x, y) of a decoded PNG. */
  const at = (png: PNG, x: number, y: number): number[] => [...png.data.subarray((y * png.width + x) * 4, (y * png.width + x) * 4 + 3)];
  /** Every pixel of the decoded PNG within `tolerance` of `colour` (JPEG input blurs a little). */
  const allNear = (png: PNG, colour: Rgb, tolerance = 0): boolean => {
    for (let i = 0; i < png.data.length; i += 4) {
      if ([0, 1, 2].some((c) => Math.abs((png.data[i + c] ?? 0) - (colour[c] ?? 0)) > tolerance)) return false;
    }
    return true;
  };
  const near = (actual: number[], colour: Rgb, tolerance: number) => actual.every((v, c) => Math.abs(v - (colour[c] ?? 0)) <= tolerance);

  it('makes a landscape PNG into a 256×256 square from its centre, and publishes PNG', () => {
    const avatar = prepareAvatar(makePng(1024, 512, true));
    expect([avatar.width, avatar.height]).toEqual([AVATAR_MAX_SIDE, AVATAR_MAX_SIDE]);
    expect(readImageHeader(avatar.png)).toEqual({ type: 'image/png', width: 256, height: 256 });
    expect(avatar.png.length).toBeLessThanOrEqual(AVATAR_MAX_BYTES);
    // The centre square starts at x = 256 of 1024, past the transparent quarter (x < 256, y < 128): opaque.
    expect(decoded(avatar.png).data[3]).toBe(255);
    // A crop that takes in the transparent corner keeps it transparent.
    expect(decoded(prepareAvatar(makePng(1024, 512, true), { x: 0, y: 0, size: 512 }).png).data[3]).toBe(0);
  });

  it('makes a portrait JPEG into a 256×256 square, and never scales a small picture up but still squares it', () => {
    const portrait = prepareAvatar(makeJpeg(400, 1000));
    expect([portrait.width, portrait.height]).toEqual([256, 256]);
    expect(readImageHeader(portrait.png)).toEqual({ type: 'image/png', width: 256, height: 256 });
    const small = prepareAvatar(makePng(40, 30));
    expect([small.width, small.height]).toEqual([30, 30]);
    expect(readImageHeader(small.png)).toEqual({ type: 'image/png', width: 30, height: 30 });
    const tiny = prepareAvatar(makeJpeg(12, 20));
    expect([tiny.width, tiny.height]).toEqual([12, 12]);
  });

  it('takes the centre square by default: the middle band of three', () => {
    const bands = (x: number): Rgb => (x < 100 ? RED : x < 200 ? GREEN : BLUE);
    const avatar = decoded(prepareAvatar(pngOf(300, 100, paint(300, 100, bands))).png);
    expect([avatar.width, avatar.height]).toEqual([100, 100]);
    expect(allNear(avatar, GREEN)).toBe(true);
    const tall = decoded(prepareAvatar(pngOf(100, 300, paint(100, 300, (_x, y) => bands(y)))).png);
    expect(allNear(tall, GREEN)).toBe(true);
  });

  it('publishes exactly the square the user chose (pixels checked quadrant by quadrant)', () => {
    const picture = pngOf(200, 200, paint(200, 200, quadrants(100, 100)));
    const crop = (x: number, y: number, size: number) => decoded(prepareAvatar(picture, { x, y, size }).png);
    expect(allNear(crop(0, 0, 100), RED)).toBe(true);
    expect(allNear(crop(100, 0, 100), GREEN)).toBe(true);
    expect(allNear(crop(0, 100, 100), BLUE)).toBe(true);
    expect(allNear(crop(100, 100, 100), WHITE)).toBe(true);
    expect(allNear(crop(110, 120, 80), WHITE)).toBe(true);
    // Straddling the centre: a quarter of each, in place.
    const middle = crop(50, 50, 100);
    expect([middle.width, middle.height]).toEqual([100, 100]);
    expect([at(middle, 0, 0), at(middle, 49, 49), at(middle, 50, 0), at(middle, 0, 50), at(middle, 99, 99)]).toEqual([[...RED], [...RED], [...GREEN], [...BLUE], [...WHITE]]);
  });

  it('scales the chosen square of a large picture down to 256×256, the split where it falls', () => {
    // Split at (500, 400); the square of 800 at (100, 0) has the split at 400 of 800 both ways.
    const picture = pngOf(1000, 800, paint(1000, 800, quadrants(500, 400)));
    const avatar = decoded(prepareAvatar(picture, { x: 100, y: 0, size: 800 }).png);
    expect([avatar.width, avatar.height]).toEqual([256, 256]);
    expect([at(avatar, 0, 0), at(avatar, 127, 127), at(avatar, 128, 0), at(avatar, 255, 127), at(avatar, 0, 128), at(avatar, 255, 255)]).toEqual([
      [...RED], [...RED], [...GREEN], [...GREEN], [...BLUE], [...WHITE],
    ]);
  });

  it('reads the crop in the upright picture of a JPEG with EXIF orientation 6, and publishes it upright', () => {
    // Upright: 200×300, quadrants split at (100, 150). Stored: 300×200, turned a quarter to the left.
    // EXIF 6 (TIFF 6.0 tag 274): stored row 0 is the upright right-hand column, stored column 0 the top row,
    // so the stored pixel (x, y) is shown at (199 - y, x).
    const upright = quadrants(100, 150);
    const stored = withExifOrientation(jpegOf(300, 200, paint(300, 200, (x, y) => upright(199 - y, x))), 6);
    expect(readImageHeader(stored)).toMatchObject({ width: 300, height: 200 });
    const crop = (x: number, y: number, size: number) => decoded(prepareAvatar(stored, { x, y, size }).png);
    // JPEG blurs colour edges; the tolerance still tells the four colours apart.
    expect(allNear(crop(0, 0, 100), RED, 40)).toBe(true);
    expect(allNear(crop(100, 0, 100), GREEN, 40)).toBe(true);
    expect(allNear(crop(0, 200, 100), BLUE, 40)).toBe(true);
    expect(allNear(crop(100, 200, 100), WHITE, 40)).toBe(true);
    // Default: the centre square of the upright 200×300 is (0, 50) to (200, 250): the four quadrants, upright.
    const centre = decoded(prepareAvatar(stored).png);
    expect([centre.width, centre.height]).toEqual([200, 200]);
    expect(near(at(centre, 20, 20), RED, 40) && near(at(centre, 180, 20), GREEN, 40) && near(at(centre, 20, 180), BLUE, 40) && near(at(centre, 180, 180), WHITE, 40)).toBe(true);
  });

  it.each([
    ['smaller than 32 pixels', { x: 0, y: 0, size: 31 }, 'The square to publish must be at least 32 pixels wide; it is 31.'],
    ['past the right edge', { x: 250, y: 0, size: 100 }, 'The square of 100 pixels at (250, 0) goes past the edge of the 300×200 picture.'],
    ['past the bottom edge', { x: 0, y: 101, size: 100 }, 'The square of 100 pixels at (0, 101) goes past the edge of the 300×200 picture.'],
    ['larger than the picture', { x: 0, y: 0, size: 201 }, 'The square of 201 pixels at (0, 0) goes past the edge of the 300×200 picture.'],
    ['negative', { x: -1, y: 0, size: 100 }, 'The crop’s x must be a whole number of pixels, 0 or more.'],
    ['fractional', { x: 0, y: 0.5, size: 100 }, 'The crop’s y must be a whole number of pixels, 0 or more.'],
    ['not a number', { x: 0, y: 0, size: Number.NaN }, 'The crop’s size must be a whole number of pixels, 0 or more.'],
    ['a string', { x: '0', y: 0, size: 100 } as unknown as AvatarCrop, 'The crop’s x must be a whole number of pixels, 0 or more.'],
    ['that is no object', null as unknown as AvatarCrop, 'The crop must give x, y and size in pixels.'],
  ])('refuses a crop %s, naming the crop', (_what, crop, message) => {
    try {
      prepareAvatar(makePng(300, 200), crop);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(KeyringError);
      expect((error as KeyringError).toIpcError()).toEqual({ code: 'invalid-argument', message, field: 'crop' });
    }
  });

  it('measures the crop in upright pixels: 300×200 stored with EXIF 6 takes a 200-wide square at y 100, not x 100', () => {
    const stored = withExifOrientation(makeJpeg(300, 200), 6);
    expect(prepareAvatar(stored, { x: 0, y: 100, size: 200 })).toMatchObject({ width: 200, height: 200 });
    expect(() => prepareAvatar(stored, { x: 100, y: 0, size: 200 })).toThrow('goes past the edge of the 200×300 picture');
  });

  it('lets a picture smaller than 32 pixels be cropped whole', () => {
    expect(prepareAvatar(makePng(20, 24), { x: 0, y: 4, size: 20 })).toMatchObject({ width: 20, height: 20 });
    expect(() => prepareAvatar(makePng(20, 24), { x: 0, y: 0, size: 19 })).toThrow('at least 20 pixels');
  });

  it('refuses what is not a picture it can read, before decoding when the header already says so', () => {
    const refuse = (bytes: Buffer, message: RegExp) => {
      try {
        prepareAvatar(bytes);
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(KeyringError);
        expect((error as KeyringError).code).toBe('invalid-argument');
        expect((error as KeyringError).message).toMatch(message);
      }
    };
    refuse(Buffer.from('GIF89a'), /not a PNG or JPEG/);
    // A forged header claiming 20000×20000: refused from the header, nothing decoded.
    const forged = makePng(1, 1);
    forged.writeUInt32BE(20000, 16);
    forged.writeUInt32BE(20000, 20);
    refuse(forged, /20000×20000/);
    refuse(makePng(64, 64).subarray(0, 60), /^The picture cannot be read: the file is damaged or cut short\.$/);
    refuse(makeJpeg(64, 64).subarray(0, 200), /^The picture cannot be read: the file is damaged or cut short\.$/);
    refuse(Buffer.alloc(PROFILE_LIMITS.avatarUploadBytes + 1), /over 8 MiB/);
  });

  it('averages areas when scaling down and rotates by EXIF orientation', () => {
    const checker = { width: 2, height: 2, channels: 4 as const, data: new Uint8Array([0, 0, 0, 255, 255, 255, 255, 255, 255, 255, 255, 255, 0, 0, 0, 255]) };
    expect([...scaleRegion(checker, { left: 0, top: 0, width: 2, height: 2 }, 1, 1).data]).toEqual([128, 128, 128, 255]);
    // RGB input (a JPEG) comes out RGBA, opaque; a 3×3 region to 2×2 takes boxes of 2 and 1.
    const rgb = { width: 3, height: 3, channels: 3 as const, data: new Uint8Array([10, 0, 0, 30, 0, 0, 200, 0, 0, 50, 0, 0, 70, 0, 0, 200, 0, 0, 9, 9, 9, 9, 9, 9, 0, 0, 0]) };
    expect([...scaleRegion(rgb, { left: 0, top: 0, width: 3, height: 3 }, 2, 2).data]).toEqual([40, 0, 0, 255, 200, 0, 0, 255, 9, 9, 9, 255, 0, 0, 0, 255]);
    expect([...scaleRegion(rgb, { left: 1, top: 1, width: 2, height: 2 }, 1, 1).data]).toEqual([70, 2, 2, 255]);
    const row = { width: 2, height: 1, channels: 4 as const, data: new Uint8Array([1, 1, 1, 255, 2, 2, 2, 255]) };
    const rotated = orient(row, 6);
    expect([rotated.width, rotated.height]).toEqual([1, 2]);
    expect([...rotated.data]).toEqual([1, 1, 1, 255, 2, 2, 2, 255]);
    expect([...orient(row, 3).data]).toEqual([2, 2, 2, 255, 1, 1, 1, 255]);
  });
});
