/**
 * Strict base64 for keys that contacts publish (XEP-0384 bundles, XEP-0373 key data): whitespace between
 * the characters is allowed (line-wrapped payloads), anything else must be RFC 4648 §4 base64 with
 * correct padding. Node's own decoder skips bad characters silently, so the text is checked first.
 */
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The decoded bytes, or undefined when the text is not base64 (or decodes to more than `maxBytes`). */
export function decodeBase64(text: string | undefined | null, maxBytes: number): Buffer | undefined {
  if (text === undefined || text === null) return undefined;
  // Cheap length check before any copy: 4 characters per 3 bytes, plus generous room for whitespace.
  if (text.length > (maxBytes / 3) * 4 * 2 + 64) return undefined;
  const compact = text.replace(/\s+/g, '');
  if (compact.length === 0 || compact.length % 4 !== 0 || !BASE64.test(compact)) return undefined;
  const bytes = Buffer.from(compact, 'base64');
  return bytes.length <= maxBytes ? bytes : undefined;
}
