/**
 * Restore as data: which requests put a drifted node back as the app published it (the configuration
 * and affiliations through ensurePersistentNode, the removed items republished from the vault), and
 * what Accept records instead, or why it cannot.
 */
import { describe, expect, it } from 'vitest';
import { compareNode, type RecordedNode } from '../../../main/drift/compare.js';
import { acceptCurrent, planRestore } from '../../../main/drift/restore-plan.js';
import type { NodeState } from '../../../main/xmpp/node-state.js';
import { revocationItemId } from '../../../main/xmpp/key-statements.js';
import { NODE, state } from './node-state-fixture.js';
import type { AccessRequest } from '../../../contract/index.js';

const ROMEO = 'romeo@montague.lit';
const MALLORY = 'mallory@evil.example';

function recorded(access: AccessRequest, itemIds = ['k1', 'k2', 'k3']): RecordedNode {
  return { node: NODE, access, maxItems: 32, itemIds };
}

const plan = (r: RecordedNode, s: NodeState | undefined) => planRestore(r, compareNode(r, s));

describe('restore plan', () => {
  it('nothing drifted: nothing to do', () => {
    expect(plan(recorded({ model: 'presence' }), state())).toBeUndefined();
  });

  it('roster Friends → open: reconfigure back to roster Friends, nothing to republish', () => {
    const access: AccessRequest = { model: 'roster', groups: ['Friends'] };
    expect(plan(recorded(access), state({ accessModel: 'open' }))).toEqual({
      node: NODE,
      reconfigure: { access, maxItems: 32, restores: ['access'], affiliations: [] },
      republish: [],
    });
  });

  it('a narrowing is put back as well (presence → whitelist)', () => {
    expect(plan(recorded({ model: 'presence' }), state({ accessModel: 'whitelist' }))?.reconfigure?.restores).toEqual(['access']);
  });

  it('republished with max_items 1: raise max_items back and republish the removed items, oldest first', () => {
    expect(plan(recorded({ model: 'presence' }), state({ maxItems: '1', items: { status: 'listed', ids: ['theirs'] } }))).toEqual({
      node: NODE,
      reconfigure: { access: { model: 'presence' }, maxItems: 32, restores: ['persistence'], affiliations: [] },
      republish: ['k1', 'k2', 'k3'],
    });
  });

  it('only items removed: republish them, no reconfiguration (publishing reads the configuration anyway)', () => {
    expect(plan(recorded({ model: 'presence' }), state({ items: { status: 'listed', ids: ['k3', 'k1'] } }))).toEqual({ node: NODE, republish: ['k2'] });
  });

  it('a member added behind the app’s back is removed; a whitelist member removed is put back; one made publisher goes back to member', () => {
    const access: AccessRequest = { model: 'whitelist', allow: [ROMEO, 'nurse@capulet.lit', 'tybalt@capulet.lit'] };
    const current = state({
      accessModel: 'whitelist',
      affiliations: {
        status: 'listed',
        others: [
          { jid: MALLORY, affiliation: 'member' },
          { jid: ROMEO, affiliation: 'member' },
          { jid: 'tybalt@capulet.lit', affiliation: 'publisher' },
        ],
      },
    });
    expect(plan(recorded(access), current)?.reconfigure).toEqual({
      access,
      maxItems: 32,
      restores: ['members'],
      affiliations: [
        { jid: MALLORY, affiliation: 'none' },
        { jid: 'tybalt@capulet.lit', affiliation: 'member' },
        { jid: 'nurse@capulet.lit', affiliation: 'member' },
      ],
    });
  });

  it('a deleted node is made again with its members, and every recorded item republished', () => {
    const access: AccessRequest = { model: 'whitelist', allow: [ROMEO] };
    expect(plan(recorded(access), undefined)).toEqual({
      node: NODE,
      reconfigure: { access, maxItems: 32, restores: ['node'], affiliations: [{ jid: ROMEO, affiliation: 'member' }] },
      republish: ['k1', 'k2', 'k3'],
    });
  });

  it('everything at once: one reconfiguration that restores access, members and persistence, then the items', () => {
    const result = plan(
      recorded({ model: 'roster', groups: ['Friends'] }),
      state({ accessModel: 'open', maxItems: '1', items: { status: 'listed', ids: ['theirs'] }, affiliations: { status: 'listed', others: [{ jid: MALLORY, affiliation: 'publisher' }] } }),
    );
    expect(result?.reconfigure?.restores).toEqual(['access', 'members', 'persistence']);
    expect(result?.reconfigure?.affiliations).toEqual([{ jid: MALLORY, affiliation: 'none' }]);
    expect(result?.republish).toEqual(['k1', 'k2', 'k3']);
  });
});

describe('accept the current state', () => {
  it('open now: recorded as open, with the items still there and the settings as they are', () => {
    const outcome = acceptCurrent(recorded({ model: 'roster', groups: ['Friends'] }), state({ accessModel: 'open', maxItems: '1', items: { status: 'listed', ids: ['k3', 'theirs'] } }));
    expect(outcome).toEqual({
      ok: true,
      recorded: { node: NODE, access: { model: 'open' }, maxItems: 32, itemIds: ['k3'], applied: { persistItems: true, sendLastPublishedItem: 'never', maxItems: '1' } },
    });
  });

  it('another roster group set and a whitelist with a new member are recorded as such', () => {
    const roster = acceptCurrent(recorded({ model: 'roster', groups: ['Friends'] }), state({ accessModel: 'roster', rosterGroups: ['Servants'] }));
    expect(roster.ok && roster.recorded.access).toEqual({ model: 'roster', groups: ['Servants'] });
    const whitelist = acceptCurrent(
      recorded({ model: 'whitelist', allow: [ROMEO] }),
      state({ accessModel: 'whitelist', affiliations: { status: 'listed', others: [{ jid: ROMEO, affiliation: 'member' }, { jid: MALLORY, affiliation: 'member' }] } }),
    );
    expect(whitelist.ok && whitelist.recorded.access).toEqual({ model: 'whitelist', allow: [ROMEO, MALLORY] });
  });

  it('a revocation of one of the account’s keys removed by another app cannot be accepted: contacts must still read it', () => {
    const revocation = revocationItemId('ab'.repeat(32));
    const withRevocation = recorded({ model: 'presence' }, ['k1', revocation]);
    // Only the key removed: accepted as before.
    expect(acceptCurrent(withRevocation, state({ items: { status: 'listed', ids: [revocation] } })).ok).toBe(true);
    // The revocation removed, alone or with the rest: only Restore.
    expect(acceptCurrent(withRevocation, state({ items: { status: 'listed', ids: ['k1'] } }))).toEqual({ ok: false, reason: 'revocation-removed' });
    expect(acceptCurrent(withRevocation, state({ accessModel: 'open', items: { status: 'listed', ids: [] } }))).toEqual({ ok: false, reason: 'revocation-removed' });
  });

  it('items that could not be listed stay recorded', () => {
    const outcome = acceptCurrent(recorded({ model: 'presence' }), state({ accessModel: 'open', items: { status: 'unknown', reason: 'refused', detail: 'x' } }));
    expect(outcome.ok && outcome.recorded.itemIds).toEqual(['k1', 'k2', 'k3']);
  });

  it.each<[string, Partial<NodeState>, string]>([
    ['an access model the app does not offer', { accessModel: 'authorize' }, 'unknown-access-model'],
    ['a member of a presence node', { affiliations: { status: 'listed', others: [{ jid: MALLORY, affiliation: 'member' }] } }, 'not-representable'],
    ['a publisher on an open node', { accessModel: 'open', affiliations: { status: 'listed', others: [{ jid: MALLORY, affiliation: 'publisher' }] } }, 'not-representable'],
    ['a whitelist with no one on it', { accessModel: 'whitelist' }, 'not-representable'],
    ['a whitelist whose members the server would not list', { accessModel: 'whitelist', affiliations: { status: 'unknown', reason: 'failed', detail: 'x' } }, 'not-representable'],
    ['roster access without a group', { accessModel: 'roster', rosterGroups: [] }, 'not-representable'],
  ])('cannot accept %s: only Restore fits', (_what, current, reason) => {
    expect(acceptCurrent(recorded({ model: 'presence' }), state(current))).toEqual({ ok: false, reason });
  });
});
