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

describe('keyring doctor on a profile card another app changed', () => {
  it('names the fields that changed, with their values now and before, as the window’s banner does', () => {
    const card: NodeDriftView = {
      node: 'urn:ietf:params:xml:ns:vcard-4.0',
      kind: 'vcard',
      recorded: { access: { model: 'open' }, items: 1 },
      current: { access: { model: 'open' }, items: 1 },
      findings: [
        {
          code: 'items-replaced',
          severity: 'alarm',
          items: [
            {
              itemId: 'current',
              expected: 'ab'.repeat(32),
              found: 'cd'.repeat(32),
              now: 'Juliet Capulet of the house of Capulet, in fair Verona, Jules, +39 045 555 0199, Note set by my phone app',
              fields: [
                { field: 'phones', kind: 'added', before: '', after: '+39 045 555 0199' },
                { field: 'note', kind: 'changed', before: 'Written here', after: 'Note set by my phone app' },
              ],
            },
          ],
        },
      ],
      severity: 'alarm',
      unchecked: [],
      acceptable: true,
    };
    const text = describeReport({ account: 'juliet@capulet.lit', nodes: [card] });
    expect(text).toContain(
      'Your profile card was changed by another app or the server: Phone numbers added: “+39 045 555 0199”; Note is now “Note set by my phone app” (was “Written here”).',
    );
    expect(text).not.toContain('Verona');
  });
});

describe('keyring doctor on subscribers the audience leaves out, and on what it could not check', () => {
  const keys: NodeDriftView = {
    node: 'urn:xmpp:tmp:pubkey',
    kind: 'keys',
    recorded: { access: { model: 'presence' }, items: 1 },
    current: { access: { model: 'presence' }, items: 1 },
    findings: [],
    unchecked: [],
    acceptable: true,
  };

  it('names who is still sent the keys, although the access setting did not change, and marks the node CHANGED', () => {
    const text = describeReport({
      account: 'juliet@capulet.lit',
      nodes: [{ ...keys, findings: [{ code: 'subscribers-outside', severity: 'alarm', jids: ['benvolio@montague.lit'], audience: { model: 'presence' } }], severity: 'alarm', acceptable: false }],
    });
    expect(text).toMatch(/^CHANGED your keys/);
    expect(text).toContain('benvolio@montague.lit is still subscribed to your keys and is sent every key you publish, although only contacts who see your presence may read them.');
  });

  it('a server that will not list the subscriptions (ejabberd 23.01): "ok" says what was compared, and what was not', () => {
    const text = describeReport({ account: 'juliet@capulet.lit', nodes: [{ ...keys, unchecked: ['subscriptions'] }] });
    expect(text).toMatch(/^ok/);
    expect(text).toContain('Not checked, as the server did not show it to this app: who is subscribed to your keys (a subscriber is sent what you publish there).');
  });
});
