/**
 * Phone numbers in the profile: which text is one, how it goes into the vCard, and how it reads back.
 * Dependency-free: the window checks and shows numbers with these functions, main validates requests
 * (contract/profile.ts) and writes and reads the vCard (main/profile/vcard4.ts) with the same ones.
 *
 * RFC 6350 §6.4.1: TEL "SHOULD be reset to a URI value", and may stay free-form text. So:
 * - a number with its country code ("+39 045 123 4567") becomes a tel: URI, a global number (RFC 3966
 *   §5.1.4), which other clients can dial: a URI has no spaces, so each run of spaces and dashes
 *   becomes one '-', RFC 3966's visual separator (§5.1.1); dots and parentheses stay; an extension
 *   ("ext. 12", "x12", "#12") becomes ";ext=12" (§5.3). Read back, each '-' shows as a space.
 * - a number without one ("045 123 4567") cannot be a tel: URI: a local number needs a phone-context
 *   (RFC 3966 §5.1.5) that the app cannot know. It is published as TEL text, as typed.
 * What the user sees after publishing is therefore what they typed, up to this one normalisation:
 * spaces and dashes between digits show as one space, and an extension as "ext. 12".
 */

/** How a number goes into the vCard: RFC 6351 `<uri>` (tel:) or `<text>`. */
export type TelValue = { uri: string } | { text: string };

/** ITU-T E.164 §6: an international number has at most 15 digits. */
export const MAX_PHONE_DIGITS = 15;
/** Fewer digits dial nothing anywhere (the shortest numbers, emergency ones, have 3). */
export const MIN_PHONE_DIGITS = 3;

/** A trailing extension as people write it: "ext. 12", "ext 12", "extension 12", "x12", "#12", ";ext=12". */
const EXTENSION = /(?:\s*;\s*ext\s*=\s*|\s*,?\s*(?:ext\.?|extension|x|#)\s*)(\d{1,10})$/i;
/** What may be around the digits: spaces (any kind: a pasted number may hold no-break ones), - . ( ). */
const SEPARATORS = /[\s\-.()]/gu;

/** How much of the text a refusal quotes (a field may hold a thousand characters). */
const QUOTED_CHARS = 40;

type Reading = { value: TelValue } | { problem: string };

/** The number as it goes into the vCard, or what keeps the text from being a phone number. */
function read(typed: string): Reading {
  const trimmed = typed.trim().replace(/\s+/gu, ' ');
  const extension = EXTENSION.exec(trimmed);
  const number = extension ? trimmed.slice(0, extension.index).trim() : trimmed;
  if (/\p{L}/u.test(number)) return { problem: 'it has letters' };
  const digits = number.replace(/\D/g, '').length;
  const other = [...number.replace(SEPARATORS, '').replace(/[0-9+]/g, '')][0];
  if (other !== undefined) return { problem: `it has “${other}”, which is no part of a phone number` };
  if (digits === 0) return { problem: 'it has no digits' };
  if (number.lastIndexOf('+') > 0) return { problem: 'it has a + that is not at its start' };
  if (digits < MIN_PHONE_DIGITS) return { problem: `it has only ${digits} digit${digits === 1 ? '' : 's'}` };
  if (digits > MAX_PHONE_DIGITS) return { problem: `it has ${digits} digits, and a phone number has at most ${MAX_PHONE_DIGITS}` };
  if (!number.startsWith('+')) return { value: { text: trimmed } };
  // RFC 3966 global-number-digits: "+" then digits and visual separators; runs of spaces and dashes as one '-'.
  const body = number
    .slice(1)
    .replace(/[\s-]+/gu, '-')
    .replace(/^-|-$/g, '');
  return { value: { uri: `tel:+${body}${extension ? `;ext=${extension[1]}` : ''}` } };
}

/**
 * Why `typed` is not a phone number, in a sentence that names it, or undefined when it is one: digits
 * (3 to 15), a + only at the start, spaces, dots, dashes, parentheses, and an extension at the end.
 */
export function phoneProblem(typed: string): string | undefined {
  const reading = read(typed);
  if (!('problem' in reading)) return undefined;
  const quoted = typed.trim().length > QUOTED_CHARS ? `${typed.trim().slice(0, QUOTED_CHARS - 1)}…` : typed.trim();
  return (
    `“${quoted}” is not a phone number: ${reading.problem}. Write its digits, with + and the country code first; ` +
    'spaces, dots, dashes, parentheses and an extension (ext. 12) may go with them.'
  );
}

/** The vCard value for a number the user typed; text that is no phone number stays text, as it was. */
export function telValue(typed: string): TelValue {
  const reading = read(typed);
  return 'value' in reading ? reading.value : { text: typed.trim() };
}

/**
 * A TEL value from a vCard as a person reads it: a tel: URI's visual separators '-' as spaces and its
 * extension as "ext. 12" (other parameters as they are); text as it is.
 */
export function phoneShown(value: string): string {
  const trimmed = value.trim();
  if (!/^tel:/i.test(trimmed)) return trimmed;
  const [number = '', ...parameters] = trimmed.slice('tel:'.length).split(';');
  const shown = number.replace(/-+/g, ' ').trim();
  const extension = parameters.find((p) => /^ext=/i.test(p));
  const others = parameters.filter((p) => p !== extension && p !== '').map((p) => `;${p}`);
  return `${shown}${others.join('')}${extension ? ` ext. ${extension.slice('ext='.length)}` : ''}`;
}

/**
 * What a number the user typed reads as once published (telValue, then phoneShown): the form's draft
 * uses it, so that "What publishing changes" names what the contacts, and the user later, will read.
 * Text that is no phone number is returned as typed (it is refused before anything is published).
 */
export function phoneAsPublished(typed: string): string {
  const value = telValue(typed);
  return 'uri' in value ? phoneShown(value.uri) : value.text;
}

/**
 * The problems of the phone lines about to be published, one sentence each (phoneProblem), except for a
 * line the account's published vCard already holds (`held`), which passes whatever it is: another client
 * may have published free text ("555 1234 (mobile)"), and a change elsewhere must not be refused for a
 * line the user never touched. The form and main's profile service both judge with it.
 */
export function newPhoneProblems(phones: readonly string[], held: readonly string[] = []): string[] {
  const published = new Set(held);
  return phones.flatMap((phone) => {
    const problem = published.has(phone) ? undefined : phoneProblem(phone);
    return problem === undefined ? [] : [problem];
  });
}
