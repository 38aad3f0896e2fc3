import type { KeyTrustDecision } from '../../../contract';
import { compactFingerprint, compactOtherKeyFingerprint } from '../../../contract/format';
import { DECISION_TEXT } from './format';

/**
 * What the contact's page says about a fingerprint comparison, on the card of their X.509 keys and on
 * the card of their other apps' keys alike: what the typing hint may claim, and what a key's badge reads
 * while a comparison failed. Where a fingerprint that matched nothing differs from their keys is decided
 * in contract/comparison.ts, shared with the CLI. Plain functions, so each sentence can be checked
 * without a browser.
 */

/**
 * What a compare field may say while the user types, before main compares on submit. The key's own
 * length decides (X.509 and OMEMO fingerprints are 64 hex digits, OpenPGP ones 40):
 * - `match`: all the key's digits, and they are this key's;
 * - `so-far`: hex digits, fewer than the key has, that agree with this key so far (said as that, never as a match);
 * - `differs-at`: hex digits that already differ from this key at digit `digit`;
 * - `differs`: as many digits as the key has, not this key's (main still compares them with the
 *   contact's other keys);
 * - `too-long`: more hex digits than the key has;
 * - undefined: nothing to say (empty, a verification link, or not hex at all: main's format error
 *   says what is wrong on submit, and a hint beside it would contradict it).
 */
export type TypingHint =
  | { kind: 'match' }
  | { kind: 'so-far'; digits: number; of: number }
  | { kind: 'differs-at'; digit: number }
  | { kind: 'differs' }
  | { kind: 'too-long'; of: number };

/** The hint for hex digits already read as main reads them. */
function hintFor(digits: string, wanted: string): TypingHint {
  const of = wanted.length;
  if (digits.length > of) return { kind: 'too-long', of };
  const first = [...digits].findIndex((d, i) => d !== wanted[i]);
  if (digits.length === of) return first === -1 ? { kind: 'match' } : { kind: 'differs' };
  return first === -1 ? { kind: 'so-far', digits: digits.length, of } : { kind: 'differs-at', digit: first + 1 };
}

/**
 * The hint beside an X.509 key's compare field. Read as main reads it (contract/fingerprint.ts
 * parseVerificationClaim): spaces, colons and case ignored, nothing else.
 */
export function typingHint(typed: string, key: string): TypingHint | undefined {
  if (typed.trim() === '' || /^\s*xmpp:/i.test(typed) || !/^[0-9a-f\s:]*$/i.test(typed)) return undefined;
  return hintFor(compactFingerprint(typed), compactFingerprint(key));
}

/**
 * The hint beside an OMEMO device's or OpenPGP key's compare field. Read as main reads it
 * (contract/fingerprint.ts parseOtherKeyFingerprint): spaces, colons, dashes and case ignored, gpg's
 * "0x" dropped, and an OMEMO key may carry its type byte "05" in front (Gajim; 66 digits).
 */
export function otherKeyTypingHint(typed: string, key: string): TypingHint | undefined {
  const digits = compactOtherKeyFingerprint(typed);
  if (digits === '' || !/^[0-9a-f]*$/.test(digits)) return undefined;
  const wanted = compactFingerprint(key);
  const raw = hintFor(digits, wanted);
  if (wanted.length !== 64 || !digits.startsWith('05') || digits.length > 66) return raw;
  // Typed with the type byte or not, the reading that agrees is the one the user meant; with neither,
  // the one without "05" unless the key itself begins so (then the digits may simply be the key's).
  const stripped = hintFor(digits.slice(2), wanted);
  const agrees = (h: TypingHint) => h.kind === 'match' || h.kind === 'so-far';
  if (agrees(raw)) return raw;
  if (agrees(stripped)) return stripped;
  return wanted.startsWith('05') ? raw : stripped;
}

/** The hint's words and tone (a hint never says "match" before all the key's digits are there). */
export function typingHintText(hint: TypingHint): { text: string; tone: 'ok' | 'warn' } {
  switch (hint.kind) {
    case 'match':
      return { text: 'They match.', tone: 'ok' };
    case 'so-far':
      return { text: `The first ${hint.digits} of ${hint.of} digits agree; compare the rest too.`, tone: 'warn' };
    case 'differs-at':
      return { text: `They differ from this key at digit ${hint.digit}.`, tone: 'warn' };
    case 'differs':
      return { text: 'They do not match this key.', tone: 'warn' };
    case 'too-long':
      return { text: `That is more than ${hint.of} digits.`, tone: 'warn' };
  }
}

export type BadgeTone = 'ok' | 'warn' | 'danger' | 'neutral';

/** How loud each decision's badge is (its words are DECISION_TEXT). */
const DECISION_TONE: Record<KeyTrustDecision, BadgeTone> = {
  verified: 'ok',
  trusted: 'neutral',
  untrusted: 'warn',
  changed: 'danger',
  withdrawn: 'neutral',
  revoked: 'danger',
};

/**
 * A key's trust badge, X.509 key or other app's key. While a comparison that matched none of the keys on
 * that card is open (newer than any verification), the card tells the user not to rely on these keys,
 * so no badge beside it may read as reassuring: what main decided stays as it is (a mismatch changes no
 * key's trust by design), the words and tone say the comparison failed.
 */
export function keyBadge(decision: KeyTrustDecision, comparisonFailed: boolean): { text: string; tone: BadgeTone } {
  const usual = { text: DECISION_TEXT[decision], tone: DECISION_TONE[decision] };
  if (!comparisonFailed) return usual;
  switch (decision) {
    case 'trusted':
      return { text: 'Not verified — a comparison failed', tone: 'warn' };
    case 'untrusted':
      return { text: 'Not trusted — a comparison failed', tone: 'warn' };
    case 'verified':
      return { text: 'Verified before a comparison failed', tone: 'warn' };
    default:
      // Changed and revoked are alarms already; a withdrawn key is not among those compared.
      return usual;
  }
}
