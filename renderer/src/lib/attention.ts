/**
 * Contacts who need the user before their keys are relied on, said where they are counted (the
 * Contacts banner and rows, the sidebar): a key that changed (a key stood in for one they had seen), or
 * a fingerprint comparison that matched none of their keys and that no later match answered (the
 * contact's page shows it as its loudest alarm: "someone may be between you"). Plain functions, so each
 * sentence is checked without a browser.
 */
import { openMismatches } from '../../../contract/comparison';
import { capitalized, formatCount } from './format';

/** Whom each reason names (bare JIDs, sorted); a contact may be in both. */
export interface Attention {
  changed: readonly string[];
  mismatched: readonly string[];
}

/** Whether a contact's keys view (X.509, or other apps') holds a mismatch nothing answered since. */
export function hasOpenMismatch(view: { mismatches: readonly { at: string }[]; keys: readonly { verifiedAt?: string | undefined }[]; lastMatchAt?: string | undefined }): boolean {
  // Most contacts were never compared wrongly: no work for them.
  return view.mismatches.length > 0 && openMismatches(view.mismatches, view.keys, view.lastMatchAt).length > 0;
}

/** Everyone named, once, sorted. */
export function attentionList(a: Attention): string[] {
  return [...new Set([...a.changed, ...a.mismatched])].sort();
}

/** The Contacts screen's banner. */
export function attentionBanner(a: Attention): string {
  const all = attentionList(a);
  const whom = all.length === 1 ? 'this contact' : `these ${formatCount(all.length)} contacts`;
  if (a.mismatched.length === 0) return `A key changed for ${whom}: compare fingerprints before you rely on it.`;
  if (a.changed.length === 0) return `A fingerprint you compared matched none of the keys of ${whom}: do not rely on them until a comparison matches.`;
  return `A key changed, or a fingerprint you compared matched none of their keys, for ${whom}: compare fingerprints before you rely on them.`;
}

/** A contact's row mark's words (its title), empty when the contact needs nothing. */
export function attentionOf(a: Attention, jid: string): string {
  const reasons = [a.changed.includes(jid) ? 'key changed' : '', a.mismatched.includes(jid) ? 'a comparison matched none of their keys' : ''].filter(Boolean).join('; ');
  return capitalized(reasons);
}

/** The sidebar's Contacts entry: how many, its tooltip, and what a screen reader says after "Contacts". */
export function attentionNav(a: Attention): { count: number; title: string; spoken: string } | undefined {
  const all = attentionList(a);
  if (all.length === 0) return undefined;
  if (a.mismatched.length === 0) return { count: all.length, title: `Key changed: ${all.join(', ')}`, spoken: `, ${all.length} changed key${all.length > 1 ? 's' : ''}: ${all.join(', ')}` };
  const named = all.map((jid) => `${jid} (${attentionOf(a, jid).toLowerCase()})`).join(', ');
  return { count: all.length, title: `To check: ${named}`, spoken: `, ${all.length} contact${all.length > 1 ? 's' : ''} to check: ${named}` };
}
