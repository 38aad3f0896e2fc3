/**
 * Reads the text of a QR code in a picture the user dropped or pasted (a contact's verification URI).
 * The picture is anyone's: its size is checked from the header before a byte is decoded (at most
 * QR_IMAGE_LIMITS pixels), it is decoded by the avatar's decoders (pngjs, jpeg-js: pure JS), and the
 * code is read with jsQR, on a thread of its own (qr-off-thread.ts). What it says is checked by the
 * caller like any pasted text.
 */
import jsQR from 'jsqr';
import { QR_IMAGE_LIMITS } from '../../contract/limits.js';
import { KeyringError } from '../errors.js';
import { decode } from './avatar-image.js';
import { readImageHeader, type ImageType } from './image-header.js';

const IMAGE_FIELD = 'dataBase64';
/** The longest text taken from a code: a verification URI is about 120 characters. */
const MAX_TEXT = 4096;

/**
 * What the headers alone can refuse (bytes, PNG or JPEG by its magic numbers, declared pixels): cheap,
 * run before any thread starts.
 */
export function checkQrInput(bytes: Uint8Array): { type: ImageType; width: number; height: number } {
  if (bytes.length > QR_IMAGE_LIMITS.bytes) throw invalid(`The picture is over ${QR_IMAGE_LIMITS.bytes / (1024 * 1024)} MiB.`);
  const header = readImageHeader(bytes);
  if ('problem' in header) throw invalid(`That is ${header.problem}: choose a PNG or JPEG picture of the QR code.`);
  if (header.width > QR_IMAGE_LIMITS.side || header.height > QR_IMAGE_LIMITS.side || header.width * header.height > QR_IMAGE_LIMITS.pixels) {
    throw invalid(
      `The picture is ${header.width}×${header.height} pixels; the app reads at most ${QR_IMAGE_LIMITS.side} per side and ${QR_IMAGE_LIMITS.pixels / 1e6} megapixels. Crop it to the code.`,
    );
  }
  return header;
}

/** The text of the QR code in the picture. Up to a second of CPU: run it on the QR worker (qr-off-thread.ts). */
export function readQrCode(bytes: Uint8Array): string {
  const header = checkQrInput(bytes);
  const image = decode(bytes, header.type);
  if (image.width !== header.width || image.height !== header.height) throw invalid('The picture’s header and content disagree.');
  const full = image.channels === 4 ? image.data : toRgba(image.data, image.width * image.height);
  // A phone's photo (12 MP) is read at a few megapixels: a code that fills part of it keeps modules
  // of several pixels, and jsQR's time grows with the pixels it scans.
  const { rgba, width, height } = scaledForReading(full, image.width, image.height);
  const code = jsQR(new Uint8ClampedArray(rgba.buffer, rgba.byteOffset, rgba.byteLength), width, height, {
    inversionAttempts: 'attemptBoth',
  });
  if (!code) throw invalid('No QR code was found in the picture. Try a sharper, closer picture of the code.');
  if (code.data.length === 0 || code.data.length > MAX_TEXT) throw invalid('The QR code does not hold a verification link.');
  return code.data;
}

/**
 * The picture at QR_IMAGE_LIMITS.readPixels at most, in grey: each output pixel the average of the
 * block of input pixels it covers. The scale is not rounded to a whole number: a picture just over the
 * limit (4.2 MP) is read at about 4 MP, not at a quarter of it, where a code's small modules would blur
 * into each other (blocks are then 1 or 2 pixels wide, whichever covers the input).
 */
export function scaledForReading(rgba: Uint8Array, width: number, height: number): { rgba: Uint8Array; width: number; height: number } {
  if (width * height <= QR_IMAGE_LIMITS.readPixels) return { rgba, width, height };
  const scale = Math.sqrt(QR_IMAGE_LIMITS.readPixels / (width * height));
  const w = Math.max(1, Math.floor(width * scale));
  const h = Math.max(1, Math.floor(height * scale));
  // Where each output column's and row's block starts in the input (the last one ends at the edge).
  const columnStart = blockStarts(width, w);
  const rowStart = blockStarts(height, h);
  const out = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    const y0 = rowStart[y] as number;
    const y1 = rowStart[y + 1] as number;
    for (let x = 0; x < w; x++) {
      const x0 = columnStart[x] as number;
      const x1 = columnStart[x + 1] as number;
      let sum = 0;
      for (let sy = y0; sy < y1; sy++) {
        let i = (sy * width + x0) * 4;
        for (let sx = x0; sx < x1; sx++, i += 4) sum += (rgba[i] as number) * 0.299 + (rgba[i + 1] as number) * 0.587 + (rgba[i + 2] as number) * 0.114;
      }
      const grey = Math.round(sum / ((y1 - y0) * (x1 - x0)));
      const o = (y * w + x) * 4;
      out[o] = grey;
      out[o + 1] = grey;
      out[o + 2] = grey;
      out[o + 3] = 255;
    }
  }
  return { rgba: out, width: w, height: h };
}

/** `parts` + 1 starts splitting 0..`length` into `parts` blocks of whole pixels, none empty (parts ≤ length). */
function blockStarts(length: number, parts: number): Uint32Array {
  const starts = new Uint32Array(parts + 1);
  for (let i = 0; i <= parts; i++) starts[i] = Math.floor((i * length) / parts);
  return starts;
}

function toRgba(rgb: Uint8Array, pixels: number): Uint8Array {
  const out = new Uint8Array(pixels * 4);
  for (let i = 0, j = 0; i < pixels; i++, j += 3) {
    out[i * 4] = rgb[j] as number;
    out[i * 4 + 1] = rgb[j + 1] as number;
    out[i * 4 + 2] = rgb[j + 2] as number;
    out[i * 4 + 3] = 255;
  }
  return out;
}

function invalid(message: string): KeyringError {
  return new KeyringError('invalid-argument', message, IMAGE_FIELD);
}
