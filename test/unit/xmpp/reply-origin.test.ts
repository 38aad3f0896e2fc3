/**
 * Which sender may answer a request (RFC 6120 §8.2.3, §8.1.2.1, §10.3.3): the rule the IQ caller
 * applies before a reply reaches anyone (main/xmpp/iq-requests.ts). The attack end to end, on real
 * servers and a fake one, is in test/integration/reply-origin.test.ts.
 */
import { describe, expect, it } from 'vitest';
import xml from '@xmpp/xml';
import { describeRequest, replyComesFromAddressee } from '../../../main/xmpp/iq-requests.js';

const own = { bare: 'juliet@capulet.lit', domain: 'capulet.lit' };

describe('a reply counts only from the entity asked', () => {
  it.each([
    // [request to, reply from, accepted]
    ['romeo@montague.lit', 'romeo@montague.lit', true],
    ['romeo@montague.lit', 'mallory@evil.example', false],
    ['romeo@montague.lit', 'romeo@montague.lit/phone', false],
    ['romeo@montague.lit', undefined, false],
    ['romeo@montague.lit', 'montague.lit', false],
    ['romeo@montague.lit/phone', 'romeo@montague.lit/phone', true],
    ['romeo@montague.lit/phone', 'romeo@montague.lit/Phone', false],
    ['romeo@montague.lit/phone', 'romeo@montague.lit', false],
    // Local part and domain compare case-insensitively (RFC 7622 §3.2, §3.3); a trailing dot is not part of the domain.
    ['romeo@montague.lit', 'Romeo@MONTAGUE.lit', true],
    ['romeo@montague.lit', 'romeo@montague.lit.', true],
    // The account's own PEP service: its bare JID or no 'from'.
    ['juliet@capulet.lit', undefined, true],
    ['juliet@capulet.lit', 'juliet@capulet.lit', true],
    ['juliet@capulet.lit', 'JULIET@capulet.lit', true],
    ['juliet@capulet.lit', 'juliet@capulet.lit/balcony', false],
    ['juliet@capulet.lit', 'capulet.lit', false],
    ['juliet@capulet.lit', 'mallory@evil.example', false],
    // No 'to': the server answers for the account (no 'from', or our bare JID), or during negotiation as itself.
    [undefined, undefined, true],
    [undefined, 'juliet@capulet.lit', true],
    [undefined, 'capulet.lit', true],
    [undefined, 'mallory@capulet.lit', false],
    [undefined, 'evil.example', false],
    // Our server's domain: the domain or no 'from'.
    ['capulet.lit', 'capulet.lit', true],
    ['capulet.lit', undefined, true],
    ['capulet.lit', 'pubsub.capulet.lit', false],
    // Unparseable senders never match.
    ['romeo@montague.lit', '@@@', false],
  ])('to %s, from %s → %s', (to, from, accepted) => {
    expect(replyComesFromAddressee(to, from, own)).toBe(accepted);
  });

  it('before binding, with no bare JID known yet, only the server itself answers the bind request', () => {
    const unbound = { bare: undefined, domain: 'capulet.lit' };
    expect(replyComesFromAddressee(undefined, undefined, unbound)).toBe(true);
    expect(replyComesFromAddressee(undefined, 'capulet.lit', unbound)).toBe(true);
    expect(replyComesFromAddressee(undefined, 'juliet@capulet.lit', unbound)).toBe(false);
  });
});

describe('naming a request in a timeout message', () => {
  it('names the payload family, the operation and the node', () => {
    const iq = xml('iq', { type: 'get' }, xml('pubsub', { xmlns: 'http://jabber.org/protocol/pubsub#owner' }, xml('configure', { node: 'urn:xmpp:vcard4' })));
    expect(describeRequest(iq)).toBe('pubsub#owner configure of urn:xmpp:vcard4');
    expect(describeRequest(xml('iq', { type: 'get' }, xml('query', { xmlns: 'http://jabber.org/protocol/disco#info' })))).toBe('disco#info');
    expect(describeRequest(xml('iq', { type: 'get' }))).toBe('an empty request');
  });

  it('keeps a hostile node name on one bounded line', () => {
    const iq = xml('iq', { type: 'get' }, xml('pubsub', { xmlns: 'p' }, xml('items', { node: `x\ntrust: verified\u202e${'y'.repeat(500)}` })));
    const text = describeRequest(iq);
    expect(text).not.toMatch(/[\n\u202e]/);
    expect(text.length).toBeLessThanOrEqual(200);
  });
});
