/** The one normal form of a fingerprint; a leaf both the schemas (domain.ts) and the wording (format.ts) stand on. */

/**
 * A fingerprint as people write it (in blocks, with colons, in capitals) in the one form the app stores
 * and compares: colons and whitespace dropped, letters lowercased. The request schemas apply it at the
 * boundary (domain.ts fingerprintText); nothing behind them normalizes again.
 */
export function compactFingerprint(text: string): string {
  return text.replace(/[\s:]/g, '').toLowerCase();
}
