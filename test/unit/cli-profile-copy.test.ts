/**
 * `profile show` on a server that will not give the owner's own vCard back (ejabberd, roster access):
 * the values shown are the vault's copy, and the output says so in a line instead of presenting them
 * as what the server returned.
 */
import { describe, expect, it } from 'vitest';
import type { ContactProfileView } from '../../contract/index.js';
import { describeProfile } from '../../main/cli/output.js';

const refusedVcard: ContactProfileView = {
  jid: 'romeo@montague.lit',
  origin: 'fetch',
  updated: [],
  vcard: { fullName: 'Romeo', emails: [], phones: [], urls: [], note: 'hello' },
  sources: [
    { node: 'urn:xmpp:vcard4', status: 'refused', detail: 'not-authorized + not-in-roster-group' },
    { node: 'http://jabber.org/protocol/nick', status: 'none' },
  ],
  storedAt: '2026-12-04T21:07:33.000Z',
};

describe('profile show when the server refused the read-back', () => {
  it('says the values are the copy kept here, and from when', () => {
    const lines = describeProfile(refusedVcard).split('\n');
    expect(lines).toContain('  name:         Romeo');
    expect(lines.at(-1)).toBe(
      '  (not what the server holds now: it did not give back urn:xmpp:vcard4, so that part is shown as last published or read here, 2026-12-04 21:07 UTC)',
    );
  });

  it('says nothing of the kind when the server gave everything back', () => {
    const answered: ContactProfileView = { ...refusedVcard, sources: [{ node: 'urn:xmpp:vcard4', status: 'ok' }] };
    const { storedAt: _storedAt, ...fresh } = answered;
    expect(describeProfile(fresh)).not.toContain('not what the server holds');
    expect(describeProfile(answered)).not.toContain('not what the server holds');
  });
});
