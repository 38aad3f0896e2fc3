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
import { AVATAR_MAX_BYTES, AVATAR_MAX_SIDE, orient, prepareAvatar, scaleToFit } from '../../../main/profile/avatar-image.js';
import { jpegOrientation, readImageHeader } from '../../../main/profile/image-header.js';
import { KeyringError } from '../../../main/errors.js';
import { parseItems } from '../../../main/xmpp/pubsub.js';
import { PROFILE_LIMITS } from '../../../preload/channels.js';
import { makeJpeg, makePng, withExifOrientation } from '../../support/images.js';

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

  it('scales a large PNG down to fit 256 px, keeping the aspect ratio, and publishes PNG', () => {
    const avatar = prepareAvatar(makePng(1024, 512, true), 'image/png');
    expect([avatar.width, avatar.height]).toEqual([AVATAR_MAX_SIDE, 128]);
    expect(readImageHeader(avatar.png)).toEqual({ type: 'image/png', width: 256, height: 128 });
    expect(avatar.png.length).toBeLessThanOrEqual(AVATAR_MAX_BYTES);
    // The transparent corner stays transparent.
    expect(decoded(avatar.png).data[3]).toBe(0);
  });

  it('turns a JPEG (EXIF orientation 6) into an upright PNG and never scales a small picture up', () => {
    const avatar = prepareAvatar(withExifOrientation(makeJpeg(400, 100), 6), 'image/jpeg');
    expect([avatar.width, avatar.height]).toEqual([64, 256]);
    const small = prepareAvatar(makePng(40, 30), 'image/png');
    expect([small.width, small.height]).toEqual([40, 30]);
  });

  it('refuses what is not a picture it can read, before decoding when the header already says so', () => {
    const refuse = (bytes: Buffer, type: 'image/png' | 'image/jpeg', message: RegExp) => {
      try {
        prepareAvatar(bytes, type);
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(KeyringError);
        expect((error as KeyringError).code).toBe('invalid-argument');
        expect((error as KeyringError).message).toMatch(message);
      }
    };
    refuse(Buffer.from('GIF89a'), 'image/png', /not a PNG or JPEG/);
    refuse(makeJpeg(10, 10), 'image/png', /is image\/jpeg, not image\/png/);
    // A forged header claiming 20000×20000: refused from the header, nothing decoded.
    const forged = makePng(1, 1);
    forged.writeUInt32BE(20000, 16);
    forged.writeUInt32BE(20000, 20);
    refuse(forged, 'image/png', /20000×20000/);
    refuse(makePng(64, 64).subarray(0, 60), 'image/png', /cannot be read/);
    refuse(makeJpeg(64, 64).subarray(0, 200), 'image/jpeg', /cannot be read/);
    refuse(Buffer.alloc(PROFILE_LIMITS.avatarUploadBytes + 1), 'image/png', /over 8 MiB/);
  });

  it('averages areas when scaling down and rotates by EXIF orientation', () => {
    const checker = { width: 2, height: 2, data: new Uint8Array([0, 0, 0, 255, 255, 255, 255, 255, 255, 255, 255, 255, 0, 0, 0, 255]) };
    expect([...scaleToFit(checker, 1).data]).toEqual([128, 128, 128, 255]);
    const row = { width: 2, height: 1, data: new Uint8Array([1, 1, 1, 255, 2, 2, 2, 255]) };
    const rotated = orient(row, 6);
    expect([rotated.width, rotated.height]).toEqual([1, 2]);
    expect([...rotated.data]).toEqual([1, 1, 1, 255, 2, 2, 2, 255]);
    expect([...orient(row, 3).data]).toEqual([2, 2, 2, 255, 1, 1, 1, 255]);
  });

  it('handles a 12-megapixel photo in bounded time (measured, printed)', () => {
    const photo = makeJpeg(4000, 3000, 90);
    const started = performance.now();
    const avatar = prepareAvatar(photo, 'image/jpeg');
    const ms = performance.now() - started;
    console.log(`12 MP JPEG (${(photo.length / 1024).toFixed(0)} KiB) → ${avatar.width}×${avatar.height} PNG of ${avatar.png.length} bytes in ${ms.toFixed(0)} ms`);
    expect(avatar.width).toBe(256);
    expect(ms).toBeLessThan(15_000);
  }, 30_000);
});
