/**
 * A picture of a contact's QR code as people take one: a phone's 12-megapixel photo of the other
 * phone's screen, the code filling part of it. Before, anything over 4 megapixels was refused ("Crop it
 * to the code"); now it is decoded (as an avatar's picture is, up to 16 MP) and read scaled down.
 */
import { describe, expect, it } from 'vitest';
import { encode as encodeJpeg } from 'jpeg-js';
import QRCode from 'qrcode';
import { QR_IMAGE_LIMITS } from '../../../contract/limits.js';
import { readQrCode, scaledForReading } from '../../../main/profile/qr-image.js';

const LINK = 'xmpp:juliet@capulet.lit?omemo-sid-0=1&keyring-fp=' + 'ab'.repeat(32);

/** A width×height photo, light grey, with the code's modules drawn `module` pixels wide at (left, top). */
function photoWithCode(width: number, height: number, module: number, left: number, top: number): Uint8Array {
  const code = QRCode.create(LINK, { errorCorrectionLevel: 'M' });
  const size = code.modules.size;
  const rgba = new Uint8Array(width * height * 4).fill(215);
  for (let my = -4; my < size + 4; my++) {
    for (let mx = -4; mx < size + 4; mx++) {
      const dark = my >= 0 && mx >= 0 && my < size && mx < size && code.modules.get(my, mx) === 1;
      const value = dark ? 25 : 245; // the quiet zone, as a screen shows it
      for (let y = 0; y < module; y++) {
        for (let x = 0; x < module; x++) {
          const i = ((top + my * module + y) * width + left + mx * module + x) * 4;
          rgba[i] = value;
          rgba[i + 1] = value;
          rgba[i + 2] = value;
          rgba[i + 3] = 255;
        }
      }
    }
  }
  return encodeJpeg({ data: rgba, width, height }, 85).data;
}

describe('a phone’s photo of a QR code', () => {
  it('a 12-megapixel photo is read, the code in it found at a few megapixels', () => {
    const photo = photoWithCode(4000, 3000, 14, 1500, 900);
    expect(photo.length).toBeLessThan(QR_IMAGE_LIMITS.bytes);
    expect(readQrCode(photo)).toBe(LINK);
  }, 30_000);

  it('a picture just over the pixels read is read at about them, its small modules kept apart', () => {
    // 4.2 MP with modules 3 pixels wide: scaled by a whole number (2) it was read at 1 MP, modules
    // 1.5 pixels wide, and the code was not found.
    const photo = photoWithCode(2100, 2000, 3, 900, 800);
    expect(readQrCode(photo)).toBe(LINK);
  }, 30_000);

  it('is scaled to at most the pixels read, keeping its proportions, each pixel its block’s average', () => {
    const scaled = scaledForReading(new Uint8Array(4000 * 3000 * 4), 4000, 3000);
    expect(scaled.width * scaled.height).toBeLessThanOrEqual(QR_IMAGE_LIMITS.readPixels);
    expect(scaled.width * scaled.height).toBeGreaterThan(0.99 * QR_IMAGE_LIMITS.readPixels);
    expect(scaled.width / scaled.height).toBeCloseTo(4 / 3, 2);
    // A picture half black, half white (left and right): the scaled one too, with at most one grey
    // column where a block straddles the edge.
    const width = 2100;
    const height = 2000;
    const halves = new Uint8Array(width * height * 4).fill(255);
    for (let y = 0; y < height; y++) halves.fill(0, y * width * 4, (y * width + width / 2) * 4);
    const read = scaledForReading(halves, width, height);
    const row = Array.from({ length: read.width }, (_, x) => read.rgba[(7 * read.width + x) * 4]);
    expect(row.filter((v) => v !== 0 && v !== 255).length).toBeLessThanOrEqual(1);
    expect(row[0]).toBe(0);
    expect(row[read.width - 1]).toBe(255);
    expect(Math.abs(row.filter((v) => v === 0).length - read.width / 2)).toBeLessThanOrEqual(1);
    const small = new Uint8Array(100 * 100 * 4);
    expect(scaledForReading(small, 100, 100).rgba).toBe(small);
  });

  it('a picture past what is decoded is still refused from its header, in words', () => {
    const header = new Uint8Array(33);
    header.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
    new DataView(header.buffer).setUint32(16, 9000);
    new DataView(header.buffer).setUint32(20, 9000);
    expect(() => readQrCode(header)).toThrow('The picture is 9000×9000 pixels; the app reads at most 8192 per side and 16 megapixels. Crop it to the code.');
  });
});
