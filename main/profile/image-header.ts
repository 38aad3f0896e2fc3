/**
 * What an image claims to be, from its first bytes only: PNG or JPEG by their magic numbers, and the
 * pixel size from the PNG IHDR chunk or the JPEG start-of-frame segment. Nothing is decoded, so this is
 * safe on hostile bytes and cheap enough to run before deciding whether to decode at all.
 */

import { JPEG_STANDALONE_MARKERS as STANDALONE, MAX_JPEG_SEGMENTS as MAX_SEGMENTS, pictureHeaderOf, type PictureHeader, type PictureType } from '../../contract/picture.js';

export type ImageType = PictureType;

export type ImageHeader = PictureHeader;

/**
 * PNG (RFC 2083 / ISO 15948) or JPEG (ITU T.81), else a problem; never throws. The type and size are
 * read by contract/picture.ts, the rule the window applies too before it sends a picture here.
 */
export const readImageHeader: (bytes: Uint8Array) => ImageHeader = pictureHeaderOf;

/**
 * How many scans (SOS segments, T.81 B.2.3) a JPEG holds, counting no further than `max + 1`: each scan
 * of a progressive JPEG is a pass over every block of the image, so a few hundred bytes repeated
 * thousands of times make a small file that takes seconds to decode (measured in Chromium: 4,700 scans
 * in 188 KB held the page for 5.7 s). Walks every marker, skipping each scan's entropy-coded data
 * (where 0xFF is followed by 0x00, a stuffed byte, or by RSTn). Bytes where a marker should be are
 * skipped to the next 0xFF, as libjpeg does (with a warning, then it decodes on): stopping there would
 * let one stray byte hide thousands of scans after it. Never throws.
 */
export function countJpegScans(bytes: Uint8Array, max: number): number {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let scans = 0;
  let offset = 2;
  while (offset + 4 <= buf.length && scans <= max) {
    if (buf[offset] !== 0xff) {
      offset++; // garbage where a marker should be: skipped, as the decoder skips it
      continue;
    }
    const marker = buf[offset + 1] ?? 0;
    if (marker === 0xff) {
      offset += 1; // fill byte
      continue;
    }
    if (marker === 0xd9) return scans;
    if (STANDALONE.has(marker)) {
      offset += 2;
      continue;
    }
    const length = buf.readUInt16BE(offset + 2);
    if (length < 2) return scans;
    offset += 2 + length;
    if (marker !== 0xda) continue;
    scans++;
    // The scan's entropy-coded data runs to the next marker that is neither a stuffed 0xFF nor RSTn.
    while (offset + 1 < buf.length) {
      if (buf[offset] === 0xff) {
        const next = buf[offset + 1] ?? 0;
        if (next !== 0x00 && !(next >= 0xd0 && next <= 0xd7) && next !== 0xff) break;
      }
      offset++;
    }
  }
  return scans;
}

/** EXIF orientation (TIFF tag 0x0112) of a JPEG, 1–8; 1 (as stored) when absent or unreadable. */
export function jpegOrientation(bytes: Uint8Array): number {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 2;
  for (let segments = 0; segments < MAX_SEGMENTS && offset + 4 <= buf.length; segments++) {
    if (buf[offset] !== 0xff) return 1;
    const marker = buf[offset + 1] ?? 0;
    if (marker === 0xda || marker === 0xd9) return 1;
    if (STANDALONE.has(marker) || marker === 0xff) {
      offset += marker === 0xff ? 1 : 2;
      continue;
    }
    const length = buf.readUInt16BE(offset + 2);
    if (length < 2) return 1;
    if (marker === 0xe1 && offset + 10 <= buf.length && buf.toString('latin1', offset + 4, offset + 10) === 'Exif\0\0') {
      return tiffOrientation(buf.subarray(offset + 10, Math.min(buf.length, offset + 2 + length)));
    }
    offset += 2 + length;
  }
  return 1;
}

function tiffOrientation(tiff: Buffer): number {
  if (tiff.length < 8) return 1;
  const order = tiff.toString('latin1', 0, 2);
  if (order !== 'II' && order !== 'MM') return 1;
  const le = order === 'II';
  const u16 = (at: number) => (le ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at));
  const u32 = (at: number) => (le ? tiff.readUInt32LE(at) : tiff.readUInt32BE(at));
  const ifd = u32(4);
  if (ifd + 2 > tiff.length) return 1;
  const entries = Math.min(u16(ifd), 256);
  for (let i = 0; i < entries; i++) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > tiff.length) return 1;
    if (u16(entry) === 0x0112) {
      const value = u16(entry + 8);
      return value >= 1 && value <= 8 ? value : 1;
    }
  }
  return 1;
}
