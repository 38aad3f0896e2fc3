/**
 * Where a fingerprint that matched none of a contact's keys differs from them: the one place that
 * decides it, for the window (renderer/src/components/ComparedFingerprint.svelte) and the terminal
 * (main/cli/output.ts, `contacts verify`). A near miss begins exactly like the real key, so it is
 * never quoted by its beginning alone: the whole of it is shown, with the differing groups named.
 * Dependency-free: main and the renderer both import it at run time.
 */
import { fingerprintGroups, shortFingerprint, X509_STYLE, type FingerprintStyle } from './format.js';

/** One group of a compared fingerprint (in the style it is shown in), and whether it differs from the closest key. */
export interface ComparedGroup {
  text: string;
  differs: boolean;
}

export interface Comparison {
  /** The compared fingerprint in groups, every group (a near miss is told by its last digits). */
  groups: ComparedGroup[];
  /** The key it is closest to; absent when it shares no group with any key of its length (nothing to point at). */
  closest?: string;
  /** 1-based numbers of the groups that differ from `closest` (empty without one). */
  differing: number[];
}

/**
 * Lays a fingerprint that matched none of `keys` beside the one it is closest to (fewest differing
 * groups, in `style`'s groups: those the user sees), so the page or the terminal can say which groups
 * differ. Only keys with as many digits are candidates: a 40-digit OpenPGP fingerprint is not a near
 * miss of a 64-digit OMEMO key, whatever digits they share.
 */
export function compareWithKeys(offered: string, keys: readonly string[], style: FingerprintStyle = X509_STYLE): Comparison {
  const mine = fingerprintGroups(offered, style);
  const length = mine.join('').length;
  let best: { key: string; differing: number[] } | undefined;
  for (const key of keys) {
    const theirs = fingerprintGroups(key, style);
    if (theirs.join('').length !== length) continue;
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
 * The comparison in words, for a line of text (the terminal): "differs from their key e706 91ca ce2a
 * 787a… in group 16 of 16", or "has no group in common with any of their keys". The window says the
 * same around its marked groups (ComparedFingerprint.svelte).
 */
export function describeComparison(comparison: Comparison, style: FingerprintStyle = X509_STYLE): string {
  if (comparison.closest === undefined) return `has no group of ${groupSizeInWords(style)} in common with any of their keys`;
  return `differs from their key ${shortFingerprint(comparison.closest, style)} in ${describeGroups(comparison.differing)} of ${comparison.groups.length}`;
}

/** "four", "eight": how the groups are called in a sentence. */
export function groupSizeInWords(style: FingerprintStyle): string {
  return style.groupSize === 4 ? 'four' : style.groupSize === 8 ? 'eight' : `${style.groupSize}`;
}

/**
 * The comparisons that matched nothing and no comparison answered since: a mismatch is answered by a
 * comparison that matched after it (`lastMatchAt`, kept even once that verification is taken back, when
 * the key's `verifiedAt` goes) or by a key verified after it (a vault from before `lastMatchAt` was
 * kept has only that). The one place that decides which mismatches still sound the alarm, for X.509
 * keys and other apps' keys alike, on the contact's page and at the terminal. Newest first, as given.
 */
export function openMismatches<M extends { at: string }>(mismatches: readonly M[], keys: readonly { verifiedAt?: string | undefined }[], lastMatchAt?: string): M[] {
  const time = (iso: string | undefined) => (iso ? Date.parse(iso) || 0 : 0);
  const answeredUntil = Math.max(0, time(lastMatchAt), ...keys.map((k) => time(k.verifiedAt)));
  return mismatches.filter((m) => time(m.at) >= answeredUntil);
}
