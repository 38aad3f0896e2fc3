/**
 * When My keys asks main for the list again so that what it shows of the keys' time still holds
 * (renderer/src/lib/own-keys.ts nextValidityChange): at a key's start of validity (and the day before,
 * when its badge starts giving the minute), just after its end, and at each day its "expires in N days"
 * or "expired N days ago" counts another day. Revoked and undated keys never. And the words of the badge
 * of a key that has not started yet (notValidUntilText).
 */
import { describe, expect, it } from 'vitest';
import { formatDay, formatWhen } from '../../../renderer/src/lib/format.js';
import { nextValidityChange, notValidUntilText } from '../../../renderer/src/lib/own-keys.js';

const DAY = 86_400_000;
const NOW = Date.parse('2026-12-04T12:00:00Z');
const key = (notAfterMs: number | undefined, revoked = false, notBeforeMs?: number) => ({
  notBefore: notBeforeMs === undefined ? undefined : new Date(notBeforeMs).toISOString(),
  notAfter: notAfterMs === undefined ? undefined : new Date(notAfterMs).toISOString(),
  ...(revoked ? { revoked: { reason: 'retired' as const, date: '2026-12-01T00:00:00Z' } } : {}),
});

describe('the next moment what My keys says of a key’s time stops holding', () => {
  it('just after the end of a key expiring within the day', () => {
    expect(nextValidityChange([key(NOW + 45_000)], NOW)).toBe(NOW + 45_001);
  });

  it('the next day boundary of a key expiring later, and the earliest of several keys', () => {
    const end = NOW + 3 * DAY + 5_000;
    expect(nextValidityChange([key(end)], NOW)).toBe(NOW + 5_000 + 1);
    expect(nextValidityChange([key(NOW + 3 * DAY + 90_000), key(NOW + 60_000)], NOW)).toBe(NOW + 60_001);
  });

  it('for an expired key, when its "expired N days ago" counts another day', () => {
    const end = NOW - 2 * DAY - 1_000;
    const at = nextValidityChange([key(end)], NOW);
    expect(at).toBeGreaterThan(NOW);
    expect(at).toBe(end + 1 + 3 * DAY);
  });

  it('the moment a key that has not started yet starts: it may become the current key then', () => {
    const start = NOW + 45_000;
    expect(nextValidityChange([key(start + 365 * DAY, false, start)], NOW)).toBe(start);
    // Beside a key whose next change is later, the start comes first.
    expect(nextValidityChange([key(NOW + 3 * DAY + 90_000, false, NOW - DAY), key(start + 365 * DAY, false, start)], NOW)).toBe(start);
  });

  it('a day before a later start, when its badge starts giving the minute; the start itself after that', () => {
    // (No end date here: the daily count of "expires in N days" would come first.)
    const start = NOW + 7 * DAY;
    expect(nextValidityChange([key(undefined, false, start)], NOW)).toBe(start - DAY);
    expect(nextValidityChange([key(undefined, false, start)], start - DAY)).toBe(start);
  });

  it('never in the past, and nothing for revoked or undated keys', () => {
    for (const offset of [-DAY, -1, 0, 1, DAY, 40 * DAY]) expect(nextValidityChange([key(NOW + offset)], NOW)).toBeGreaterThan(NOW);
    for (const offset of [1, DAY, DAY + 1, 7 * DAY]) expect(nextValidityChange([key(NOW + 400 * DAY, false, NOW + offset)], NOW)).toBeGreaterThan(NOW);
    expect(nextValidityChange([key(NOW + DAY, true, NOW + 1_000), key(undefined)], NOW)).toBeUndefined();
  });
});

describe('the badge of a key that has not started yet', () => {
  it('names the local day of its start, as the other dates on the screen', () => {
    const start = new Date(NOW + 7 * DAY).toISOString();
    expect(notValidUntilText(start, NOW)).toBe(`Not valid until ${formatDay(start)}`);
  });

  it('within a day of its start, the minute, rounded up so it is never valid later than it says', () => {
    const start = NOW + 3 * 3600_000 + 30_000;
    expect(notValidUntilText(new Date(start).toISOString(), NOW)).toBe(`Not valid until ${formatWhen(new Date(NOW + 3 * 3600_000 + 60_000).toISOString())}`);
    const onTheMinute = NOW + 60_000;
    expect(notValidUntilText(new Date(onTheMinute).toISOString(), NOW)).toBe(`Not valid until ${formatWhen(new Date(onTheMinute).toISOString())}`);
  });

  it('with no readable start, only that it is not valid yet', () => {
    expect(notValidUntilText(undefined, NOW)).toBe('Not valid yet');
    expect(notValidUntilText('soon', NOW)).toBe('Not valid yet');
  });
});
