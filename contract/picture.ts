/**
 * What a picture is, decided by its first bytes (magic numbers), never by its file name or the type a
 * browser derives from that name: a JPEG named .png is a JPEG, and a text file named .png no picture.
 * Dependency-free (but for the limits), so that the window refuses a file before opening anything with
 * the same rules main applies, in the same words: the type, and the pixel size the header declares
 * (main/profile/image-header.ts reads the rest, the JPEG's scans and orientation).
 */

import { PROFILE_LIMITS } from './limits.js';

export type PictureType = 'image/png' | 'image/jpeg';

/** How many leading bytes pictureTypeOf looks at. */
export const PICTURE_SIGNATURE_BYTES = 8;

/** PNG signature (ISO/IEC 15948 §5.2, RFC 2083 §3.1): \x89 P N G \r \n \x1a \n. */
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] as const;

/** PNG or JPEG by the leading bytes, else undefined (GIF, WebP, text, an empty file…). */
export function pictureTypeOf(bytes: Uint8Array): PictureType | undefined {
  if (bytes.length >= PNG_SIGNATURE.length && PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return 'image/png';
  // JPEG (ITU-T T.81 B.1.1.2, B.2.1): the SOI marker FF D8, then the next marker's FF.
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  return undefined;
}

/** What a picture's header says it is, or why it says nothing usable. */
export type PictureHeader = { type: PictureType; width: number; height: number } | { problem: string };

/**
 * PNG (RFC 2083 / ISO 15948) or JPEG (ITU T.81) and the pixel size the header declares, from the PNG
 * IHDR chunk or the JPEG start-of-frame segment, else a problem; never throws. Nothing is decoded, so
 * it is safe on hostile bytes and cheap enough to run before deciding whether to decode at all (a few
 * bytes can declare 100000×100000). The type is the bytes' (pictureTypeOf), whatever a file's name says.
 */
export function pictureHeaderOf(bytes: Uint8Array): PictureHeader {
  const type = pictureTypeOf(bytes);
  if (type === 'image/png') return pngHeader(bytes);
  if (type === 'image/jpeg') return jpegHeader(bytes);
  return { problem: 'not a PNG or JPEG image' };
}

const uint16 = (bytes: Uint8Array, at: number) => ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);
const uint32 = (bytes: Uint8Array, at: number) => uint16(bytes, at) * 0x10000 + uint16(bytes, at + 2);

/** PNG: the signature, then the IHDR chunk first (length 13, width and height as big-endian uint32). */
function pngHeader(bytes: Uint8Array): PictureHeader {
  if (bytes.length < 24 || String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') return { problem: 'a PNG without its IHDR header' };
  const width = uint32(bytes, 16);
  const height = uint32(bytes, 20);
  if (width === 0 || height === 0) return { problem: 'a PNG of zero size' };
  return { type: 'image/png', width, height };
}

/** JPEG markers without a length field (T.81 B.1.1.3): TEM, RSTn, SOI, EOI. */
export const JPEG_STANDALONE_MARKERS: ReadonlySet<number> = new Set([0x01, 0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9]);
/** SOFn markers (T.81 B.1.1.3), i.e. 0xC0–0xCF except DHT (C4), JPG (C8) and DAC (CC). */
const isStartOfFrame = (marker: number) => marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
/** The most JPEG segments walked looking for one: far more than a real file has before its frame. */
export const MAX_JPEG_SEGMENTS = 1024;

/** JPEG: walk the marker segments up to the first SOFn, whose frame header holds height then width. */
function jpegHeader(bytes: Uint8Array): PictureHeader {
  let offset = 2;
  for (let segments = 0; segments < MAX_JPEG_SEGMENTS; segments++) {
    while (offset < bytes.length && bytes[offset] === 0xff && bytes[offset + 1] === 0xff) offset++; // fill bytes
    if (offset + 4 > bytes.length) break;
    if (bytes[offset] !== 0xff) return { problem: 'a JPEG with a broken marker structure' };
    const marker = bytes[offset + 1] ?? 0;
    if (marker === 0xd9 || marker === 0xda) break; // end of image or scan data before any frame header
    if (JPEG_STANDALONE_MARKERS.has(marker)) {
      offset += 2;
      continue;
    }
    const length = uint16(bytes, offset + 2);
    if (length < 2) return { problem: 'a JPEG with a broken segment length' };
    if (isStartOfFrame(marker)) {
      if (offset + 9 > bytes.length || length < 7) break;
      const height = uint16(bytes, offset + 5);
      const width = uint16(bytes, offset + 7);
      if (width === 0 || height === 0) return { problem: 'a JPEG of zero (or deferred) size' };
      return { type: 'image/jpeg', width, height };
    }
    offset += 2 + length;
  }
  return { problem: 'a JPEG without a frame header' };
}

/** Megapixels of a picture over the limit, with as many decimals as it takes to read as over it. */
function megapixels(pixels: number): string {
  const limit = PROFILE_LIMITS.avatarPixels / 1e6;
  for (let decimals = 1; decimals < 6; decimals++) {
    const text = (pixels / 1e6).toFixed(decimals);
    if (Number(text) > limit) return text;
  }
  return (pixels / 1e6).toFixed(6);
}

/** The largest size of the same shape within the avatar's limits: what to scale a picture down to. */
function sizeWithinLimits(width: number, height: number): { width: number; height: number } {
  const scale = Math.min(Math.sqrt(PROFILE_LIMITS.avatarPixels / (width * height)), PROFILE_LIMITS.avatarSide / width, PROFILE_LIMITS.avatarSide / height);
  // A hair over the exact product, so that 4200×4200 scales to 4000×4000 and not 3999×3999 …
  let w = Math.max(1, Math.floor(width * scale + 1e-6));
  let h = Math.max(1, Math.floor(height * scale + 1e-6));
  // … but never past a limit.
  while (w * h > PROFILE_LIMITS.avatarPixels || w > PROFILE_LIMITS.avatarSide || h > PROFILE_LIMITS.avatarSide) {
    if (w >= h) w -= 1;
    else h -= 1;
  }
  return { width: w, height: h };
}

/**
 * Why a picture of `width`×`height` pixels is too large to be an avatar, as the end of a sentence about
 * it (“huge.png” is …, The picture is …), saying what to choose instead; undefined when it fits. The
 * window says it when the picture is picked, main when one comes another way (the CLI).
 */
export function avatarSizeProblem(width: number, height: number): string | undefined {
  const { avatarPixels, avatarSide } = PROFILE_LIMITS;
  if (width * height <= avatarPixels && width <= avatarSide && height <= avatarSide) return undefined;
  const within = sizeWithinLimits(width, height);
  const example = `for example ${within.width}×${within.height}`;
  if (width * height > avatarPixels) {
    return `is ${width}×${height} pixels (${megapixels(width * height)} megapixels); choose one of at most ${avatarPixels / 1e6} megapixels (${example}).`;
  }
  return `is ${width}×${height} pixels; choose one of at most ${avatarSide} pixels on each side (${example}).`;
}
