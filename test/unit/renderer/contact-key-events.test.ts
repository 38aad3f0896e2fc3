/**
 * The Contacts screen's events (renderer/src/lib/contact-key-events.ts): a trust change made in another
 * window updates the keys shown without undoing what the last fetch said, goes to Activity never, and
 * the newer of a whole view and a trust change for the same contact wins whatever order they came in.
 */
import { describe, expect, it } from 'vitest';
import type { ContactKeysView, ContactKeyView } from '../../../contract/index.js';
import { applyPending, noPendingKeyViews, trustChange, whole } from '../../../renderer/src/lib/contact-key-events.js';

const JULIET = 'juliet@capulet.lit';
const FP = 'ab'.repeat(32);
const NEW_FP = 'cd'.repeat(32);

function key(fingerprint: string, trust: ContactKeyView['trust']): ContactKeyView {
  return { fingerprint, status: 'valid', reason: '', trust, decision: 'trusted', firstSeen: '2026-01-01T00:00:00Z', lastSeen: '2026-01-01T00:00:00Z' };
}

function view(keys: ContactKeyView[], extra: Partial<ContactKeysView> = {}): ContactKeysView {
  return { jid: JULIET, fetch: 'ok', keys, invalid: [], changes: [], policy: 'tofu', policySource: 'account', mismatches: [], ...extra };
}

describe('contacts:trust in a window that did not ask', () => {
  it('the key shows as the other window left it; what the last fetch said stays', () => {
    const shown = { [JULIET]: view([key(FP, 'verified')], { fetch: 'unreachable', detail: 'their server did not answer' }) };
    const pending = noPendingKeyViews();
    trustChange(pending, view([key(FP, 'unverified')], { fetch: 'ok' }));
    const applied = applyPending(shown, pending);
    expect(applied?.keys[JULIET]).toMatchObject({ fetch: 'unreachable', detail: 'their server did not answer', keys: [{ fingerprint: FP, trust: 'unverified' }] });
    // Nothing for Activity: the window that asked wrote its own line.
    expect(applied?.report).toEqual([]);
  });

  it('a fetch that came after the trust change wins; a trust change after a fetch goes into it', () => {
    const fetched = view([key(FP, 'verified'), key(NEW_FP, 'changed')], { changes: [{ kind: 'changed', fingerprint: NEW_FP }] });

    const trustFirst = noPendingKeyViews();
    trustChange(trustFirst, view([key(FP, 'unverified')]));
    whole(trustFirst, fetched);
    expect(applyPending({}, trustFirst)).toEqual({ keys: { [JULIET]: fetched }, report: [fetched] });

    const fetchFirst = noPendingKeyViews();
    whole(fetchFirst, fetched);
    trustChange(fetchFirst, view([key(FP, 'unverified'), key(NEW_FP, 'changed')]));
    const applied = applyPending({}, fetchFirst);
    expect(applied?.keys[JULIET]?.keys.map((k) => k.trust)).toEqual(['unverified', 'changed']);
    // The fetch's news still goes to Activity, once.
    expect(applied?.report.map((v) => v.changes)).toEqual([[{ kind: 'changed', fingerprint: NEW_FP }]]);
  });

  it('nothing waiting: nothing to redraw', () => {
    expect(applyPending({}, noPendingKeyViews())).toBeUndefined();
  });
});
