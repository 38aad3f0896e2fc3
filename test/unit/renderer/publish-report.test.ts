/**
 * The words after a publish (renderer/src/lib/publish-report.ts): what XEP-0222's settings mean for
 * readers, said as what holds, never as a list of yes/no that reads like warnings ("pushed to readers
 * when they sign in: no"); and only what the server's read-back confirms.
 */
import { describe, expect, it } from 'vitest';
import { deliveryWords, otherAudienceThanPublished, profileReportParts } from '../../../renderer/src/lib/publish-report.js';

const asked = { persistItems: true, sendLastPublishedItem: 'never' };

describe('what a publish means for readers', () => {
  it('says plainly what the XEP-0222 settings give, for one item and for several', () => {
    expect(deliveryWords([asked], 'it')).toBe('Your server keeps it, and readers’ apps get it when they ask; it is not sent to readers when they sign in.');
    expect(deliveryWords([asked, asked], 'them')).toBe('Your server keeps them, and readers’ apps get them when they ask; they are not sent to readers when they sign in.');
  });

  it('claims nothing the read-back did not confirm (the ⚠ lines say what differs)', () => {
    expect(deliveryWords([{ persistItems: true, sendLastPublishedItem: 'on_sub_and_presence' }], 'it')).toBe('Your server keeps it, and readers’ apps get it when they ask.');
    expect(deliveryWords([{ persistItems: undefined, sendLastPublishedItem: 'never' }], 'it')).toBe('It is not sent to readers when they sign in.');
    expect(deliveryWords([asked, { persistItems: false, sendLastPublishedItem: undefined }], 'them')).toBe('');
    expect(deliveryWords([], 'them')).toBe('');
  });

  it('never reads as a warning', () => {
    for (const words of [deliveryWords([asked], 'it'), deliveryWords([asked, asked], 'them')]) expect(words).not.toMatch(/: (no|yes)\b|⚠/);
  });
});

describe('the profile publish’s report', () => {
  const node = (n: string) => ({ node: n });
  it('names the avatar once when a change of audience reached its two nodes, never as a nickname', () => {
    const parts = profileReportParts([node('urn:xmpp:vcard4'), node('http://jabber.org/protocol/nick'), node('urn:xmpp:avatar:data'), node('urn:xmpp:avatar:metadata')]);
    expect(parts.map((p) => [p.name, p.config.node])).toEqual([
      ['Profile', 'urn:xmpp:vcard4'],
      ['Nickname', 'http://jabber.org/protocol/nick'],
      ['Avatar', 'urn:xmpp:avatar:metadata'],
    ]);
  });

  it('names an avatar data node alone (no metadata node on the server) as the avatar too', () => {
    expect(profileReportParts([node('urn:xmpp:vcard4'), node('urn:xmpp:avatar:data')]).map((p) => p.name)).toEqual(['Profile', 'Avatar']);
  });
});

describe('another audience chosen than the published profile has', () => {
  it('names who may read it now, so the form can say the checkbox is needed', () => {
    expect(otherAudienceThanPublished({ model: 'open' }, { model: 'whitelist', allow: ['benvolio@montague.lit'] })).toBe('anyone');
    expect(otherAudienceThanPublished({ model: 'whitelist', allow: ['benvolio@montague.lit'] }, { model: 'open' })).toMatch(/benvolio@montague\.lit/);
  });

  it('says nothing when the audience is the same, or nothing is published yet', () => {
    expect(otherAudienceThanPublished({ model: 'open' }, { model: 'open' })).toBeUndefined();
    expect(otherAudienceThanPublished({ model: 'whitelist', allow: ['Benvolio@Montague.lit'] }, { model: 'whitelist', allow: ['benvolio@montague.lit'] })).toBeUndefined();
    expect(otherAudienceThanPublished(undefined, { model: 'open' })).toBeUndefined();
    expect(otherAudienceThanPublished({ model: 'open' }, undefined)).toBeUndefined();
    // A whitelist whose members could not be read: its readers are not known, so no difference is claimed.
    expect(otherAudienceThanPublished({ model: 'whitelist', allow: [] }, { model: 'whitelist', allow: ['benvolio@montague.lit'] })).toBeUndefined();
  });
});
