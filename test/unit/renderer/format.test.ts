import { describe, expect, it } from 'vitest';
import { describeAccess, formatCount, formatDay, STATUS_TEXT, TRUST_TEXT } from '../../../renderer/src/lib/format.js';
import { groupContacts, NO_GROUP } from '../../../renderer/src/lib/contact-groups.js';
import { describeError, STATUS_LABEL, unreachableText } from '../../../renderer/src/lib/wording.js';
import type { RosterContactView } from '../../../contract/index.js';

describe('what the screens say', () => {
  it('dates are unambiguous days, on the calendar where the person is, and unknown stays visible', () => {
    const zone = process.env.TZ;
    try {
      process.env.TZ = 'UTC';
      expect(formatDay('2026-11-25T23:59:59Z')).toBe('25 Nov 2026');
      // 20:00 on 4 Dec in Los Angeles is 04:00 on 5 Dec in UTC: there, it was the 4th.
      process.env.TZ = 'America/Los_Angeles';
      expect(formatDay('2026-12-05T04:00:00Z')).toBe('4 Dec 2026');
      process.env.TZ = 'Asia/Tokyo';
      expect(formatDay('2026-12-04T20:00:00Z')).toBe('5 Dec 2026');
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
    expect(formatDay(undefined)).toBe('—');
    expect(formatDay('not a date')).toBe('—');
  });

  it('counts in the thousands are grouped, small ones left alone', () => {
    expect(formatCount(3000)).toBe('3,000');
    expect(formatCount(12345)).toBe('12,345');
    expect(formatCount(999)).toBe('999');
    expect(formatCount(1)).toBe('1');
  });

  it('access is described in the words of the person who chose it', () => {
    expect(describeAccess('open')).toBe('anyone');
    expect(describeAccess('presence')).toBe('contacts who see your presence');
    expect(describeAccess('roster', ['Friends'])).toBe('roster group "Friends"');
    expect(describeAccess('roster', ['Friends', 'Family'])).toBe('roster groups "Friends", "Family"');
    // A group may be called anything: quoted, "Anyone" does not read as an audience of its own.
    expect(describeAccess('roster', ['Anyone'])).toBe('roster group "Anyone"');
    expect(describeAccess('whitelist', undefined, ['romeo@montague.lit'])).toBe('only romeo@montague.lit');
    expect(describeAccess('whitelist')).toBe('an allow list');
    expect(describeAccess('authorize')).toBe('authorize');
  });

  it('every certificate status, trust state and connection state has words', () => {
    for (const text of [...Object.values(STATUS_TEXT), ...Object.values(TRUST_TEXT), ...Object.values(STATUS_LABEL)]) {
      expect(text.length).toBeGreaterThan(2);
    }
    expect(TRUST_TEXT.changed).toMatch(/check/i);
  });

  it('a contact whose server is unreachable is not told as having no keys', () => {
    expect(unreachableText('romeo@montague.lit')).toMatch(/^Their server is unreachable: romeo@montague\.lit's keys could not be fetched/);
    expect(unreachableText('romeo@montague.lit')).not.toMatch(/no keys|publishes no/);
  });

  it('a server name that was not found points at the field it came from, not at "the server name and port"', () => {
    expect(describeError({ code: 'server-unreachable', message: 'capulett.lit was not found.', field: 'jid' })).toEqual({
      message: 'capulett.lit was not found.',
      nextStep: 'Check the part after @ in your address, and that you are online.',
    });
    expect(describeError({ code: 'server-unreachable', message: 'xmpp.capulett.lit was not found.', field: 'host' })).toEqual({
      message: 'xmpp.capulett.lit was not found.',
      nextStep: 'Check the Server host under Server settings, and that you are online.',
    });
    // Any other unreachable server keeps the summary, main's words behind Details.
    expect(describeError({ code: 'server-unreachable', message: 'Cannot reach capulet.lit:5222: the connection was refused (no server listens on that port, or a firewall turns it away).' })).toMatchObject({
      message: 'The app cannot reach your server.',
      details: 'Cannot reach capulet.lit:5222: the connection was refused (no server listens on that port, or a firewall turns it away).',
    });
  });

  it('errors say what to do next where there is something to do', () => {
    // A refused certificate: main says what is wrong, and apart from it what to do for its reason (choose
    // the CA, check the clock…), with no OpenSSL code; both are shown as they are, the step as the next step.
    const untrusted = 'The certificate of capulet.lit:5222 has expired, so the app did not connect.';
    const clock = "Check that this computer's date and time are right; if they are, your server's admin must renew the certificate.";
    expect(describeError({ code: 'tls-untrusted', message: untrusted, nextStep: clock })).toEqual({ message: untrusted, nextStep: clock });
    // Main's step wins over the code's own.
    expect(describeError({ code: 'auth-failed', message: 'x', nextStep: 'Ask the admin.' }).nextStep).toBe('Ask the admin.');
    expect(describeError({ code: 'internal', message: 'x' })).toEqual({ message: 'x' });
    for (const code of ['access-not-revoked', 'vault-tampered', 'auth-required', 'tls-required'] as const) {
      expect(describeError({ code, message: 'x' }).nextStep, code).toBeDefined();
    }
  });

  it('another account’s backup, refused like every other backup, says nothing was changed and how to restore it', () => {
    const words = describeError({ code: 'backup-other-account', message: 'This backup belongs to romeo@montague.lit.' });
    expect(words).toEqual({
      message: 'This backup belongs to romeo@montague.lit.',
      nextStep: 'Nothing was changed. Sign in as that account to restore it.',
    });
  });

  it('a publish whose read-back found another key says so in a sentence first, the fingerprints behind Details', () => {
    const message = 'Your server answered the publish, but the item 1e19… read back holds another certificate (0a0b…), not the one sent (1e19…).';
    const words = describeError({ code: 'read-back-mismatch', message });
    expect(words.message).toMatch(/^Your server took the publish, but what it holds now is not the key you sent/);
    expect(words.details).toBe(message);
    expect(words.nextStep).toMatch(/Another app of your account/);
  });

  it('a profile publish whose read-back found something else says "profile", never "key", with main’s sentence behind Details', () => {
    const message = 'Your server answered the publish, but your nickname read back says “Romeo”, not what was sent (“Jules”).';
    const words = describeError({ code: 'read-back-mismatch', message, field: 'profile' });
    expect(words.message).toMatch(/^Your server took the publish, but what it holds now is not the profile you sent/);
    expect(words.message).not.toMatch(/key/);
    expect(words.details).toBe(message);
    expect(words.nextStep).toMatch(/^Another app of your account may have changed it\. Check what your profile shows/);
  });

  it('a profile publish cut off after its card went out says which half is out, the reason behind Details', () => {
    const message = 'Your profile card was published, but your nickname was not: Publishing your nickname failed: the server did not answer in time';
    const words = describeError({ code: 'partly-published', message });
    expect(words.message).toBe('Your profile card was published, but your nickname was not.');
    expect(words.details).toBe(message);
    expect(words.nextStep).toMatch(/^Publish again to send the nickname too/);
  });

  it('a refused redirect is told in main\'s own sentence (what was asked and that the app did not go), not as a server it does not understand', () => {
    const message = "The connection to 127.0.0.1:5222 asked the app to go to another server (10.0.0.7:5222). The app does not follow redirects, so it connected nowhere else. If this keeps happening, ask your server's administrator whether the server moved.";
    expect(describeError({ code: 'redirect-refused', message })).toEqual({ message });
  });

  it('a stream the server closed with a condition it defines is shown in main’s words, not as "does not understand"', () => {
    const message = 'chat.example:5222 closed the connection: another sign-in of your account took this one’s place (conflict).';
    const words = describeError({ code: 'stream-closed', message });
    expect(words.message).toBe(message);
    expect(words.message).not.toMatch(/does not understand/);
  });

  it('does not blame the password when the server failed to prove itself', () => {
    const wrongPassword = describeError({ code: 'auth-failed', message: 'The server rejected the address or password.' });
    expect(wrongPassword.nextStep).toBe('Check the address and password.');
    const impostor = describeError({ code: 'auth-failed', message: 'The server could not prove it knows your password…', field: 'server' });
    expect(impostor.message).toBe('The server could not prove it knows your password…');
    expect(impostor.nextStep).toMatch(/^Your password was not the problem/);
  });

  it('keeps raw codes and node names behind "Details", with a sentence in front', () => {
    const refused = describeError({ code: 'server-unreachable', message: 'Cannot reach 127.0.0.1:5222: the connection was refused (no server listens on that port, or a firewall turns it away).' });
    expect(refused.message).toBe('The app cannot reach your server.');
    expect(refused.message).not.toMatch(/ECONN/);
    expect(refused.details).toBe('Cannot reach 127.0.0.1:5222: the connection was refused (no server listens on that port, or a firewall turns it away).');
    const kept = describeError({ code: 'access-not-revoked', message: 'romeo@montague.lit still has access to urn:xmpp:pubkey:2 …' });
    expect(kept.message).not.toMatch(/urn:/);
    expect(kept.details).toMatch(/urn:xmpp:pubkey:2/);
  });
});

describe('the contact list', () => {
  const contact = (jid: string, groups: string[], name?: string): RosterContactView => ({
    jid,
    groups,
    subscription: 'both',
    pending: false,
    online: false,
    ...(name ? { name } : {}),
  });
  const roster = [
    contact('romeo@montague.lit', ['Friends'], 'Romeo'),
    contact('nurse@capulet.lit', ['Servants']),
    contact('tybalt@capulet.lit', ['Family', 'Friends']),
    contact('benvolio@montague.lit', []),
  ];

  it('groups contacts by roster group, alphabetically, ungrouped last, a contact in two groups in both', () => {
    expect(groupContacts(roster, '').map((g) => [g.name, g.contacts.map((c) => c.jid)])).toEqual([
      ['Family', ['tybalt@capulet.lit']],
      ['Friends', ['romeo@montague.lit', 'tybalt@capulet.lit']],
      ['Servants', ['nurse@capulet.lit']],
      [NO_GROUP, ['benvolio@montague.lit']],
    ]);
  });

  it('filters by address or name, case-insensitively', () => {
    expect(groupContacts(roster, 'ROM').flatMap((g) => g.contacts.map((c) => c.jid))).toEqual(['romeo@montague.lit']);
    expect(groupContacts(roster, 'montague').flatMap((g) => g.contacts.map((c) => c.jid)).sort()).toEqual([
      'benvolio@montague.lit',
      'romeo@montague.lit',
    ]);
    expect(groupContacts(roster, 'nobody')).toEqual([]);
  });

  it('groups 5,000 contacts quickly enough for a keystroke', () => {
    const many = Array.from({ length: 5000 }, (_, i) => contact(`c${i}@example.org`, [`Group ${i % 20}`]));
    const started = performance.now();
    const groups = groupContacts(many, '1');
    expect(performance.now() - started).toBeLessThan(100);
    expect(groups.length).toBeGreaterThan(0);
  });
});
