/**
 * When to warn that a certificate expires: 30, 7 and 1 days before its notAfter, and once it has.
 * RFC 5280 §4.1.2.5: the validity period includes notAfter itself, so a certificate is expired only
 * after that instant. Pure and total: a date that cannot be read gives 'unknown', never an exception.
 */

const DAY_MS = 86_400_000;

/** The warning thresholds, nearest last: each applies from that many days before notAfter. */
export const EXPIRY_WARNING_DAYS = [30, 7, 1] as const;

export type ExpiryWarning =
  | { level: 'none'; daysLeft: number }
  | { level: 'within-30-days' | 'within-7-days' | 'within-1-day'; daysLeft: number }
  | { level: 'expired'; daysAgo: number }
  | { level: 'unknown' };

/**
 * The warning for a certificate valid until `notAfter` (a Date or an ISO 8601 string, as
 * CertificateCheck.notAfter), at `now`. daysLeft is rounded up (23 hours left is 1 day), daysAgo
 * down (expired an hour ago is 0 days ago).
 */
export function expiryWarning(notAfter: Date | string | undefined, now: Date = new Date()): ExpiryWarning {
  const end = notAfter instanceof Date ? notAfter.getTime() : typeof notAfter === 'string' ? Date.parse(notAfter) : Number.NaN;
  const at = now instanceof Date ? now.getTime() : Number.NaN;
  if (!Number.isFinite(end) || !Number.isFinite(at)) return { level: 'unknown' };
  const left = end - at;
  if (left < 0) return { level: 'expired', daysAgo: Math.floor(-left / DAY_MS) };
  const daysLeft = Math.ceil(left / DAY_MS);
  if (left <= 1 * DAY_MS) return { level: 'within-1-day', daysLeft };
  if (left <= 7 * DAY_MS) return { level: 'within-7-days', daysLeft };
  if (left <= 30 * DAY_MS) return { level: 'within-30-days', daysLeft };
  return { level: 'none', daysLeft };
}
