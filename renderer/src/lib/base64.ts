/**
 * A file the user picked, as base64: how files cross the contract (key imports, avatars). Encoded in
 * chunks, since String.fromCharCode over a whole 8 MiB picture would exceed the call stack.
 */
export async function fileToBase64(file: Blob): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
