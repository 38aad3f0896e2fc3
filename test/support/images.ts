/** Small pictures made in the test itself (pngjs, jpeg-js): no fixture files, every size exact. */
import { encode as encodeJpeg } from 'jpeg-js';
import { PNG } from 'pngjs';

/** A width×height RGBA picture: a colour gradient, with a transparent corner when `alpha`. */
export function pixels(width: number, height: number, alpha = false): Buffer {
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      data[i] = Math.round((255 * x) / Math.max(1, width - 1));
      data[i + 1] = Math.round((255 * y) / Math.max(1, height - 1));
      data[i + 2] = 128;
      data[i + 3] = alpha && x < width / 4 && y < height / 4 ? 0 : 255;
    }
  }
  return data;
}

export function makePng(width: number, height: number, alpha = false): Buffer {
  const png = new PNG({ width, height });
  png.data = pixels(width, height, alpha);
  return PNG.sync.write(png);
}

export function makeJpeg(width: number, height: number, quality = 85): Buffer {
  return encodeJpeg({ width, height, data: pixels(width, height) }, quality).data;
}

/** The JPEG with an EXIF APP1 segment (little-endian TIFF, one IFD0 entry) giving `orientation`. */
export function withExifOrientation(jpeg: Buffer, orientation: number): Buffer {
  const tiff = Buffer.alloc(26);
  tiff.write('II', 0, 'latin1');
  tiff.writeUInt16LE(42, 2);
  tiff.writeUInt32LE(8, 4); // IFD0 offset
  tiff.writeUInt16LE(1, 8); // one entry
  tiff.writeUInt16LE(0x0112, 10); // Orientation
  tiff.writeUInt16LE(3, 12); // SHORT
  tiff.writeUInt32LE(1, 14); // count
  tiff.writeUInt16LE(orientation, 18);
  tiff.writeUInt32LE(0, 22); // no next IFD
  const payload = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const header = Buffer.from([0xff, 0xe1, 0, 0]);
  header.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), header, payload, jpeg.subarray(2)]);
}

export type Rgb = readonly [number, number, number];
export const RED: Rgb = [255, 0, 0];
export const GREEN: Rgb = [0, 255, 0];
export const BLUE: Rgb = [0, 0, 255];
export const WHITE: Rgb = [255, 255, 255];

/**
 * An opaque width×height RGBA picture whose colour at (x, y) is `colourAt(x, y)`, for tests that check
 * which part of a picture ended up in the avatar.
 */
export function paint(width: number, height: number, colourAt: (x: number, y: number) => Rgb): Buffer {
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = colourAt(x, y);
      data.set([r, g, b, 255], (y * width + x) * 4);
    }
  }
  return data;
}

/** Four quadrants split at (splitX, splitY): red top left, green top right, blue bottom left, white bottom right. */
export const quadrants =
  (splitX: number, splitY: number) =>
  (x: number, y: number): Rgb =>
    y < splitY ? (x < splitX ? RED : GREEN) : x < splitX ? BLUE : WHITE;

export function pngOf(width: number, height: number, data: Buffer): Buffer {
  const png = new PNG({ width, height });
  png.data = data;
  return PNG.sync.write(png);
}

export function jpegOf(width: number, height: number, data: Buffer, quality = 90): Buffer {
  return encodeJpeg({ width, height, data }, quality).data;
}
