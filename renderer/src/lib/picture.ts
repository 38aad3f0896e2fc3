import { PICTURE_SIGNATURE_BYTES, pictureTypeOf, type PictureType } from '../../../contract/picture';

/**
 * PNG or JPEG by the file's first bytes, the rule main applies (contract/picture.ts); never File.type,
 * which the browser makes from the file's name alone (a JPEG named .png is "image/png" there). Undefined
 * for anything else, and for a file that cannot be read (gone since it was chosen).
 */
export async function pictureTypeOfFile(file: Blob): Promise<PictureType | undefined> {
  try {
    return pictureTypeOf(new Uint8Array(await file.slice(0, PICTURE_SIGNATURE_BYTES).arrayBuffer()));
  } catch {
    return undefined;
  }
}

/**
 * Whether the browser can decode a chosen file as a picture. A file that starts as a PNG or a JPEG may
 * still be damaged or cut short, and the avatar dialog would open on a broken image with nothing to
 * crop. Decoding it once answers before the dialog opens.
 */
export async function canDecodePicture(file: Blob): Promise<boolean> {
  try {
    const bitmap = await createImageBitmap(file);
    bitmap.close();
    return true;
  } catch {
    return false;
  }
}
