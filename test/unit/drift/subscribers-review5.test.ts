/**
 * Review 5's two cases where drift let a subscriber outside the audience pass: a narrowing of roster
 * groups cut off half way (the nurse it was to shut out is still subscribed: named, as an alarm), and
 * Accept offered for an access whose subscribers were listed but not judged (the roster was not read
 * for it). And, unchanged: a server that lists no subscriptions does not block Accept.
 */
import { describe, expect, it } from 'vitest';
import type { AccessRequest } from '../../../contract/index.js';
import { compareNode, type RecordedNode } from '../../../main/drift/compare.js';
import { acceptCurrent } from '../../../main/drift/restore-plan.js';
import type { NodeState } from '../../../main/xmpp/node-state.js';
import type { RosterItem } from '../../../main/xmpp/roster.js';
import { NODE, state } from './node-state-fixture.js';

const ROMEO = 'romeo@montague.lit';
const NURSE = 'nurse@capulet.lit';
const MALLORY = 'mallory@evil.example';
const contact = (jid: string, subscription: RosterItem['subscription'], ...groups: string[]): RosterItem => ({ jid, subscription, groups });
const recorded = (access: AccessRequest, extra: Partial<RecordedNode> = {}): RecordedNode => ({ node: NODE, access, maxItems: 32, itemIds: ['k1', 'k2', 'k3'], ...extra });

describe('a narrowing of roster groups cut off after the configuration (Prosody keeps subscriptions on a same-model change)', () => {
  it('the nurse it was to shut out, still subscribed, is named as an alarm beside the unfinished change', () => {
    const roster = [contact(ROMEO, 'both', 'Friends'), contact(NURSE, 'both', 'Servants')];
    const drift = compareNode(
      recorded({ model: 'roster', groups: ['Friends', 'Servants'] }, { accessAsked: { model: 'roster', groups: ['Friends'] } }),
      state({
        accessModel: 'roster',
        rosterGroups: ['Friends'],
        subscriptions: { status: 'listed', others: [{ jid: ROMEO, subscription: 'subscribed' }, { jid: NURSE, subscription: 'subscribed' }], roster: { status: 'listed', items: roster } },
      }),
    );
    // Before: only the notice 'access-narrowed', dismissible, naming nobody.
    expect(drift.unfinishedChange).toEqual({ model: 'roster', groups: ['Friends'] });
    expect(drift.findings).toContainEqual(expect.objectContaining({ code: 'subscribers-outside', severity: 'alarm', jids: [NURSE], audience: { model: 'roster', groups: ['Friends'] } }));
    expect(drift.severity).toBe('alarm');
  });
});

describe('Accept while subscriptions are listed but not judged for the access accepted', () => {
  it('recorded whitelist [romeo], another client set presence, mallory subscribed, no roster read for presence: Restore alone', () => {
    const rec = recorded({ model: 'whitelist', allow: [ROMEO] });
    const current = state({ accessModel: 'presence', subscriptions: { status: 'listed', others: [{ jid: MALLORY, subscription: 'subscribed' }] } });
    expect(compareNode(rec, current).findings).toContainEqual(expect.objectContaining({ code: 'subscribers-outside', jids: [MALLORY] }));
    // Before: ok, the widened audience recorded with mallory still subscribed.
    expect(acceptCurrent(rec, current)).toEqual({ ok: false, reason: 'not-representable' });
  });

  it('a server that lists no subscriptions (ejabberd 23.01) does not block Accept on that ground', () => {
    const rec = recorded({ model: 'whitelist', allow: [ROMEO] });
    const unlisted = { status: 'unknown', reason: 'refused', detail: 'feature-not-implemented' } as NodeState['subscriptions'];
    const current = state({ accessModel: 'presence', subscriptions: unlisted });
    expect(acceptCurrent(rec, current).ok).toBe(true);
  });
});
