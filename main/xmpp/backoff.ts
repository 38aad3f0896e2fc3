/**
 * Reconnect delays: 1 s, 2 s, 4 s, then every 8 s, each with ±20 % jitter so that many clients cut off
 * by the same server restart do not all come back in the same second. The cap is what keeps the
 * promise that the app is online again within 15 s of its server's return, however long the outage:
 * at most 9.6 s until the next attempt, plus the sign-in itself.
 */
export const BACKOFF_BASE_MS = 1_000;
export const BACKOFF_MAX_MS = 8_000;
const JITTER = 0.2;

export function reconnectDelay(attempt: number, random: () => number = Math.random): number {
  const exponential = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt));
  return Math.round(exponential * (1 + (random() * 2 - 1) * JITTER));
}
