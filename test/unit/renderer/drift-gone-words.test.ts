/**
 * What the screens say once another app deleted what the app published (renderer/src/lib/drift-words.ts):
 * the key card and My profile say it is not on the server instead of "Published", the banner's hint
 * speaks of a deletion (not of "the new setting") and says what keeping it deleted means, and Activity
 * tells each change drift watch finds once, in the banner's words, not at every re-check.
 */
import { describe, expect, it } from 'vitest';
import type { DriftReport, NodeDriftView } from '../../../contract/index.js';
import { acceptLabel, driftHeading, driftHint, goneFromServer, newDriftLines } from '../../../renderer/src/lib/drift-words.js';

const KEY_NODE = 'urn:xmpp:tmp:pubkey';
const VCARD = 'urn:ietf:params:xml:ns:vcard-4.0';
const FP = 'ab'.repeat(32);
const OTHER = 'cd'.repeat(32);

const fine = (node: string, kind: NodeDriftView['kind']): NodeDriftView => ({
  node,
  kind,
  recorded: { access: { model: 'presence' }, items: 1 },
  current: { access: { model: 'presence' }, items: 1 },
  findings: [],
  unchecked: [],
  acceptable: false,
});
const deleted = (node: string, kind: NodeDriftView['kind'], acceptable = true): NodeDriftView => {
  const { current: _gone, ...view } = fine(node, kind);
  return { ...view, findings: [{ code: 'node-deleted', severity: 'alarm' }], severity: 'alarm', acceptable };
};
const report = (...nodes: NodeDriftView[]): DriftReport => ({ account: 'juliet@capulet.lit', nodes, ...(nodes.some((n) => n.severity) ? { severity: 'alarm' as const } : {}) });

describe('a key card and My profile under a deletion', () => {
  it('say the key is not on the server now, and how to put it back', () => {
    expect(goneFromServer(report(deleted(KEY_NODE, 'keys')), KEY_NODE, FP)).toBe(
      'Not on your server now: deleted by another app. Restore, on the banner above, publishes it again.',
    );
    expect(goneFromServer(report(deleted(VCARD, 'vcard')), VCARD)).toBe('Not on your server now: deleted by another app. Restore, on the banner above, publishes it again.');
  });

  it('a key whose item alone was removed: that key, not the others', () => {
    const removed: NodeDriftView = { ...fine(KEY_NODE, 'keys'), findings: [{ code: 'items-removed', severity: 'alarm', itemIds: [FP] }], severity: 'alarm', acceptable: true };
    expect(goneFromServer(report(removed), KEY_NODE, FP)).toBe('Not on your server now: removed by another app. Restore, on the banner above, publishes it again.');
    expect(goneFromServer(report(removed), KEY_NODE, OTHER)).toBeUndefined();
  });

  it('nothing to say when it was found there, or not read', () => {
    expect(goneFromServer(report(fine(KEY_NODE, 'keys')), KEY_NODE, FP)).toBeUndefined();
    expect(goneFromServer(report(), KEY_NODE, FP)).toBeUndefined();
    const widened: NodeDriftView = {
      ...fine(KEY_NODE, 'keys'),
      findings: [{ code: 'access-widened', severity: 'alarm', recorded: { model: 'presence' }, current: { model: 'open' }, groupsAdded: [], groupsRemoved: [] }],
      severity: 'alarm',
    };
    expect(goneFromServer(report(widened), KEY_NODE, FP)).toBeUndefined();
  });
});

describe('the banner under a deletion', () => {
  it('speaks of a deletion, and says what keeping it deleted means', () => {
    const hint = driftHint(deleted(KEY_NODE, 'keys'), true);
    expect(hint).toBe(
      'Restore publishes them again as you published them. If you deleted them yourself in another app, keep them deleted: this app then records them as not published (your keys stay in this app, and you can publish them again).',
    );
    expect(hint).not.toContain('setting');
    expect(acceptLabel(deleted(KEY_NODE, 'keys'))).toBe('Keep them deleted');
    expect(acceptLabel(deleted(VCARD, 'vcard'))).toBe('Keep it deleted');
    expect(driftHint(deleted(VCARD, 'vcard'), true)).toBe(
      'Restore publishes it again as you published it. If you deleted it yourself in another app, keep it deleted: this app then records it as not published and no longer offers to put it back.',
    );
  });

  it('a key node that held a revocation cannot be kept deleted, and says why', () => {
    expect(driftHint(deleted(KEY_NODE, 'keys', false), true)).toBe(
      'Restore publishes them again as you published them. This app cannot keep them deleted: the revocation of one of your keys belongs there, and contacts must still be able to read it.',
    );
  });

  it('a revocation removed by another app: Restore only, and why', () => {
    const removed: NodeDriftView = {
      ...fine(KEY_NODE, 'keys'),
      findings: [{ code: 'items-removed', severity: 'alarm', itemIds: ['revoked-x'] }],
      severity: 'alarm',
      acceptable: false,
      revocationAtStake: true,
    };
    expect(driftHint(removed, true)).toBe(
      'Restore puts them back as you published them. This app cannot accept the change: the revocation of one of your keys was removed, and contacts must still be able to read it.',
    );
  });

  it('a changed setting keeps its words; signed out, only how to put it back', () => {
    const opened: NodeDriftView = {
      ...fine(KEY_NODE, 'keys'),
      findings: [{ code: 'access-widened', severity: 'alarm', recorded: { model: 'presence' }, current: { model: 'open' }, groupsAdded: [], groupsRemoved: [] }],
      severity: 'alarm',
      acceptable: true,
    };
    expect(acceptLabel(opened)).toBe('Accept the change');
    expect(driftHint(opened, true)).toBe('Restore puts them back as you published them. If you made this change yourself in another app, accept it.');
    expect(driftHint({ ...opened, acceptable: false }, true)).toBe('Restore puts them back as you published them. This app cannot keep the new setting.');
    expect(driftHint(deleted(KEY_NODE, 'keys'), false)).toBe('Sign in to put it back.');
  });
});

describe('Activity', () => {
  it('tells a change once, in the banner’s words, and again only once it is fixed and found anew', () => {
    const told = new Map<string, string>();
    const gone = report(fine(VCARD, 'vcard'), deleted(KEY_NODE, 'keys'));
    expect(newDriftLines(told, gone)).toEqual([`${driftHeading({ kind: 'keys' })}. Another app deleted your keys from your server.`]);
    expect(driftHeading({ kind: 'keys' })).toBe('Your keys: not as you published them');
    // The timer's re-check, the window's reload of the status: the same finding, no new line.
    expect(newDriftLines(told, gone)).toEqual([]);
    // A node that could not be read is not fine: nothing said, nothing forgotten.
    expect(newDriftLines(told, report({ ...fine(KEY_NODE, 'keys'), error: { code: 'timeout', message: 'no answer' } }))).toEqual([]);
    expect(newDriftLines(told, gone)).toEqual([]);
    // Restored, then deleted again: told again.
    expect(newDriftLines(told, report(fine(KEY_NODE, 'keys')))).toEqual([]);
    expect(newDriftLines(told, gone)).toHaveLength(1);
    // Another change to a node told already is told.
    expect(newDriftLines(told, report(deleted(KEY_NODE, 'keys'), deleted(VCARD, 'vcard')))).toEqual([
      'Your profile card: not as you published it. Another app deleted your profile card from your server.',
    ]);
  });
});
