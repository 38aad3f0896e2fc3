import type { ContactKeyStatus, KeyTrustDecision, TrustState } from '../../../contract';
export {
  capitalized,
  compactFingerprint,
  describeDeviation,
  describeEmptyGroups,
  describeRevocationAudience,
  REVOCATION_REASON_TEXT,
  describeDriftFinding,
  describeUnchecked,
  describeUnfinishedChange,
  groupFingerprint,
  uncapitalized,
  unverifiedNote,
  WATCHED_NODE_NAME,
} from '../../../contract/format';
import { quotedGroups } from '../../../contract/format';

/**
 * A date for people: "25 Nov 2026", the day it was where they are (the machine's time zone, as
 * formatWhen and Activity show times): a key published at 20:00 in Los Angeles was published that day,
 * not the next. Unknown stays visible as a dash.
 */
export function formatDay(iso: string | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '—';
  return date.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric' });
}

export const STATUS_TEXT: Record<ContactKeyStatus, string> = {
  valid: 'Valid',
  revoked: 'Revoked',
  weak: 'Weak key',
  expired: 'Expired',
  'not-yet-valid': 'Not yet valid',
  'jid-mismatch': 'Issued for another address',
  'fingerprint-mismatch': 'Fingerprint does not match',
  malformed: 'Unreadable certificate',
};

export const TRUST_TEXT: Record<TrustState, string> = {
  unverified: 'Not verified',
  verified: 'Verified',
  changed: 'Changed — check it',
  retracted: 'Withdrawn',
};

/** What a contact's trust policy makes of a key, for its badge. */
export const DECISION_TEXT: Record<KeyTrustDecision, string> = {
  verified: 'Verified',
  trusted: 'Trusted, not verified',
  untrusted: 'Not trusted until verified',
  changed: 'Changed — compare it',
  withdrawn: 'Withdrawn by its owner',
  revoked: 'Revoked by its owner',
};

// Counts read the same in the window, the terminal and main's messages.
export { formatCount } from '../../../contract/format';

/** A moment for people: "2 Dec 2026, 09:41". */
export function formatWhen(iso: string | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '—';
  return date.toLocaleString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false });
}

/**
 * "anyone", "contacts who see your presence", 'roster group "Friends"': told to the person who chose it,
 * in sentences about their keys and profile. Group names in quotes: a group may be called "Anyone".
 */
export function describeAccess(model: string, groups?: readonly string[], allow?: readonly string[]): string {
  switch (model) {
    case 'open':
      return 'anyone';
    case 'presence':
      return 'contacts who see your presence';
    case 'roster':
      return groups && groups.length ? `roster group${groups.length > 1 ? 's' : ''} ${quotedGroups(groups)}` : 'roster groups';
    case 'whitelist':
      return allow && allow.length ? `only ${allow.join(', ')}` : 'an allow list';
    default:
      return model;
  }
}

type Subscription = 'none' | 'to' | 'from' | 'both';

/** A roster subscription (RFC 6121 §2.1.2.5: from the user's side), in words. */
export function subscriptionText(subscription: Subscription, pending: boolean): string {
  const state = {
    both: 'You see each other’s presence.',
    to: 'You see their presence; they do not see yours.',
    from: 'They can see your presence; you do not see theirs.',
    none: 'Neither of you sees the other’s presence yet.',
  }[subscription];
  return pending ? `${state} You asked to see theirs; waiting for their answer.` : state;
}

/** The same, short, for a contact list row (nothing for the usual "both"). */
export function subscriptionShort(subscription: Subscription, pending: boolean): string {
  if (pending) return 'waiting for them';
  return { both: '', to: 'you see theirs', from: 'sees yours', none: 'none yet' }[subscription];
}
