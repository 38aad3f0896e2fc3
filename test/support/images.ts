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

/**
 * A progressive JPEG (SOF2) of one grey component, `width`×`height` (multiples of 8), whose image is all
 * mid-grey: its DC scan, then `scans - 1` first-pass AC scans, each one EOB run over every block. Decoders
 * take any number of such scans, and each is a pass over the whole image: thousands of them make a small
 * file that takes seconds to decode (a "scan bomb"); ten are what a progressive encoder writes.
 */
export function progressiveJpeg(width: number, height: number, scans: number): Buffer {
  const out: number[] = [];
  const u16 = (n: number) => [n >> 8, n & 255];
  const segment = (marker: number, body: number[]) => out.push(0xff, marker, ...u16(body.length + 2), ...body);
  out.push(0xff, 0xd8);
  segment(0xdb, [0x00, ...Array<number>(64).fill(1)]);
  segment(0xc2, [8, ...u16(height), ...u16(width), 1, 1, 0x11, 0]);
  // DC table: one code of length 1 for category 0; AC table: one code of length 1 for EOB run 2^14 (0xE0), one of length 2 for EOB run 2^3 (0x30).
  segment(0xc4, [0x00, 1, ...Array<number>(15).fill(0), 0]);
  segment(0xc4, [0x10, 1, 1, ...Array<number>(14).fill(0), 0xe0, 0x30]);
  const bits = () => {
    const bytes: number[] = [];
    let acc = 0;
    let n = 0;
    const put = (value: number, length: number) => {
      for (let i = length - 1; i >= 0; i--) {
        acc = (acc << 1) | ((value >> i) & 1);
        if (++n === 8) {
          bytes.push(acc);
          if (acc === 0xff) bytes.push(0); // byte stuffing (T.81 F.1.2.3)
          acc = 0;
          n = 0;
        }
      }
    };
    return { put, end: () => {
      while (n !== 0) put(1, 1);
      return bytes;
    } };
  };
  const blocks = (width / 8) * (height / 8);
  const dc = bits();
  for (let i = 0; i < blocks; i++) dc.put(0, 1);
  out.push(0xff, 0xda, 0, 8, 1, 1, 0x00, 0, 0, 0, ...dc.end());
  const ac = bits();
  let left = blocks;
  while (left >= 32767) {
    ac.put(0, 1);
    ac.put(16383, 14);
    left -= 32767;
  }
  ac.put(0b10, 2);
  ac.put(left - 8, 3);
  const acScan = ac.end();
  for (let s = 1; s < scans; s++) out.push(0xff, 0xda, 0, 8, 1, 1, 0x00, 1, 63, 0, ...acScan);
  out.push(0xff, 0xd9);
  return Buffer.from(out);
}
