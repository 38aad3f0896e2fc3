/**
 * How a row of other apps' keys names a device's state and a missing fingerprint (walk 6: "Seen before"
 * on keys read for the first time a second earlier; "its keys could not be read" for a device whose app
 * published none).
 */
import { describe, expect, it } from 'vitest';
import { noFingerprintText, stateText } from '../../../renderer/src/lib/devices.svelte.js';
import { formatDay } from '../../../renderer/src/lib/format.js';

describe('the badge of a device or key', () => {
  it('says since when the app has known one that is not new, never that the person saw it before', () => {
    const firstSeen = '2026-12-05T18:00:00.000Z';
    expect(stateText({ state: 'known', firstSeen })).toBe(`Known since ${formatDay(firstSeen)}`);
    expect(stateText({ state: 'known', firstSeen })).not.toMatch(/before/i);
    expect(stateText({ state: 'new', firstSeen })).toBe('New');
    expect(stateText({ state: 'changed', firstSeen })).toBe('Changed');
    expect(stateText({ state: 'removed', firstSeen })).toBe('Removed');
  });
});

describe('a device without a fingerprint', () => {
  it('says its app published no keys when none were published, and that they could not be read otherwise', () => {
    expect(noFingerprintText({ noBundle: true })).toBe('No fingerprint: the app on this device published no keys for it.');
    expect(noFingerprintText({})).toBe('No fingerprint: its keys could not be read.');
  });
});
