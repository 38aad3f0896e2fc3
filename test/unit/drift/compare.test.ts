/**
 * The drift comparison: what another client changed on one of the account's own nodes, as codes and
 * values, with an alarm for anything that lets more people in (or takes published items away) and a
 * notice for what only shuts people out. Every case the issue names, and the ambiguous ones.
 */
import { describe, expect, it } from 'vitest';
import { compareNode, highestSeverity, type RecordedNode } from '../../../main/drift/compare.js';
import type { NodeState } from '../../../main/xmpp/node-state.js';
import { avatarMetadataPayload } from '../../../main/profile/avatar.js';
import { asItem, profileContent } from '../../../main/profile/profile-content.js';
import { NS } from '../../../main/xmpp/namespaces.js';
import { NODE, OWNER, state } from './node-state-fixture.js';
import type { AccessRequest } from '../../../contract/index.js';
import { describeDriftFinding, describeUnfinishedChange } from '../../../contract/format.js';

const ROMEO = 'romeo@montague.lit';
const NURSE = 'nurse@capulet.lit';
const MALLORY = 'mallory@evil.example';

function recorded(access: AccessRequest, extra: Partial<RecordedNode> = {}): RecordedNode {
  return { node: NODE, access, maxItems: 32, itemIds: ['k1', 'k2', 'k3'], ...extra };
}

const roster = (...groups: string[]): Partial<NodeState> => ({ accessModel: 'roster', rosterGroups: groups });
const members = (...list: [string, string][]): Partial<NodeState> => ({
  affiliations: { status: 'listed', others: list.map(([jid, affiliation]) => ({ jid, affiliation })) },
});

describe('drift: nothing changed', () => {
  it.each<[string, AccessRequest, Partial<NodeState>]>([
    ['presence', { model: 'presence' }, {}],
    ['open', { model: 'open' }, { accessModel: 'open' }],
    ['roster Friends, groups in another order', { model: 'roster', groups: ['Friends', 'Family'] }, roster('Family', 'Friends')],
    ['whitelist [romeo], JID case aside', { model: 'whitelist', allow: [ROMEO] }, { accessModel: 'whitelist', ...members(['Romeo@Montague.lit', 'member']) }],
    ['max_items "max"', { model: 'presence' }, { maxItems: 'max' }],
    ['an item the app did not publish beside its own', { model: 'presence' }, { items: { status: 'listed', ids: ['k1', 'k2', 'k3', 'other'] } }],
  ])('%s: no findings, no severity', (_what, access, current) => {
    expect(compareNode(recorded(access), state(current))).toEqual({ node: NODE, findings: [], severity: undefined, unchecked: [] });
  });
});

describe('drift: access widened (alarm)', () => {
  it.each<[string, AccessRequest, Partial<NodeState>, object]>([
    ['roster Friends → open', { model: 'roster', groups: ['Friends'] }, { accessModel: 'open' }, { recorded: { model: 'roster', groups: ['Friends'] }, current: { model: 'open' } }],
    ['presence → open', { model: 'presence' }, { accessModel: 'open' }, { recorded: { model: 'presence' }, current: { model: 'open' } }],
    ['roster Friends → presence', { model: 'roster', groups: ['Friends'] }, { accessModel: 'presence' }, { current: { model: 'presence' } }],
    ['whitelist → presence', { model: 'whitelist', allow: [ROMEO] }, { accessModel: 'presence', ...members([ROMEO, 'member']) }, { recorded: { model: 'whitelist' }, current: { model: 'presence' } }],
    ['whitelist → roster', { model: 'whitelist', allow: [ROMEO] }, { ...roster('Friends'), ...members([ROMEO, 'member']) }, { current: { model: 'roster', groups: ['Friends'] } }],
    ['roster Friends → roster Friends + Servants', { model: 'roster', groups: ['Friends'] }, roster('Friends', 'Servants'), { groupsAdded: ['Servants'], groupsRemoved: [] }],
    ['presence → an access model the app does not know (authorize)', { model: 'presence' }, { accessModel: 'authorize' }, { current: { model: 'authorize' } }],
    ['open → no access model named at all', { model: 'open' }, { accessModel: '' }, { recorded: { model: 'open' }, current: { model: '' } }],
  ])('%s', (_what, access, current, change) => {
    const drift = compareNode(recorded(access), state(current));
    expect(drift.findings).toEqual([expect.objectContaining({ code: 'access-widened', severity: 'alarm', ...change })]);
    expect(drift.severity).toBe('alarm');
  });

  it('roster groups changed to a different set of the same size is both a widening and a narrowing: an alarm naming both', () => {
    const drift = compareNode(recorded({ model: 'roster', groups: ['Friends', 'Family'] }), state(roster('Friends', 'Servants')));
    expect(drift.findings).toEqual([
      {
        code: 'access-widened',
        severity: 'alarm',
        recorded: { model: 'roster', groups: ['Friends', 'Family'] },
        current: { model: 'roster', groups: ['Friends', 'Servants'] },
        groupsAdded: ['Servants'],
        groupsRemoved: ['Family'],
      },
    ]);
    expect(drift.severity).toBe('alarm');
  });
});

describe('drift: access narrowed (notice)', () => {
  it.each<[string, AccessRequest, Partial<NodeState>, object]>([
    ['open → presence', { model: 'open' }, {}, { recorded: { model: 'open' }, current: { model: 'presence' } }],
    ['presence → roster Friends', { model: 'presence' }, roster('Friends'), { current: { model: 'roster', groups: ['Friends'] } }],
    ['presence → whitelist with no one on it', { model: 'presence' }, { accessModel: 'whitelist' }, { current: { model: 'whitelist' } }],
    ['roster Friends + Family → roster Friends', { model: 'roster', groups: ['Friends', 'Family'] }, roster('Friends'), { groupsAdded: [], groupsRemoved: ['Family'] }],
  ])('%s', (_what, access, current, change) => {
    const drift = compareNode(recorded(access), state(current));
    expect(drift.findings).toEqual([expect.objectContaining({ code: 'access-narrowed', severity: 'notice', ...change })]);
    expect(drift.severity).toBe('notice');
  });

  it('presence → whitelist [mallory] narrows the model but lets mallory in: a notice and an alarm, an alarm overall', () => {
    const drift = compareNode(recorded({ model: 'presence' }), state({ accessModel: 'whitelist', ...members([MALLORY, 'member']) }));
    expect(drift.findings.map((f) => [f.code, f.severity])).toEqual([
      ['access-narrowed', 'notice'],
      ['members-added', 'alarm'],
    ]);
    expect(drift.severity).toBe('alarm');
  });
});

describe('drift: affiliations', () => {
  it('a member added to the whitelist: members-added (alarm) with the affiliation', () => {
    const drift = compareNode(recorded({ model: 'whitelist', allow: [ROMEO] }), state({ accessModel: 'whitelist', ...members([ROMEO, 'member'], [MALLORY, 'member']) }));
    expect(drift.findings).toEqual([{ code: 'members-added', severity: 'alarm', members: [{ jid: MALLORY, affiliation: 'member' }] }]);
  });

  it('a member removed from the whitelist: members-removed (notice)', () => {
    const drift = compareNode(recorded({ model: 'whitelist', allow: [ROMEO, NURSE] }), state({ accessModel: 'whitelist', ...members([ROMEO, 'member']) }));
    expect(drift.findings).toEqual([{ code: 'members-removed', severity: 'notice', jids: [NURSE] }]);
    expect(drift.severity).toBe('notice');
  });

  it('one member swapped for another: both findings, an alarm overall', () => {
    const drift = compareNode(recorded({ model: 'whitelist', allow: [ROMEO] }), state({ accessModel: 'whitelist', ...members([MALLORY, 'member']) }));
    expect(drift.findings.map((f) => f.code)).toEqual(['members-added', 'members-removed']);
    expect(drift.severity).toBe('alarm');
  });

  it('a whitelist member made publisher can now write to the node: added, not removed', () => {
    const drift = compareNode(recorded({ model: 'whitelist', allow: [ROMEO] }), state({ accessModel: 'whitelist', ...members([ROMEO, 'publisher']) }));
    expect(drift.findings).toEqual([{ code: 'members-added', severity: 'alarm', members: [{ jid: ROMEO, affiliation: 'publisher' }] }]);
  });

  it('a member of a presence node gets in whatever the model says (Prosody 0.12): added', () => {
    const drift = compareNode(recorded({ model: 'presence' }), state(members([MALLORY, 'member'])));
    expect(drift.findings).toEqual([{ code: 'members-added', severity: 'alarm', members: [{ jid: MALLORY, affiliation: 'member' }] }]);
  });

  it('on an open node a plain member changes nothing, but a publisher can write: only the publisher is added', () => {
    const drift = compareNode(recorded({ model: 'open' }), state({ accessModel: 'open', ...members([ROMEO, 'member'], [MALLORY, 'publisher']) }));
    expect(drift.findings).toEqual([{ code: 'members-added', severity: 'alarm', members: [{ jid: MALLORY, affiliation: 'publisher' }] }]);
  });

  it('whitelist → open: the widening alone; members who lost their affiliation can read anyway', () => {
    const drift = compareNode(recorded({ model: 'whitelist', allow: [ROMEO] }), state({ accessModel: 'open' }));
    expect(drift.findings.map((f) => f.code)).toEqual(['access-widened']);
  });

  it.each([
    ['beside romeo', [ROMEO, OWNER], members([ROMEO, 'member'])],
    ['alone, in other case', ['Juliet@Capulet.LIT'], {}],
  ])('the account itself on a recorded whitelist (%s: a record from before it was refused, or ejabberd) is no member to lose: nothing reported', (_what, allow, current) => {
    const drift = compareNode(recorded({ model: 'whitelist', allow }), state({ accessModel: 'whitelist', ...current }));
    expect(drift).toEqual({ node: NODE, findings: [], severity: undefined, unchecked: [] });
  });

  it('addresses compare as publishing compares them (NFC, then case): a member written decomposed is the one the server lists composed', () => {
    const decomposed = 'Rome\u0301o@montague.lit';
    const composed = 'rom\u00e9o@montague.lit';
    const drift = compareNode(recorded({ model: 'whitelist', allow: [decomposed] }), state({ accessModel: 'whitelist', ...members([composed, 'member']) }));
    expect(drift).toEqual({ node: NODE, findings: [], severity: undefined, unchecked: [] });
  });

  it('affiliations the server would not list are unchecked, never reported as removed', () => {
    const drift = compareNode(recorded({ model: 'whitelist', allow: [ROMEO] }), state({ accessModel: 'whitelist', affiliations: { status: 'unknown', reason: 'failed', detail: 'feature-not-implemented' } }));
    expect(drift).toEqual({ node: NODE, findings: [], severity: undefined, unchecked: ['affiliations'] });
  });
});

describe('drift: items', () => {
  it('items republished away (another client with max_items 1): items-removed (alarm), in publishing order', () => {
    const drift = compareNode(recorded({ model: 'presence' }), state({ items: { status: 'listed', ids: ['theirs', 'k2'] } }));
    expect(drift.findings).toEqual([{ code: 'items-removed', severity: 'alarm', itemIds: ['k1', 'k3'] }]);
    expect(drift.severity).toBe('alarm');
  });

  describe('a new avatar the app published that a full disk kept it from recording', () => {
    // A new avatar has a new id (its SHA-1): on a node keeping one item it pushes the recorded one out.
    // Item ids as XEP-0084 has them: the image's SHA-1.
    const OLD = '0'.repeat(40);
    const NEW = '1'.repeat(40);
    const THEIRS = '2'.repeat(40);
    const metadata = (id: string) => avatarMetadataPayload({ id, bytes: 100, type: 'image/png', width: 64, height: 64 });
    const digest = (id: string) => profileContent(NS.avatarMetadata, asItem({ id, payload: metadata(id) }))?.digest ?? '';
    const avatarNode = (extra: Partial<RecordedNode> = {}): RecordedNode => ({
      node: NS.avatarMetadata,
      access: { model: 'presence' },
      maxItems: 1,
      itemIds: [OLD],
      contents: { [OLD]: digest(OLD) },
      publishing: { [NEW]: digest(NEW) },
      ...extra,
    });
    const holding = (id: string, payload = metadata(id)): NodeState =>
      state({ node: NS.avatarMetadata, maxItems: '1', items: { status: 'listed', ids: [id], payloads: new Map([[id, payload]]) } });

    it('the node holding the item noted as going out: the recorded one it pushed out is not "removed"', () => {
      expect(compareNode(avatarNode(), holding(NEW)).findings).toEqual([]);
    });

    it('listed by id alone (the data node), the noted id is enough: it is the image’s SHA-1, which readers check', () => {
      expect(compareNode(avatarNode({ contents: {} }), state({ node: NS.avatarMetadata, maxItems: '1', items: { status: 'listed', ids: [NEW] } })).findings).toEqual([]);
    });

    it('another avatar there, or the noted id saying something else, or nothing noted: items-removed, as ever', () => {
      const removed = [{ code: 'items-removed', severity: 'alarm', itemIds: [OLD] }];
      expect(compareNode(avatarNode(), holding(THEIRS)).findings).toEqual(removed);
      expect(compareNode(avatarNode(), holding(NEW, metadata(THEIRS))).findings).toEqual(removed);
      expect(compareNode(avatarNode({ publishing: {} }), holding(NEW)).findings).toEqual(removed);
    });
  });

  it('items the owner may not list (ejabberd 23.01, roster access) are unchecked, never "removed"', () => {
    const drift = compareNode(recorded({ model: 'roster', groups: ['Friends'] }), state({ ...roster('Friends'), items: { status: 'unknown', reason: 'refused', detail: 'not-authorized + not-in-roster-group' } }));
    expect(drift).toEqual({ node: NODE, findings: [], severity: undefined, unchecked: ['items'] });
  });
});

describe('drift: persistence (notice)', () => {
  it.each<[string, Partial<NodeState>, object[]]>([
    ['persist_items turned off', { persistItems: false }, [{ setting: 'persist_items', expected: true, current: false }]],
    ['send_last_published_item on_sub_and_presence', { sendLastPublishedItem: 'on_sub_and_presence' }, [{ setting: 'send_last_published_item', expected: 'never', current: 'on_sub_and_presence' }]],
    ['max_items lowered to 1', { maxItems: '1' }, [{ setting: 'max_items', expected: 32, current: '1' }]],
    ['max_items no longer reported', { maxItems: undefined }, [{ setting: 'max_items', expected: 32, current: undefined }]],
    ['max_items not a number', { maxItems: 'lots' }, [{ setting: 'max_items', expected: 32, current: 'lots' }]],
    [
      'all three at once',
      { persistItems: false, sendLastPublishedItem: 'on_sub', maxItems: '1' },
      [
        { setting: 'persist_items', expected: true, current: false },
        { setting: 'send_last_published_item', expected: 'never', current: 'on_sub' },
        { setting: 'max_items', expected: 32, current: '1' },
      ],
    ],
  ])('%s', (_what, current, changes) => {
    const drift = compareNode(recorded({ model: 'presence' }), state(current));
    expect(drift.findings).toEqual([{ code: 'persistence-changed', severity: 'notice', changes }]);
    expect(drift.severity).toBe('notice');
  });

  it('max_items raised, or set to max, is not drift', () => {
    expect(compareNode(recorded({ model: 'presence' }), state({ maxItems: '256' })).findings).toEqual([]);
  });

  it('a setting the server never applied (as read back at publishing) is not drift; a further change is', () => {
    const applied = { persistItems: true, sendLastPublishedItem: 'on_sub_and_presence', maxItems: '10' };
    const asPublished = state({ sendLastPublishedItem: 'on_sub_and_presence', maxItems: '10' });
    expect(compareNode(recorded({ model: 'presence' }, { applied }), asPublished).findings).toEqual([]);
    const lowered = state({ sendLastPublishedItem: 'on_sub_and_presence', maxItems: '1' });
    expect(compareNode(recorded({ model: 'presence' }, { applied }), lowered).findings).toEqual([
      { code: 'persistence-changed', severity: 'notice', changes: [{ setting: 'max_items', expected: 32, current: '1' }] },
    ]);
  });
});

describe('drift: the node itself', () => {
  it('a deleted node is one alarm, nothing else', () => {
    expect(compareNode(recorded({ model: 'presence' }), undefined)).toEqual({
      node: NODE,
      findings: [{ code: 'node-deleted', severity: 'alarm' }],
      severity: 'alarm',
      unchecked: [],
    });
  });

  it('max_items 1 republish with open access: every finding at once, in a stable order', () => {
    const drift = compareNode(
      recorded({ model: 'roster', groups: ['Friends'] }),
      state({ accessModel: 'open', maxItems: '1', items: { status: 'listed', ids: ['theirs'] }, ...members([MALLORY, 'publisher']) }),
    );
    expect(drift.findings.map((f) => f.code)).toEqual(['access-widened', 'members-added', 'items-removed', 'persistence-changed']);
  });
});

describe('highest severity over many nodes', () => {
  it.each([
    [[], undefined],
    [[{ severity: undefined }], undefined],
    [[{ severity: 'notice' as const }, { severity: undefined }], 'notice'],
    [[{ severity: 'notice' as const }, { severity: 'alarm' as const }], 'alarm'],
  ])('%j → %s', (drifts, expected) => {
    expect(highestSeverity(drifts)).toBe(expected);
  });
});

describe('drift: the access the app asked for, not recorded (a full disk: schema.ts accessAsked)', () => {
  it('the node holding exactly the access asked: no findings', () => {
    const drift = compareNode(recorded({ model: 'presence' }, { accessAsked: { model: 'open' } }), state({ accessModel: 'open' }));
    expect(drift.findings).toEqual([]);
  });

  it('a whitelist member the app added: no findings; one more, whom nobody here asked for: reported against the record', () => {
    const asked = { accessAsked: { model: 'whitelist' as const, allow: [ROMEO, NURSE] } };
    expect(compareNode(recorded({ model: 'whitelist', allow: [ROMEO] }, asked), state({ accessModel: 'whitelist', ...members([ROMEO, 'member'], [NURSE, 'member']) })).findings).toEqual([]);
    const drift = compareNode(
      recorded({ model: 'whitelist', allow: [ROMEO] }, asked),
      state({ accessModel: 'whitelist', ...members([ROMEO, 'member'], [NURSE, 'member'], [MALLORY, 'member']) }),
    );
    expect(drift.findings).toEqual([{ code: 'members-added', severity: 'alarm', members: [{ jid: NURSE, affiliation: 'member' }, { jid: MALLORY, affiliation: 'member' }] }]);
  });

  it('another access than the one asked: reported against the record', () => {
    const drift = compareNode(recorded({ model: 'roster', groups: ['Friends'] }, { accessAsked: { model: 'presence' } }), state({ accessModel: 'open' }));
    expect(drift.findings).toEqual([expect.objectContaining({ code: 'access-widened', recorded: { model: 'roster', groups: ['Friends'] }, current: { model: 'open' } })]);
    expect(drift.unfinishedChange).toBeUndefined();
  });
});

describe('drift: a change of who reads the node that this app started and did not finish (cut off)', () => {
  const toRomeoAndNurse = { accessAsked: { model: 'whitelist' as const, allow: [ROMEO, NURSE] } };

  it('configured as asked, its members not added yet: reported against the record, and as possibly that change', () => {
    const drift = compareNode(recorded({ model: 'presence' }, toRomeoAndNurse), state({ accessModel: 'whitelist', ...members() }));
    expect(drift.findings.map((f) => f.code)).toEqual(['access-narrowed']);
    expect(drift.unfinishedChange).toEqual(toRomeoAndNurse.accessAsked);
  });

  it('one of two members added, or the old member not taken off yet: still part of the way', () => {
    expect(compareNode(recorded({ model: 'presence' }, toRomeoAndNurse), state({ accessModel: 'whitelist', ...members([ROMEO, 'member']) })).unfinishedChange).toBeDefined();
    const fromMallory = compareNode(recorded({ model: 'whitelist', allow: [MALLORY] }, toRomeoAndNurse), state({ accessModel: 'whitelist', ...members([MALLORY, 'member'], [ROMEO, 'member']) }));
    expect(fromMallory.findings.map((f) => f.code)).toEqual(['members-added']);
    expect(fromMallory.unfinishedChange).toBeDefined();
  });

  it('not when someone neither asked for nor recorded is in, nor another model, nor a publisher', () => {
    const stranger = 'iago@venice.lit';
    expect(compareNode(recorded({ model: 'presence' }, toRomeoAndNurse), state({ accessModel: 'whitelist', ...members([stranger, 'member']) })).unfinishedChange).toBeUndefined();
    expect(compareNode(recorded({ model: 'presence' }, toRomeoAndNurse), state({ accessModel: 'open' })).unfinishedChange).toBeUndefined();
    expect(compareNode(recorded({ model: 'whitelist', allow: [MALLORY] }, toRomeoAndNurse), state({ accessModel: 'whitelist', ...members([MALLORY, 'publisher']) })).unfinishedChange).toBeUndefined();
  });

  it('said as possibly that change, never as another app certainly', () => {
    const drift = compareNode(recorded({ model: 'presence' }, toRomeoAndNurse), state({ accessModel: 'whitelist', ...members() }));
    const [finding] = drift.findings;
    if (!finding || !drift.unfinishedChange) throw new Error('expected a finding and the unfinished change');
    expect(describeDriftFinding('keys', finding, 'unknown')).toBe('Who can read your keys changed: now Only the contacts you chose (was Contacts who see your presence).');
    expect(describeUnfinishedChange('keys', drift.unfinishedChange)).toMatch(
      new RegExp(`^This app had started changing who can read your keys to only ${ROMEO.replace(/\./g, '\\.')}, ${NURSE.replace(/\./g, '\\.')} and was stopped before it finished .*rather than another app’s\\. Publishing again finishes it\\.$`),
    );
  });
});
