/**
 * How far ahead of this machine's clock another's dates may be and still count as now. Clocks
 * disagree: a machine a few seconds behind its contact's would see every key they just made "not yet
 * valid", and one whose clock runs in local time instead of UTC (a computer that also boots Windows)
 * is off by its time zone, up to 14 hours. One tolerance for every date another person's device wrote:
 * a certificate's start of validity (validate.ts) and a signed statement's date (signed-statement.ts),
 * so a renewal's statement and the new certificate it introduces are never judged apart.
 */
export const CLOCK_DISAGREEMENT_TOLERANCE_MS = 24 * 60 * 60 * 1000;
