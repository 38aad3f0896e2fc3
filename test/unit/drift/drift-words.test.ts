/** The drift findings in words, as the window and `keyring doctor` both say them (contract/format.ts). */
import { describe, expect, it } from 'vitest';
import type { AccessRequest, ReplacedItem } from '../../../contract/index.js';
import { describeAudience, describeDriftFinding, describeUnchecked } from '../../../contract/format.js';

describe('drift findings in words', () => {
  it('a widening names the new audience and the one recorded: "now Anyone (was Friends)"', () => {
    expect(
      describeDriftFinding('keys', {
        code: 'access-widened',
        severity: 'alarm',
        recorded: { model: 'roster', groups: ['Friends'] },
        current: { model: 'open' },
        groupsAdded: [],
        groupsRemoved: [],
      }),
    ).toBe('Another app changed who can read your keys: now Anyone (was roster group "Friends").');
  });

  it('a key item replaced names the key it no longer holds and what contacts get instead', () => {
    const ours = 'aa'.repeat(32);
    const theirs = 'bb'.repeat(32);
    const group = (fp: string) => fp.match(/.{4}/g)?.join(' ') ?? '';
    expect(describeDriftFinding('keys', { code: 'items-replaced', severity: 'alarm', items: [{ itemId: ours, expected: ours, found: theirs }] })).toBe(
      `The key published under its fingerprint was replaced by another app: it no longer holds your key ${group(ours)}, but another key, ${group(theirs)}.`,
    );
    expect(describeDriftFinding('keys', { code: 'items-replaced', severity: 'alarm', items: [{ itemId: `revoked-${ours}`, expected: ours }] })).toBe(
      `The item published as revoked-${ours} was replaced by another app: it no longer holds your key ${group(ours)}, but no key contacts can read.`,
    );
  });

  it('keys removed are counted and named by fingerprint; a profile item is named', () => {
    expect(describeDriftFinding('keys', { code: 'items-removed', severity: 'alarm', itemIds: ['a'.repeat(64), 'b'] })).toBe(
      'Another app removed your published key aaaa aaaa aaaa aaaa… and the item b from your server.',
    );
    // One key: named by its fingerprint as My keys shows it.
    expect(describeDriftFinding('keys', { code: 'items-removed', severity: 'alarm', itemIds: ['1cd0c244203e02c31393a4792ac8a86f6e233462'.padEnd(64, '0')] })).toBe(
      'Another app removed your published key 1cd0 c244 203e 02c3… from your server.',
    );
    // A revocation gone is said as that, never as a "published key" with its raw id.
    expect(describeDriftFinding('keys', { code: 'items-removed', severity: 'alarm', itemIds: [`revoked-${'c'.repeat(64)}`] })).toBe(
      'Another app removed the revocation of your key cccc cccc cccc cccc… (contacts no longer see it is revoked) from your server.',
    );
    expect(describeDriftFinding('vcard', { code: 'items-removed', severity: 'alarm', itemIds: ['current'] })).toBe('Another app removed your profile card from your server.');
  });

  it('members let in are named with what they may do beyond reading', () => {
    expect(
      describeDriftFinding('nickname', {
        code: 'members-added',
        severity: 'alarm',
        members: [
          { jid: 'benvolio@montague.lit', affiliation: 'member' },
          { jid: 'tybalt@capulet.lit', affiliation: 'publisher' },
        ],
      }),
    ).toBe('Another app let benvolio@montague.lit, tybalt@capulet.lit (publisher) in to your nickname.');
  });

  it('subscribers the audience leaves out: who, that they are sent what is published, and who alone may read it', () => {
    const outside = (kind: Parameters<typeof describeDriftFinding>[0], jids: string[], audience: AccessRequest) =>
      describeDriftFinding(kind, { code: 'subscribers-outside', severity: 'alarm', jids, audience });
    expect(outside('keys', ['benvolio@montague.lit'], { model: 'presence' })).toBe(
      'benvolio@montague.lit is still subscribed to your keys and is sent every key you publish, although only contacts who see your presence may read them.',
    );
    expect(outside('vcard', ['nurse@capulet.lit', 'tybalt@capulet.lit/phone'], { model: 'roster', groups: ['Friends'] })).toBe(
      'nurse@capulet.lit and tybalt@capulet.lit/phone are still subscribed to your profile card and are sent every profile card you publish, although only your contacts in roster group "Friends" may read it.',
    );
    expect(outside('nickname', ['mallory@evil.example'], { model: 'whitelist', allow: ['romeo@montague.lit', 'nurse@capulet.lit'] })).toBe(
      'mallory@evil.example is still subscribed to your nickname and is sent every nickname you publish, although only romeo@montague.lit and nurse@capulet.lit may read it.',
    );
    // Never blamed on another app: removing a contact from the roster leaves the subscription too.
    expect(outside('avatar', ['benvolio@montague.lit'], { model: 'presence' })).not.toMatch(/another app/i);
  });

  it('what could not be checked is said, never passed off as unchanged', () => {
    expect(describeUnchecked('keys', [])).toBeUndefined();
    expect(describeUnchecked('keys', ['affiliations', 'subscriptions'])).toBe(
      'Not checked, as the server did not show it to this app: whom else the server lets in to your keys and who is subscribed to your keys (a subscriber is sent what you publish there).',
    );
  });

  it('persistence changes say what the server now does, and what was needed', () => {
    expect(
      describeDriftFinding('keys', {
        code: 'persistence-changed',
        severity: 'notice',
        changes: [
          { setting: 'max_items', expected: 32, current: '1' },
          { setting: 'persist_items', expected: true, current: false },
        ],
      }),
    ).toBe('Another app changed how your server keeps your keys: it now keeps only 1 (32 needed); it no longer stores them.');
  });

  it('an access model the app does not offer is quoted, never passed off as a known one', () => {
    expect(describeAudience({ model: 'authorize' })).toBe('"authorize", a setting this app does not offer');
    expect(describeAudience({ model: '' })).toBe('an access the server does not name');
    expect(describeAudience({ model: 'roster', groups: ['Friends', 'Family'] })).toBe('roster groups "Friends", "Family"');
  });

  it('a picture replaced is said to show another picture, or none, never quoted by its id', () => {
    const replaced = (now: string | undefined) =>
      describeDriftFinding('avatar', { code: 'items-replaced', severity: 'alarm', items: [{ itemId: 'ab'.repeat(20), expected: 'cd'.repeat(32), ...(now !== undefined ? { now } : {}) }] });
    expect(replaced('ab'.repeat(20))).toBe('Your picture was changed by another app or the server: it now shows another picture.');
    expect(replaced('')).toBe('Your picture was changed by another app or the server: it now shows no picture.');
    expect(replaced(undefined)).toBe('Your picture was changed by another app or the server: it now holds nothing your contacts can read.');
  });

  it('a profile card replaced: each field that changed is named with its value now and before; without them, the card is quoted whole', () => {
    const card = (fields?: ReplacedItem['fields']) =>
      describeDriftFinding('vcard', {
        code: 'items-replaced',
        severity: 'alarm',
        items: [{ itemId: 'current', expected: 'ab'.repeat(32), found: 'cd'.repeat(32), now: 'Juliet Capulet, Jules, Note set by my phone app', ...(fields ? { fields } : {}) }],
      });
    expect(
      card([
        { field: 'note', kind: 'changed', before: 'Written here', after: 'Note set by my phone app' },
        { field: 'phones', kind: 'added', before: '', after: '+39 045 555 0199' },
        { field: 'organisation', kind: 'removed', before: 'Montague & Co', after: '' },
      ]),
    ).toBe(
      'Your profile card was changed by another app or the server: Note is now “Note set by my phone app” (was “Written here”); ' +
        'Phone numbers added: “+39 045 555 0199”; Organisation removed (was “Montague & Co”).',
    );
    expect(card()).toBe('Your profile card was changed by another app or the server: it now says “Juliet Capulet, Jules, Note set by my phone app”.');
    expect(card([])).toBe('Your profile card was changed by another app or the server: it now says “Juliet Capulet, Jules, Note set by my phone app”.');
  });
});
