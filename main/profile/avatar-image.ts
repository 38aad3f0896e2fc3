/**
 * Makes the user's picture into an avatar other clients take: decoded (pngjs, jpeg-js: pure JS, no
 * native code), cropped to a square (the centre by default, or the square the user chose), scaled down
 * to at most AVATAR_MAX_SIDE (never up; XEP-0084 §7.3 asks receivers not to scale up either), turned
 * upright by its EXIF orientation, and re-encoded as PNG, the one content type XEP-0084 §4.1 requires on
 * the data node. Re-encoding also drops EXIF and other metadata (camera, GPS). The result is kept under
 * AVATAR_MAX_BYTES so the publish fits both test servers' 256 KiB stanza cap.
 *
 * Square: XEP-0084 1.1.4 sets no shape (0.11 removed its size requirements), but clients show avatars
 * in squares and circles, and each crops a non-square picture its own way; publishing a square means
 * contacts see the part the user chose.
 *
 * Decoding a photo takes about a second of JavaScript, so `prepareAvatar` runs on a worker thread
 * (avatar-worker.ts, started by avatar-off-thread.ts); only `checkAvatarInput`, which reads nothing but
 * the headers, runs on the main thread.
 */
import { decode as decodeJpeg } from 'jpeg-js';
import { PNG } from 'pngjs';
import { PROFILE_LIMITS } from '../../contract/limits.js';
import { avatarSizeProblem } from '../../contract/picture.js';
import { KeyringError } from '../errors.js';
import { jpegOrientation, readImageHeader, type ImageType } from './image-header.js';

/** The side of a published avatar, at most, in pixels (Conversations uses 192, Gajim up to 256). */
export const AVATAR_MAX_SIDE = 256;
/** Largest PNG published: base64 of it stays well inside a 256 KiB stanza. */
export const AVATAR_MAX_BYTES = 96 * 1024;
/** Largest picture decoded, to bound memory and time (contract/limits.ts: the window checks them too). */
export const MAX_INPUT_PIXELS = PROFILE_LIMITS.avatarPixels;
export const MAX_INPUT_SIDE = PROFILE_LIMITS.avatarSide;
/** The smallest square the user may choose, so a slip of a crop tool cannot publish a few pixels. */
export const MIN_CROP_SIDE = 32;
/** Sides tried in turn until the PNG fits AVATAR_MAX_BYTES (photos compress worse than drawings). */
const SIDES = [AVATAR_MAX_SIDE, 192, 160, 128, 96, 64];
/** Error field for problems with the picture itself (the IPC parameter that carries it). */
const IMAGE_FIELD = 'dataBase64';
const CROP_FIELD = 'crop';

/**
 * The square to publish, in pixels of the picture as it is shown upright (its EXIF orientation
 * applied, as browsers show it): left edge `x`, top edge `y`, side `size`.
 */
export interface AvatarCrop {
  x: number;
  y: number;
  size: number;
}

export interface PreparedAvatar {
  png: Buffer;
  /** Equal to height: the avatar is square. */
  width: number;
  height: number;
}

/** What the headers say, checked, with the square to cut: all known before anything is decoded. */
export interface AvatarPlan {
  type: ImageType;
  /** The picture's size as stored (before its EXIF orientation is applied). */
  storedWidth: number;
  storedHeight: number;
  /** EXIF orientation 1–8 (TIFF 6.0 tag 274); 1 for PNG. */
  orientation: number;
  /** The square in upright pixels: the caller's, or the largest one at the centre. */
  crop: AvatarCrop;
}

/** Decoded pixels: RGB (an opaque JPEG) or RGBA (a PNG), row after row. */
export interface Raster {
  width: number;
  height: number;
  channels: 3 | 4;
  data: Uint8Array;
}

/**
 * Everything that can be checked without decoding: byte size, PNG/JPEG magic (the type is the bytes',
 * never a file name's), the pixel size the header declares (a few bytes can declare 100000×100000), and
 * the crop. Cheap on any input (headers only), so the main thread runs it before starting a worker, and
 * refuses at once.
 */
export function checkAvatarInput(bytes: Uint8Array, crop?: AvatarCrop): AvatarPlan {
  if (bytes.length > PROFILE_LIMITS.avatarUploadBytes) {
    throw invalid(`The picture is over ${PROFILE_LIMITS.avatarUploadBytes / (1024 * 1024)} MiB.`);
  }
  const header = readImageHeader(bytes);
  if ('problem' in header) throw invalid(`That is ${header.problem}: choose a PNG or JPEG picture.`);
  const tooLarge = avatarSizeProblem(header.width, header.height);
  if (tooLarge) throw invalid(`The picture ${tooLarge}`);
  const orientation = header.type === 'image/jpeg' ? jpegOrientation(bytes) : 1;
  const swap = orientation >= 5;
  const width = swap ? header.height : header.width;
  const height = swap ? header.width : header.height;
  return {
    type: header.type,
    storedWidth: header.width,
    storedHeight: header.height,
    orientation,
    crop: crop === undefined ? centreSquare(width, height) : checkCrop(crop, width, height),
  };
}

/** The largest square at the centre of a width×height picture. */
export function centreSquare(width: number, height: number): AvatarCrop {
  const size = Math.min(width, height);
  return { x: Math.floor((width - size) / 2), y: Math.floor((height - size) / 2), size };
}

/** The caller's square, refused unless it is whole pixels, inside the picture, and not too small. */
function checkCrop(crop: AvatarCrop, width: number, height: number): AvatarCrop {
  // Typed, but it may come from a person's input through IPC or the CLI: checked as if untyped.
  if (typeof crop !== 'object' || (crop as AvatarCrop | null) === null) throw invalidCrop('The crop must give x, y and size in pixels.');
  const { x, y, size } = crop;
  for (const [name, value] of [['x', x], ['y', y], ['size', size]] as const) {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      throw invalidCrop(`The crop’s ${name} must be a whole number of pixels, 0 or more.`);
    }
  }
  // A picture smaller than MIN_CROP_SIDE can still be published whole.
  const minimum = Math.min(MIN_CROP_SIDE, width, height);
  if (size < minimum) throw invalidCrop(`The square to publish must be at least ${minimum} pixels wide; it is ${size}.`);
  if (x + size > width || y + size > height) {
    throw invalidCrop(`The square of ${size} pixels at (${x}, ${y}) goes past the edge of the ${width}×${height} picture.`);
  }
  return { x, y, size };
}

/**
 * The avatar to publish from a PNG or JPEG the user picked; 'invalid-argument' for anything else.
 * About a second of CPU for a 12 MP photo: call it on the avatar worker (prepareAvatarOffThread), not on the
 * main thread.
 */
export function prepareAvatar(bytes: Uint8Array, crop?: AvatarCrop): PreparedAvatar {
  const plan = checkAvatarInput(bytes, crop);
  const image = decode(bytes, plan.type);
  if (image.width !== plan.storedWidth || image.height !== plan.storedHeight) throw invalid('The picture’s header and content disagree.');
  // Cut and scale the stored pixels, then orient only the small result: rotating a 12 MP photo first
  // would copy 48 MiB for nothing. A square stays a square under all eight orientations.
  const square = storedSquare(plan);
  const sides = [...new Set(SIDES.map((side) => Math.min(side, square.size)))];
  for (const side of sides) {
    const scaled = orient(scaleRegion(image, { left: square.x, top: square.y, width: square.size, height: square.size }, side, side), plan.orientation);
    const png = encodePng(scaled);
    if (png.length <= AVATAR_MAX_BYTES) return { png, width: side, height: side };
  }
  throw invalid('The picture does not compress into a small enough avatar.');
}

/** The plan's upright crop as a square of the stored pixels (the inverse of its EXIF orientation). */
export function storedSquare(plan: AvatarPlan): AvatarCrop {
  const { crop, orientation } = plan;
  const swap = orientation >= 5;
  const uprightWidth = swap ? plan.storedHeight : plan.storedWidth;
  const uprightHeight = swap ? plan.storedWidth : plan.storedHeight;
  // Orientations 6 and 8 undo each other; every other one undoes itself.
  const inverse = orientation === 6 ? 8 : orientation === 8 ? 6 : orientation;
  const a = orientedPoint(inverse, uprightWidth, uprightHeight, crop.x, crop.y);
  const b = orientedPoint(inverse, uprightWidth, uprightHeight, crop.x + crop.size - 1, crop.y + crop.size - 1);
  return { x: Math.min(a.x, b.x), y: Math.min(a.y, b.y), size: crop.size };
}

export function decode(bytes: Uint8Array, type: ImageType): Raster {
  try {
    if (type === 'image/png') {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return { width: png.width, height: png.height, channels: 4, data: png.data };
    }
    // RGB rather than RGBA: a JPEG has no alpha, and a quarter less to write and read.
    const jpeg = decodeJpeg(bytes, {
      useTArray: true,
      formatAsRGBA: false,
      tolerantDecoding: false,
      maxResolutionInMP: MAX_INPUT_PIXELS / 1e6,
      maxMemoryUsageInMB: 256,
    });
    return { width: jpeg.width, height: jpeg.height, channels: 3, data: jpeg.data };
  } catch (error) {
    // The decoders' own words ("marker was not found") mean nothing to a person; they stay in the cause.
    throw new KeyringError('invalid-argument', 'The picture cannot be read: the file is damaged or cut short.', IMAGE_FIELD, { cause: error });
  }
}

/**
 * Area averaging (a box filter: each target pixel is the mean of the source pixels that fall in it),
 * in one pass over the region's rows: each source pixel is added to its target's running sums, and a
 * row of targets is written out when the source rows it covers are done. Colour is weighted by alpha,
 * so transparent pixels do not darken the edges. Never scales up. The result is RGBA.
 */
export function scaleRegion(
  image: Raster,
  region: { left: number; top: number; width: number; height: number },
  targetWidth: number,
  targetHeight: number,
): Raster {
  const outWidth = Math.min(targetWidth, region.width);
  const outHeight = Math.min(targetHeight, region.height);
  const { channels, data: src } = image;
  const out = new Uint8Array(outWidth * outHeight * 4);
  // Source column → target column, and how many source columns each target column takes.
  const columnOf = new Int32Array(region.width);
  const columnCount = new Float64Array(outWidth);
  for (let sx = 0; sx < region.width; sx++) {
    const tx = Math.floor((sx * outWidth) / region.width);
    columnOf[sx] = tx * 4;
    columnCount[tx] = (columnCount[tx] ?? 0) + 1;
  }
  // Running sums for one row of targets: alpha-weighted red, green, blue, then alpha.
  const sums = new Float64Array(outWidth * 4);
  let ty = 0;
  let rows = 0;
  const flush = (): void => {
    let o = ty * outWidth * 4;
    for (let t = 0; t < sums.length; t += 4, o += 4) {
      const alpha = sums[t + 3] ?? 0;
      if (alpha > 0) {
        out[o] = Math.round((sums[t] ?? 0) / alpha);
        out[o + 1] = Math.round((sums[t + 1] ?? 0) / alpha);
        out[o + 2] = Math.round((sums[t + 2] ?? 0) / alpha);
      }
      out[o + 3] = Math.round(alpha / (rows * (columnCount[t >> 2] ?? 1)));
    }
    sums.fill(0);
    rows = 0;
  };
  for (let sy = 0; sy < region.height; sy++) {
    const rowTarget = Math.floor((sy * outHeight) / region.height);
    if (rowTarget !== ty) {
      flush();
      ty = rowTarget;
    }
    rows++;
    let i = ((region.top + sy) * image.width + region.left) * channels;
    if (channels === 3) {
      // Opaque: every pixel weighs 255, so alpha-weighted sums are plain sums times 255.
      for (let sx = 0; sx < region.width; sx++, i += 3) {
        const t = columnOf[sx] ?? 0;
        sums[t] = (sums[t] ?? 0) + (src[i] ?? 0) * 255;
        sums[t + 1] = (sums[t + 1] ?? 0) + (src[i + 1] ?? 0) * 255;
        sums[t + 2] = (sums[t + 2] ?? 0) + (src[i + 2] ?? 0) * 255;
        sums[t + 3] = (sums[t + 3] ?? 0) + 255;
      }
    } else {
      for (let sx = 0; sx < region.width; sx++, i += 4) {
        const t = columnOf[sx] ?? 0;
        const alpha = src[i + 3] ?? 0;
        sums[t] = (sums[t] ?? 0) + (src[i] ?? 0) * alpha;
        sums[t + 1] = (sums[t + 1] ?? 0) + (src[i + 1] ?? 0) * alpha;
        sums[t + 2] = (sums[t + 2] ?? 0) + (src[i + 2] ?? 0) * alpha;
        sums[t + 3] = (sums[t + 3] ?? 0) + alpha;
      }
    }
  }
  flush();
  return { width: outWidth, height: outHeight, channels: 4, data: out };
}

/**
 * Where the stored pixel (x, y) of a w×h picture lands once EXIF orientation 2–8 (TIFF 6.0 tag 274)
 * is applied.
 */
function orientedPoint(orientation: number, w: number, h: number, x: number, y: number): { x: number; y: number } {
  switch (orientation) {
    case 2: return { x: w - 1 - x, y };
    case 3: return { x: w - 1 - x, y: h - 1 - y };
    case 4: return { x, y: h - 1 - y };
    case 5: return { x: y, y: x };
    case 6: return { x: h - 1 - y, y: x };
    case 7: return { x: h - 1 - y, y: w - 1 - x };
    case 8: return { x: y, y: w - 1 - x };
    default: return { x, y };
  }
}

/** An RGBA picture with EXIF orientation 2–8 applied, so it is stored upright. */
export function orient(image: Raster, orientation: number): Raster {
  if (orientation <= 1 || orientation > 8) return image;
  const swap = orientation >= 5;
  const width = swap ? image.height : image.width;
  const out = new Uint8Array(image.data.length);
  const { width: w, height: h, channels } = image;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const to = orientedPoint(orientation, w, h, x, y);
      const from = (y * w + x) * channels;
      out.set(image.data.subarray(from, from + channels), (to.y * width + to.x) * channels);
    }
  }
  return { width, height: swap ? image.width : image.height, channels, data: out };
}

/** PNG of an RGBA picture, as RGB when every pixel is opaque (smaller), else RGBA. */
export function encodePng(image: Raster): Buffer {
  if (image.channels !== 4) throw new Error('encodePng takes RGBA');
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
  return new KeyringError('invalid-argument', message, IMAGE_FIELD);
}

function invalidCrop(message: string): KeyringError {
  return new KeyringError('invalid-argument', message, CROP_FIELD);
}
