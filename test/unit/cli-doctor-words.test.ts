/**
 * `keyring doctor`'s report of a node that a change made here may explain (NodeDriftView.unfinishedChange:
 * a publish cut off between configuring the node and adding its members): what differs, not blamed on
 * another app, and the change that was started; another app's change is still said as that.
 */
import { describe, expect, it } from 'vitest';
import type { DriftReport, NodeDriftView } from '../../contract/index.js';
import { describeReport } from '../../main/cli/commands/doctor.js';

const narrowed: NodeDriftView = {
  node: 'urn:xmpp:tmp:pubkey',
  kind: 'keys',
  recorded: { access: { model: 'presence' }, items: 1 },
  current: { access: { model: 'whitelist' }, items: 1 },
  findings: [
    {
      code: 'access-narrowed',
      severity: 'notice',
      recorded: { model: 'presence' },
      current: { model: 'whitelist' },
      groupsAdded: [],
      groupsRemoved: [],
    },
  ],
  severity: 'notice',
  unchecked: [],
  acceptable: true,
};

describe('keyring doctor on a change this app may have left half done', () => {
  it('says what differs without blaming another app, and which change was started', () => {
    const report: DriftReport = { account: 'juliet@capulet.lit', nodes: [{ ...narrowed, unfinishedChange: { model: 'whitelist', allow: ['romeo@montague.lit'] } }] };
    const text = describeReport(report);
    expect(text).not.toMatch(/Another app changed/);
    expect(text).toContain('Who can read your keys changed: now Only the contacts you chose (was Contacts who see your presence).');
    expect(text).toContain('This app had started changing who can read your keys to only romeo@montague.lit and was stopped before it finished');
  });

  it('another app’s change is still said as that', () => {
    const text = describeReport({ account: 'juliet@capulet.lit', nodes: [narrowed] });
    expect(text).toContain('Another app changed who can read your keys: now Only the contacts you chose (was Contacts who see your presence).');
    expect(text).not.toMatch(/This app had started/);
  });
});
