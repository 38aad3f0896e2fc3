/**
 * A contact's avatar that is a progressive JPEG of thousands of scans: 188 KB (it fits a Prosody stanza)
 * held Chromium's frames for 5.7 s, each time the contact's profile was shown, and passed every check
 * (bytes, magic, declared size, SHA-1). Now a JPEG of more than MAX_CONTACT_AVATAR_JPEG_SCANS scans is
 * refused in words before any window decodes it; the ten scans of an ordinary progressive JPEG pass.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkAvatarBytes, MAX_CONTACT_AVATAR_JPEG_SCANS } from '../../../main/profile/avatar.js';
import { countJpegScans } from '../../../main/profile/image-header.js';
import { makeJpeg, progressiveJpeg } from '../../support/images.js';

const sha1 = (bytes: Buffer) => createHash('sha1').update(bytes).digest('hex');

describe('a contact’s JPEG avatar, by its scans', () => {
  it('a scan bomb (4,700 scans of 4096×4096 in 188 KB) is refused in words', () => {
    const bomb = progressiveJpeg(4096, 4096, 4700);
    expect(bomb.length).toBeLessThan(192 * 1024);
    const read = checkAvatarBytes(bomb, sha1(bomb));
    expect(read).toEqual({
      problem: `the JPEG is built of more than ${MAX_CONTACT_AVATAR_JPEG_SCANS} passes (scans), far more than any picture needs: decoding it would hold the window for seconds`,
    });
  });

  it('passes a baseline JPEG (one scan) and a progressive one of ten, and up to the limit; one more is refused', () => {
    const baseline = makeJpeg(64, 48);
    expect(countJpegScans(baseline, 1000)).toBe(1);
    expect(checkAvatarBytes(baseline, sha1(baseline))).toMatchObject({ type: 'image/jpeg', width: 64, height: 48 });
    for (const scans of [10, MAX_CONTACT_AVATAR_JPEG_SCANS]) {
      const picture = progressiveJpeg(256, 256, scans);
      expect(countJpegScans(picture, 1000)).toBe(scans);
      expect(checkAvatarBytes(picture, sha1(picture))).toMatchObject({ type: 'image/jpeg', width: 256, height: 256 });
    }
    const over = progressiveJpeg(256, 256, MAX_CONTACT_AVATAR_JPEG_SCANS + 1);
    expect('problem' in checkAvatarBytes(over, sha1(over))).toBe(true);
  });

  it('a stray byte where a marker should be hides no scans: skipped, as the decoder skips it', () => {
    const bomb = progressiveJpeg(4096, 4096, 4700);
    const sos = bomb.indexOf(Buffer.from([0xff, 0xda]));
    const evil = Buffer.concat([bomb.subarray(0, sos), Buffer.from([0x00]), bomb.subarray(sos)]);
    expect(countJpegScans(evil, 100)).toBe(101);
    expect('problem' in checkAvatarBytes(evil, sha1(evil))).toBe(true);
    // Junk between two scans too.
    const ten = progressiveJpeg(256, 256, 10);
    const second = ten.indexOf(Buffer.from([0xff, 0xda]), ten.indexOf(Buffer.from([0xff, 0xda])) + 2);
    const junk = Buffer.concat([ten.subarray(0, second), Buffer.from([0x12, 0x34]), ten.subarray(second)]);
    expect(countJpegScans(junk, 1000)).toBe(10);
  });

  it('counts no further than asked, and stops without throwing where the structure breaks', () => {
    const bomb = progressiveJpeg(512, 512, 5000);
    expect(countJpegScans(bomb, 100)).toBe(101);
    // Cut inside the tenth scan's data, and with junk where a marker should be.
    const ten = progressiveJpeg(512, 512, 10);
    expect(countJpegScans(ten.subarray(0, ten.length - 5), 1000)).toBe(10);
    const junk = Buffer.concat([ten.subarray(0, 200), Buffer.from([0x12, 0x34, 0x56])]);
    expect(() => countJpegScans(junk, 1000)).not.toThrow();
  });
});
