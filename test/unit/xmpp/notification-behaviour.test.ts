/**
 * The capability report's notification rows come from what was measured on the server software the
 * server names (XEP-0092), and say "unknown" for anything not measured instead of guessing.
 */
import { describe, expect, it } from 'vitest';
import { knownNotificationBehaviour } from '../../../main/xmpp/notification-behaviour.js';

describe('which notifications a server delivers', () => {
  it('Prosody 0.12: everything, as measured', () => {
    expect(knownNotificationBehaviour({ name: 'Prosody', version: '0.12.3' })).toEqual({
      remoteContacts: 'delivered',
      whitelistMembers: 'delivered',
      retractions: 'delivered',
      measuredOn: 'Prosody 0.12',
    });
  });

  it('ejabberd 23.01: no pushes to whitelisted non-contacts, no retractions, as measured', () => {
    expect(knownNotificationBehaviour({ name: 'ejabberd', version: '23.01' })).toEqual({
      remoteContacts: 'delivered',
      whitelistMembers: 'not-delivered',
      retractions: 'not-delivered',
      measuredOn: 'ejabberd 23.01',
    });
  });

  it.each([
    ['23.10', 'not-delivered'],
    ['24.10', 'not-delivered'],
    ['24.12', 'delivered'],
    ['25.04', 'delivered'],
  ] as const)('ejabberd %s, not measured: only retractions are known (its changelog), the rest unknown', (version, retractions) => {
    expect(knownNotificationBehaviour({ name: 'ejabberd', version })).toEqual({
      remoteContacts: 'unknown',
      whitelistMembers: 'unknown',
      retractions,
    });
  });

  it.each([
    undefined,
    { name: 'Prosody', version: '13.0.1' },
    { name: 'Openfire', version: '4.9.0' },
    { name: 'ejabberd', version: 'git-master' },
    { name: 'Prosody', version: '' },
  ])('%o: unknown, never a guess', (software) => {
    expect(knownNotificationBehaviour(software)).toEqual({ remoteContacts: 'unknown', whitelistMembers: 'unknown', retractions: 'unknown' });
  });
});
