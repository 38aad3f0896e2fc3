/**
 * When My keys asks main for the list again so that what it shows of the keys' time still holds
 * (renderer/src/lib/own-keys.ts nextExpiryChange): just after a key's end of validity, and at each day
 * its "expires in N days" or "expired N days ago" counts another day. Revoked and undated keys never.
 */
import { describe, expect, it } from 'vitest';
import { nextExpiryChange } from '../../../renderer/src/lib/own-keys.js';

const DAY = 86_400_000;
const NOW = Date.parse('2026-12-04T12:00:00Z');
const key = (notAfterMs: number | undefined, revoked = false) => ({
  notAfter: notAfterMs === undefined ? undefined : new Date(notAfterMs).toISOString(),
  ...(revoked ? { revoked: { reason: 'retired' as const, date: '2026-12-01T00:00:00Z' } } : {}),
});

describe('the next moment what My keys says of expiry stops holding', () => {
  it('just after the end of a key expiring within the day', () => {
    expect(nextExpiryChange([key(NOW + 45_000)], NOW)).toBe(NOW + 45_001);
  });

  it('the next day boundary of a key expiring later, and the earliest of several keys', () => {
    const end = NOW + 3 * DAY + 5_000;
    expect(nextExpiryChange([key(end)], NOW)).toBe(NOW + 5_000 + 1);
    expect(nextExpiryChange([key(NOW + 3 * DAY + 90_000), key(NOW + 60_000)], NOW)).toBe(NOW + 60_001);
  });

  it('for an expired key, when its "expired N days ago" counts another day', () => {
    const end = NOW - 2 * DAY - 1_000;
    const at = nextExpiryChange([key(end)], NOW);
    expect(at).toBeGreaterThan(NOW);
    expect(at).toBe(end + 1 + 3 * DAY);
  });

  it('never in the past, and nothing for revoked or undated keys', () => {
    for (const offset of [-DAY, -1, 0, 1, DAY, 40 * DAY]) expect(nextExpiryChange([key(NOW + offset)], NOW)).toBeGreaterThan(NOW);
    expect(nextExpiryChange([key(NOW + DAY, true), key(undefined)], NOW)).toBeUndefined();
  });
});
