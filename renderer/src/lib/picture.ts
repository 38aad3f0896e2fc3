import { pictureHeaderOf, PICTURE_SIGNATURE_BYTES, pictureTypeOf, type PictureHeader, type PictureType } from '../../../contract/picture';

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
 * The pixel size a chosen picture's header declares (contract/picture.ts, as main reads it), or why it
 * declares none. Read from the whole file, since a JPEG's frame header may come after large metadata:
 * call it once the file is known to be within the upload's bytes.
 */
export async function pictureHeaderOfFile(file: Blob): Promise<PictureHeader> {
  try {
    return pictureHeaderOf(new Uint8Array(await file.arrayBuffer()));
  } catch {
    return { problem: 'a file that cannot be read' };
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
