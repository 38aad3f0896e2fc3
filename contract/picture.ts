/**
 * What a picture is, decided by its first bytes (magic numbers), never by its file name or the type a
 * browser derives from that name: a JPEG named .png is a JPEG, and a text file named .png no picture.
 * Dependency-free, so that the window refuses a file before opening anything with the same rule main
 * applies (main/profile/image-header.ts reads the rest of the header after it).
 */

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
