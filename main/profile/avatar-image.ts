/**
 * Makes the user's picture into an avatar other clients take: decoded (pngjs, jpeg-js: pure JS, no
 * native code), turned upright by its EXIF orientation, scaled down to fit AVATAR_MAX_SIDE (never up;
 * XEP-0084 §7.3 asks receivers not to scale up either), and re-encoded as PNG, the one content type
 * XEP-0084 §4.1 requires on the data node. Re-encoding also drops EXIF and other metadata (camera, GPS).
 * The result is kept under AVATAR_MAX_BYTES so the publish fits both test servers' 256 KiB stanza cap.
 */
import { decode as decodeJpeg } from 'jpeg-js';
import { PNG } from 'pngjs';
import { PROFILE_LIMITS } from '../../preload/channels.js';
import { KeyringError } from '../errors.js';
import { jpegOrientation, readImageHeader, type ImageType } from './image-header.js';

/** The longest side of a published avatar, in pixels (Conversations uses 192, Gajim up to 256). */
export const AVATAR_MAX_SIDE = 256;
/** Largest PNG published: base64 of it stays well inside a 256 KiB stanza. */
export const AVATAR_MAX_BYTES = 96 * 1024;
/** Largest picture decoded, to bound memory and main-thread time (a 16 MP RGBA frame is 64 MiB). */
export const MAX_INPUT_PIXELS = 16_000_000;
export const MAX_INPUT_SIDE = 8192;
/** Sides tried in turn until the PNG fits AVATAR_MAX_BYTES (photos compress worse than drawings). */
const SIDES = [AVATAR_MAX_SIDE, 192, 160, 128, 96, 64];

export interface PreparedAvatar {
  png: Buffer;
  width: number;
  height: number;
}

interface Rgba {
  width: number;
  height: number;
  data: Uint8Array;
}

/** The avatar to publish from a PNG or JPEG the user picked; 'invalid-argument' for anything else. */
export function prepareAvatar(bytes: Uint8Array, declaredType: ImageType): PreparedAvatar {
  if (bytes.length > PROFILE_LIMITS.avatarUploadBytes) {
    throw invalid(`The picture is over ${PROFILE_LIMITS.avatarUploadBytes / (1024 * 1024)} MiB.`);
  }
  const header = readImageHeader(bytes);
  if ('problem' in header) throw invalid(`That is ${header.problem}: choose a PNG or JPEG picture.`);
  if (header.type !== declaredType) throw invalid(`The file is ${header.type}, not ${declaredType} as declared.`);
  if (header.width > MAX_INPUT_SIDE || header.height > MAX_INPUT_SIDE || header.width * header.height > MAX_INPUT_PIXELS) {
    throw invalid(`The picture is ${header.width}×${header.height} pixels; at most ${MAX_INPUT_SIDE} per side and ${MAX_INPUT_PIXELS / 1e6} megapixels.`);
  }
  let image = decode(bytes, header.type);
  if (image.width !== header.width || image.height !== header.height) throw invalid('The picture’s header and content disagree.');
  if (header.type === 'image/jpeg') image = orient(image, jpegOrientation(bytes));

  for (const side of SIDES) {
    const scaled = scaleToFit(image, side);
    const png = encodePng(scaled);
    if (png.length <= AVATAR_MAX_BYTES) return { png, width: scaled.width, height: scaled.height };
  }
  throw invalid('The picture does not compress into a small enough avatar.');
}

function decode(bytes: Uint8Array, type: ImageType): Rgba {
  try {
    if (type === 'image/png') {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return { width: png.width, height: png.height, data: png.data };
    }
    const jpeg = decodeJpeg(bytes, {
      useTArray: true,
      formatAsRGBA: true,
      tolerantDecoding: false,
      maxResolutionInMP: MAX_INPUT_PIXELS / 1e6,
      maxMemoryUsageInMB: 256,
    });
    return { width: jpeg.width, height: jpeg.height, data: jpeg.data };
  } catch (error) {
    throw invalid(`The picture cannot be read (${error instanceof Error ? error.message.slice(0, 200) : 'broken image'}).`);
  }
}

/**
 * Area-averaging downscale (each target pixel is the mean of the source pixels it covers), with colour
 * weighted by alpha so transparent pixels do not darken the edges. Never scales up.
 */
export function scaleToFit(image: Rgba, maxSide: number): Rgba {
  const scale = Math.min(1, maxSide / Math.max(image.width, image.height));
  const width = Math.max(1, Math.round(image.width * scale));
  const height = Math.max(1, Math.round(image.height * scale));
  if (width === image.width && height === image.height) return image;
  const out = new Uint8Array(width * height * 4);
  const src = image.data;
  for (let y = 0; y < height; y++) {
    const y0 = Math.floor((y * image.height) / height);
    const y1 = Math.max(y0 + 1, Math.floor(((y + 1) * image.height) / height));
    for (let x = 0; x < width; x++) {
      const x0 = Math.floor((x * image.width) / width);
      const x1 = Math.max(x0 + 1, Math.floor(((x + 1) * image.width) / width));
      let r = 0, g = 0, b = 0, a = 0, n = 0;
      for (let sy = y0; sy < y1; sy++) {
        let i = (sy * image.width + x0) * 4;
        for (let sx = x0; sx < x1; sx++, i += 4) {
          const alpha = src[i + 3] ?? 0;
          r += (src[i] ?? 0) * alpha;
          g += (src[i + 1] ?? 0) * alpha;
          b += (src[i + 2] ?? 0) * alpha;
          a += alpha;
          n++;
        }
      }
      const o = (y * width + x) * 4;
      if (a > 0) {
        out[o] = Math.round(r / a);
        out[o + 1] = Math.round(g / a);
        out[o + 2] = Math.round(b / a);
      }
      out[o + 3] = Math.round(a / n);
    }
  }
  return { width, height, data: out };
}

/** EXIF orientation 2–8 (TIFF 6.0 tag 274) applied, so the picture is stored upright. */
export function orient(image: Rgba, orientation: number): Rgba {
  if (orientation <= 1 || orientation > 8) return image;
  const swap = orientation >= 5;
  const width = swap ? image.height : image.width;
  const height = swap ? image.width : image.height;
  const out = new Uint8Array(image.data.length);
  const w = image.width;
  const h = image.height;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      // Where the stored pixel (x, y) goes in the upright picture.
      let dx: number;
      let dy: number;
      switch (orientation) {
        case 2: dx = w - 1 - x; dy = y; break;
        case 3: dx = w - 1 - x; dy = h - 1 - y; break;
        case 4: dx = x; dy = h - 1 - y; break;
        case 5: dx = y; dy = x; break;
        case 6: dx = h - 1 - y; dy = x; break;
        case 7: dx = h - 1 - y; dy = w - 1 - x; break;
        default: dx = y; dy = w - 1 - x; break; // 8
      }
      out.set(image.data.subarray((y * w + x) * 4, (y * w + x) * 4 + 4), (dy * width + dx) * 4);
    }
  }
  return { width, height, data: out };
}

/** PNG, as RGB when every pixel is opaque (smaller), else RGBA. */
export function encodePng(image: Rgba): Buffer {
  const png = new PNG({ width: image.width, height: image.height });
  png.data = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  let opaque = true;
  for (let i = 3; i < image.data.length; i += 4) {
    if (image.data[i] !== 255) {
      opaque = false;
      break;
    }
  }
  return PNG.sync.write(png, { colorType: opaque ? 2 : 6, inputColorType: 6, inputHasAlpha: true, deflateLevel: 9 });
}

function invalid(message: string): KeyringError {
  return new KeyringError('invalid-argument', message, 'dataBase64');
}
