/**
 * Text from a contact's profile is untrusted: it is cut to a cap, control and bidi-override characters
 * are removed (they can fake what a terminal or a line of UI shows), and surrounding space is trimmed.
 * Markup stays text: `<script>` in a vCard field is a string to show, never something to interpret.
 */

// eslint-disable-next-line no-control-regex -- removing control characters is the point
const CONTROL_SINGLE_LINE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;
// eslint-disable-next-line no-control-regex -- as above, but keeping tab and newline for multi-line notes
const CONTROL_MULTI_LINE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

/** Cleaned text, or undefined when nothing is left. */
export function cleanText(raw: string | undefined | null, maxChars: number, options: { multiline?: boolean } = {}): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  // Cut generously first so a 1 MB field costs no more than a short one, then clean, then cut exactly.
  const head = raw.length > maxChars * 4 ? raw.slice(0, maxChars * 4) : raw;
  const cleaned = options.multiline
    ? head.replace(/\r\n?/g, '\n').replace(CONTROL_MULTI_LINE, '').replace(/\n{3,}/g, '\n\n')
    : head.replace(/\s+/g, ' ').replace(CONTROL_SINGLE_LINE, '');
  const text = cutAt(cleaned.trim(), maxChars).trim();
  return text === '' ? undefined : text;
}

/** At most `maxChars` UTF-16 units, never splitting a surrogate pair. */
export function cutAt(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const cut = text.slice(0, maxChars);
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}
