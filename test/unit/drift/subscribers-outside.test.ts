/**
 * Drift: explicit subscribers (XEP-0060 §6.1) whom the recorded audience leaves out. Both servers send
 * each new item to every subscriber whatever the access model (node-subscriptions.ts), so a contact
 * who subscribed while allowed and was then taken off the roster, or out of a roster group, or off a
 * whitelist by another client that kept the subscription, is sent every key published: an alarm,
 * although no access setting changed. Judged as publishing ends them (subscriptionsOutside): the
 * account's own subscription never counts, presence and roster access by the roster as read now, and
 * a list the server would not give (ejabberd 23.01 on PEP) is unchecked, never "nobody".
 */
import { describe, expect, it } from 'vitest';
import { compareNode, type RecordedNode } from '../../../main/drift/compare.js';
import { acceptCurrent, planRestore } from '../../../main/drift/restore-plan.js';
import type { NodeState } from '../../../main/xmpp/node-state.js';
import type { RosterItem } from '../../../main/xmpp/roster.js';
import type { AccessRequest } from '../../../contract/index.js';
import { describeDriftFinding } from '../../../contract/format.js';
import { NODE, OWNER, state } from './node-state-fixture.js';

const ROMEO = 'romeo@montague.lit';
const NURSE = 'nurse@capulet.lit';
const BENVOLIO = 'benvolio@montague.lit';
const MALLORY = 'mallory@evil.example';

function recorded(access: AccessRequest, extra: Partial<RecordedNode> = {}): RecordedNode {
  return { node: NODE, access, maxItems: 32, itemIds: ['k1', 'k2', 'k3'], ...extra };
}

/** The node's subscriptions (all 'subscribed' unless named), with the roster where it was read. */
function subscribed(jids: (string | [string, string])[], roster?: RosterItem[] | 'unread'): Partial<NodeState> {
  const others = jids.map((j) => (typeof j === 'string' ? { jid: j, subscription: 'subscribed' } : { jid: j[0], subscription: j[1] }));
  if (roster === undefined) return { subscriptions: { status: 'listed', others } };
  return {
    subscriptions: {
      status: 'listed',
      others,
      roster: roster === 'unread' ? { status: 'unknown', reason: 'failed', detail: 'timeout' } : { status: 'listed', items: roster },
    },
  };
}

const contact = (jid: string, subscription: RosterItem['subscription'], ...groups: string[]): RosterItem => ({ jid, subscription, groups });

describe('drift: subscribers the audience leaves out (alarm)', () => {
  it('presence: a subscriber no longer on the roster (removed, RFC 6121 §2.5) is named; a contact who sees the presence is not', () => {
    const drift = compareNode(recorded({ model: 'presence' }), state(subscribed([ROMEO, BENVOLIO], [contact(ROMEO, 'both')])));
    expect(drift.findings).toEqual([{ code: 'subscribers-outside', severity: 'alarm', jids: [BENVOLIO], audience: { model: 'presence' } }]);
    expect(drift.severity).toBe('alarm');
    expect(drift.unchecked).toEqual([]);
  });

  it('presence: a roster item that does not see the presence (to, none) is outside too', () => {
    const drift = compareNode(recorded({ model: 'presence' }), state(subscribed([ROMEO, BENVOLIO], [contact(ROMEO, 'from'), contact(BENVOLIO, 'to')])));
    expect(drift.findings).toEqual([expect.objectContaining({ code: 'subscribers-outside', jids: [BENVOLIO] })]);
  });

  it('roster groups: a contact moved out of the allowed group is named, one in it is not', () => {
    const access: AccessRequest = { model: 'roster', groups: ['Friends'] };
    const roster = [contact(ROMEO, 'both', 'Friends'), contact(NURSE, 'both', 'Servants')];
    const drift = compareNode(recorded(access), state({ accessModel: 'roster', rosterGroups: ['Friends'], ...subscribed([ROMEO, NURSE], roster) }));
    expect(drift.findings).toEqual([{ code: 'subscribers-outside', severity: 'alarm', jids: [NURSE], audience: access }]);
  });

  it('whitelist: anyone subscribed but its members, without reading the roster', () => {
    const access: AccessRequest = { model: 'whitelist', allow: [ROMEO] };
    const drift = compareNode(recorded(access), state({ accessModel: 'whitelist', affiliations: { status: 'listed', others: [{ jid: ROMEO, affiliation: 'member' }] }, ...subscribed([ROMEO, `${MALLORY}/phone`]) }));
    expect(drift.findings).toEqual([{ code: 'subscribers-outside', severity: 'alarm', jids: [`${MALLORY}/phone`], audience: access }]);
  });

  it('open: everyone may read anyway, nothing to report', () => {
    expect(compareNode(recorded({ model: 'open' }), state({ accessModel: 'open', ...subscribed([MALLORY]) }))).toMatchObject({ findings: [], unchecked: [] });
  });

  it('the account’s own subscription (its bare JID, or a resource of it) is never an outsider', () => {
    const drift = compareNode(recorded({ model: 'whitelist', allow: [ROMEO] }), state({ accessModel: 'whitelist', affiliations: { status: 'listed', others: [{ jid: ROMEO, affiliation: 'member' }] }, ...subscribed([OWNER, `${OWNER}/balcony`, 'Juliet@Capulet.lit']) }));
    expect(drift).toMatchObject({ findings: [], severity: undefined, unchecked: [] });
  });

  it('a pending subscription (awaiting approval, §6.1.4) is sent nothing: not reported', () => {
    const drift = compareNode(recorded({ model: 'presence' }), state(subscribed([[BENVOLIO, 'pending']], [])));
    expect(drift.findings).toEqual([]);
  });

  it('said in words for a person: who, that they are sent what is published, and who may read it', () => {
    const drift = compareNode(recorded({ model: 'presence' }), state(subscribed([BENVOLIO], [])));
    const [finding] = drift.findings;
    if (!finding) throw new Error('expected a finding');
    expect(describeDriftFinding('keys', finding)).toBe(
      `${BENVOLIO} is still subscribed to your keys and is sent every key you publish, although only contacts who see your presence may read them.`,
    );
  });
});

describe('drift: subscriptions that cannot be judged are unchecked, never "nobody"', () => {
  it('the server will not list them (ejabberd 23.01 on PEP): unchecked, no finding', () => {
    const drift = compareNode(recorded({ model: 'presence' }), state({ subscriptions: { status: 'unknown', reason: 'failed', detail: 'feature-not-implemented + unsupported' } }));
    expect(drift).toEqual({ node: NODE, findings: [], severity: undefined, unchecked: ['subscriptions'] });
  });

  it('presence access, someone subscribed, and the roster could not be read: unchecked, not everyone taken for an outsider', () => {
    const drift = compareNode(recorded({ model: 'presence' }), state(subscribed([ROMEO], 'unread')));
    expect(drift).toMatchObject({ findings: [], unchecked: ['subscriptions'] });
  });

  it('presence access, someone subscribed, the roster never asked for (readNodeState without audiences): unchecked too', () => {
    expect(compareNode(recorded({ model: 'presence' }), state(subscribed([ROMEO]))).unchecked).toEqual(['subscriptions']);
  });

  it('a whitelist needs no roster: judged although it was not read', () => {
    const access: AccessRequest = { model: 'whitelist', allow: [ROMEO] };
    const drift = compareNode(recorded(access), state({ accessModel: 'whitelist', affiliations: { status: 'listed', others: [{ jid: ROMEO, affiliation: 'member' }] }, ...subscribed([BENVOLIO], 'unread') }));
    expect(drift).toMatchObject({ findings: [expect.objectContaining({ code: 'subscribers-outside', jids: [BENVOLIO] })], unchecked: [] });
  });
});

describe('drift: subscribers and the access the app asked for (accessAsked)', () => {
  it('someone the app’s own change let in, subscribed: the node holds exactly what was asked, no findings', () => {
    const access: AccessRequest = { model: 'whitelist', allow: [ROMEO] };
    const asked: AccessRequest = { model: 'whitelist', allow: [ROMEO, BENVOLIO] };
    const current = state({
      accessModel: 'whitelist',
      affiliations: { status: 'listed', others: [{ jid: ROMEO, affiliation: 'member' }, { jid: BENVOLIO, affiliation: 'member' }] },
      ...subscribed([BENVOLIO]),
    });
    expect(compareNode(recorded(access, { accessAsked: asked }), current).findings).toEqual([]);
  });

  it('the node at the access asked but a subscriber it leaves out still there: not the change finished, reported against the record', () => {
    const asked: AccessRequest = { model: 'whitelist', allow: [ROMEO] };
    const current = state({ accessModel: 'whitelist', affiliations: { status: 'listed', others: [{ jid: ROMEO, affiliation: 'member' }] }, ...subscribed([MALLORY], [contact(ROMEO, 'both')]) });
    const drift = compareNode(recorded({ model: 'presence' }, { accessAsked: asked }), current);
    expect(drift.findings).toContainEqual({ code: 'subscribers-outside', severity: 'alarm', jids: [MALLORY], audience: { model: 'presence' } });
    // Mallory was outside the recorded access too: not explained by a publish cut off half way.
    expect(drift.unfinishedChange).toBeUndefined();
  });

  it('cut off after configuring, before ending a subscription the record allowed: possibly that change, half done', () => {
    const asked: AccessRequest = { model: 'whitelist', allow: [ROMEO] };
    const current = state({ accessModel: 'whitelist', affiliations: { status: 'listed', others: [{ jid: ROMEO, affiliation: 'member' }] }, ...subscribed([BENVOLIO], [contact(BENVOLIO, 'both'), contact(ROMEO, 'both')]) });
    const drift = compareNode(recorded({ model: 'presence' }, { accessAsked: asked }), current);
    expect(drift.unfinishedChange).toEqual(asked);
  });
});

describe('restore and accept with subscribers outside', () => {
  it('Restore reconfigures (ensurePersistentNode ends the subscriptions the recorded access leaves out); nothing to republish', () => {
    const r = recorded({ model: 'presence' });
    expect(planRestore(r, compareNode(r, state(subscribed([BENVOLIO], []))))).toEqual({
      node: NODE,
      reconfigure: { access: { model: 'presence' }, maxItems: 32, restores: ['subscriptions'], affiliations: [] },
      republish: [],
    });
  });

  it('Accept cannot keep it: the node would still send them what is published, and the next publish would end it', () => {
    const r = recorded({ model: 'presence' });
    expect(acceptCurrent(r, state(subscribed([BENVOLIO], [])))).toEqual({ ok: false, reason: 'not-representable' });
    expect(acceptCurrent(r, state(subscribed([ROMEO], [contact(ROMEO, 'both')])))).toMatchObject({ ok: true });
  });
});
