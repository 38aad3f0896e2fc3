import type { CertificateStatus, TrustState } from '../../../contract';
export { compactFingerprint, describeDeviation, describeDriftFinding, groupFingerprint, WATCHED_NODE_NAME } from '../../../contract/format';

/** A date for people: "25 Nov 2026"; unknown stays visible as a dash. */
export function formatDay(iso: string | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '—';
  return date.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
}

export const STATUS_TEXT: Record<CertificateStatus, string> = {
  valid: 'Valid',
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

/** "anyone", "contacts who see my presence", "roster groups: Friends" — in the words of the person who chose it. */
export function describeAccess(model: string, groups?: readonly string[], allow?: readonly string[]): string {
  switch (model) {
    case 'open':
      return 'anyone';
    case 'presence':
      return 'contacts who see my presence';
    case 'roster':
      return groups && groups.length ? `roster group${groups.length > 1 ? 's' : ''}: ${groups.join(', ')}` : 'roster groups';
    case 'whitelist':
      return allow && allow.length ? `only ${allow.join(', ')}` : 'an allow list';
    default:
      return model;
  }
}
