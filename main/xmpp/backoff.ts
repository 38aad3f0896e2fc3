/**
 * Reconnect delays: exponential from 1 s up to 2 minutes, with ±20 % jitter so that many clients cut off
 * by the same server restart do not all come back in the same second.
 */
export const BACKOFF_BASE_MS = 1_000;
export const BACKOFF_MAX_MS = 120_000;

export function reconnectDelay(attempt: number, random: () => number = Math.random): number {
  const exponential = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt));
  const jitter = 1 + (random() * 2 - 1) * 0.2;
  return Math.round(Math.min(BACKOFF_MAX_MS, exponential * jitter));
}
