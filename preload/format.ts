/**
 * Pure display helpers shared by main and the renderer. No imports, no DOM, no Node: the sandboxed
 * preload and the renderer bundle can both take this file as is.
 */

/**
 * A hex fingerprint in blocks of four characters for reading aloud and comparing by eye:
 * "3f2a9c…" → "3f2a 9c01 …". Colons and whitespace in the input are dropped, letters lowercased.
 */
export function groupFingerprint(hex: string): string {
  const compact = hex.replace(/[\s:]/g, '').toLowerCase();
  return (compact.match(/.{1,4}/g) ?? []).join(' ');
}
