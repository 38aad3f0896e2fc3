/**
 * Who needs the user before their keys are relied on, as the Contacts banner, its rows and the sidebar
 * say it (renderer/src/lib/attention.ts): a changed key, and a comparison that matched none of a
 * contact's keys with no match since. Before, only changed keys were counted: a contact whose page
 * said "someone may be between you" was not marked anywhere else.
 */
import { describe, expect, it } from 'vitest';
import { attentionBanner, attentionList, attentionNav, attentionOf, hasOpenMismatch } from '../../../renderer/src/lib/attention.js';

const JULIET = 'juliet@capulet.lit';
const TYBALT = 'tybalt@capulet.lit';

describe('contacts who need a look', () => {
  it('an open mismatch counts, one answered by a later match or verification does not', () => {
    const mismatch = { offered: 'a'.repeat(64), at: '2026-12-04T10:00:00.000Z', via: 'typed' as const };
    expect(hasOpenMismatch({ mismatches: [], keys: [] })).toBe(false);
    expect(hasOpenMismatch({ mismatches: [mismatch], keys: [{}] })).toBe(true);
    expect(hasOpenMismatch({ mismatches: [mismatch], keys: [{}], lastMatchAt: '2026-12-04T10:01:00.000Z' })).toBe(false);
    expect(hasOpenMismatch({ mismatches: [mismatch], keys: [{ verifiedAt: '2026-12-04T10:01:00.000Z' }] })).toBe(false);
  });

  it('says a changed key as before, a failed comparison as its own alarm, and both together', () => {
    expect(attentionBanner({ changed: [JULIET], mismatched: [] })).toBe('A key changed for this contact: compare fingerprints before you rely on it.');
    expect(attentionBanner({ changed: [], mismatched: [JULIET, TYBALT] })).toBe(
      'A fingerprint you compared matched none of the keys of these 2 contacts: do not rely on them until a comparison matches.',
    );
    expect(attentionBanner({ changed: [TYBALT], mismatched: [JULIET] })).toBe(
      'A key changed, or a fingerprint you compared matched none of their keys, for these 2 contacts: compare fingerprints before you rely on them.',
    );
    expect(attentionList({ changed: [TYBALT, JULIET], mismatched: [JULIET] })).toEqual([JULIET, TYBALT]);
  });

  it('each row and the sidebar name why', () => {
    const both = { changed: [JULIET], mismatched: [JULIET, TYBALT] };
    expect(attentionOf(both, JULIET)).toBe('Key changed; a comparison matched none of their keys');
    expect(attentionOf(both, 'romeo@montague.lit')).toBe('');
    expect(attentionNav({ changed: [], mismatched: [] })).toBeUndefined();
    expect(attentionNav({ changed: [JULIET], mismatched: [] })).toEqual({ count: 1, title: `Key changed: ${JULIET}`, spoken: `, 1 changed key: ${JULIET}` });
    expect(attentionNav(both)).toEqual({
      count: 2,
      title: `To check: ${JULIET} (key changed; a comparison matched none of their keys), ${TYBALT} (a comparison matched none of their keys)`,
      spoken: `, 2 contacts to check: ${JULIET} (key changed; a comparison matched none of their keys), ${TYBALT} (a comparison matched none of their keys)`,
    });
  });
});
