import type { ContactKeyView } from '../../../contract';
import { compactFingerprint } from '../../../contract/format';
import { DECISION_TEXT } from './format';

/**
 * What the contact's page says about a fingerprint comparison: where a fingerprint that matched
 * nothing differs from their keys, what the typing hint may claim, and what a key's badge reads while a
 * comparison failed. Plain functions, so each sentence can be checked without a browser.
 */

/** One group of four digits of a compared fingerprint, and whether it differs from the closest key. */
export interface ComparedGroup {
  text: string;
  differs: boolean;
}

export interface Comparison {
  /** The compared fingerprint in groups of four, every group (a near miss is told by its last digits). */
  groups: ComparedGroup[];
  /** The key it is closest to; absent when it shares no group with any key (nothing to point at). */
  closest?: string;
  /** 1-based numbers of the groups that differ from `closest` (empty without one). */
  differing: number[];
}

const GROUP = /.{1,4}/g;
const groupsOf = (hex: string): string[] => compactFingerprint(hex).match(GROUP) ?? [];

/**
 * Lays a fingerprint that matched none of `keys` beside the one it is closest to (fewest differing
 * groups), so the page can show which groups differ: a fingerprint that begins like the contact's key
 * but ends otherwise must not be quoted by its beginning alone.
 */
export function compareWithKeys(offered: string, keys: readonly string[]): Comparison {
  const mine = groupsOf(offered);
  let best: { key: string; differing: number[] } | undefined;
  for (const key of keys) {
    const theirs = groupsOf(key);
    const differing = mine.flatMap((group, i) => (group === theirs[i] ? [] : [i + 1]));
    if (!best || differing.length < best.differing.length) best = { key, differing };
  }
  // Sharing no group at all, it is simply another key: marking all of it would say nothing.
  if (!best || best.differing.length === mine.length) return { groups: mine.map((text) => ({ text, differs: false })), differing: [] };
  const differing = new Set(best.differing);
  return { groups: mine.map((text, i) => ({ text, differs: differing.has(i + 1) })), closest: best.key, differing: best.differing };
}

/** 1-based group numbers in words, runs joined: "group 16", "groups 14–16", "groups 2, 5 and 14–16". */
export function describeGroups(numbers: readonly number[]): string {
  const sorted = [...new Set(numbers)].sort((a, b) => a - b);
  const runs: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let end = i;
    while (end + 1 < sorted.length && sorted[end + 1] === (sorted[end] ?? 0) + 1) end++;
    runs.push(end === i ? `${sorted[i]}` : `${sorted[i]}–${sorted[end]}`);
    i = end + 1;
  }
  const listed = runs.length > 1 ? `${runs.slice(0, -1).join(', ')} and ${runs[runs.length - 1]}` : (runs[0] ?? '');
  return `${sorted.length === 1 ? 'group' : 'groups'} ${listed}`;
}

/**
 * What the compare dialog may say while the user types, before main compares on submit:
 * - `match`: the 64 digits are this key's;
 * - `so-far`: hex digits, fewer than 64, that agree with this key so far (the only "(yet)");
 * - `differs-at`: hex digits that already differ from this key at digit `digit`;
 * - `differs`: 64 digits, not this key's (main still compares them with their other keys);
 * - `too-long`: more than 64 hex digits;
 * - undefined: nothing to say (empty, a verification link, or not hex at all: main's format error
 *   says what is wrong on submit, and a hint beside it would contradict it).
 */
export type TypingHint =
  | { kind: 'match' }
  | { kind: 'so-far'; digits: number }
  | { kind: 'differs-at'; digit: number }
  | { kind: 'differs' }
  | { kind: 'too-long' };

export function typingHint(typed: string, key: string): TypingHint | undefined {
  if (typed.trim() === '' || /^\s*xmpp:/i.test(typed) || !/^[0-9a-f\s:]*$/i.test(typed)) return undefined;
  const digits = compactFingerprint(typed);
  const wanted = compactFingerprint(key);
  if (digits.length > wanted.length) return { kind: 'too-long' };
  const first = [...digits].findIndex((d, i) => d !== wanted[i]);
  if (digits.length === wanted.length) return first === -1 ? { kind: 'match' } : { kind: 'differs' };
  return first === -1 ? { kind: 'so-far', digits: digits.length } : { kind: 'differs-at', digit: first + 1 };
}

/** The hint's words and tone (a hint never says "match" before all 64 digits are there). */
export function typingHintText(hint: TypingHint): { text: string; tone: 'ok' | 'warn' } {
  switch (hint.kind) {
    case 'match':
      return { text: 'They match.', tone: 'ok' };
    case 'so-far':
      return { text: `They do not match this key (yet): ${hint.digits} of 64 digits.`, tone: 'warn' };
    case 'differs-at':
      return { text: `They differ from this key at digit ${hint.digit}.`, tone: 'warn' };
    case 'differs':
      return { text: 'They do not match this key.', tone: 'warn' };
    case 'too-long':
      return { text: 'That is more than 64 digits.', tone: 'warn' };
  }
}

export type BadgeTone = 'ok' | 'warn' | 'danger' | 'neutral';

/** How loud each decision's badge is (its words are DECISION_TEXT). */
const DECISION_TONE: Record<ContactKeyView['decision'], BadgeTone> = {
  verified: 'ok',
  trusted: 'neutral',
  untrusted: 'warn',
  changed: 'danger',
  withdrawn: 'neutral',
  revoked: 'danger',
};

/**
 * A key's trust badge. While a comparison that matched none of the contact's keys is open (newer than
 * any verification), the page tells the user not to rely on these keys, so no badge beside it may read
 * as reassuring: what main decided stays as it is (a mismatch changes no key's trust by design), the
 * words and tone say the comparison failed.
 */
export function keyBadge(decision: ContactKeyView['decision'], comparisonFailed: boolean): { text: string; tone: BadgeTone } {
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
