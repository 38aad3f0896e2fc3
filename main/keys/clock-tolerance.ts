/**
 * How far ahead of this machine's clock another's dates may be and still count as now. Clocks
 * disagree: a machine a few seconds behind its contact's would see every key they just made "not yet
 * valid", and one whose clock runs in local time instead of UTC (a computer that also boots Windows)
 * is off by its time zone, up to 14 hours. One tolerance for every date another person's device wrote:
 * a certificate's start of validity (validate.ts) and a signed statement's date (signed-statement.ts),
 * so a renewal's statement and the new certificate it introduces are never judged apart.
 */
export const CLOCK_DISAGREEMENT_TOLERANCE_MS = 24 * 60 * 60 * 1000;

/**
 * How long before the moment it is made a certificate the app makes starts (its notBefore). The other
 * side of the same disagreement: a reader whose clock runs a little behind ours and that allows no
 * tolerance (other clients; RFC 5280 §4.1.2.5 has none) would refuse a key made a minute ago as not yet
 * valid. Public CAs backdate by about an hour for the same reason (Let's Encrypt does). One hour covers
 * the clocks that drift or were set by hand, without making a key valid before its owner could have
 * held it in any way that matters. Its end is not moved: the lifetime the person chose counts from the
 * moment the key is made (certificate.ts), so it expires when they expect.
 */
export const CERTIFICATE_BACKDATE_MS = 60 * 60 * 1000;
