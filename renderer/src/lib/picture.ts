/**
 * Whether the browser can decode a chosen file as a picture. The type the browser reports comes from the
 * file's name alone: a text file named .png passes it, and the avatar dialog would open on a broken image
 * with nothing to crop. Decoding it once answers before the dialog opens.
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
