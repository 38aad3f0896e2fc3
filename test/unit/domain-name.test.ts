import { describe, expect, it } from 'vitest';
import { withoutFinalDot } from '../../contract/contact-address.js';
import { ConnectParams } from '../../contract/account.js';
import { bareJidText, contactAddressText, isDomainName } from '../../contract/domain.js';

describe('what may follow @ in an address (RFC 7622 §3.2 domainpart)', () => {
  it.each(['capulet.lit', 'localhost', 'xmpp-2.capulet.lit', '127.0.0.1', '[::1]', '[2001:db8::7]', 'xn--mnchen-3ya.de', 'münchen.de', 'пример.рф', `${'a'.repeat(63)}.lit`])(
    '%s is a domain name',
    (name) => expect(isDomainName(name)).toBe(true),
  );

  it.each(['capulet,lit', 'capulet..lit', '.capulet.lit', '-capulet.lit', 'capulet-.lit', 'capulet_lit', 'capulet.lit!', 'capu\u202elet.lit', '[::1', '[capulet]', `${'a'.repeat(64)}.lit`, `${'ü'.repeat(60)}.`.repeat(9).slice(0, -1), ''])(
    '%j is not',
    (name) => expect(isDomainName(name)).toBe(false),
  );

  it('an address with a comma in its domain is refused, in words that quote it', () => {
    const parsed = bareJidText.safeParse('juliet@capulet,lit');
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toBe('“capulet,lit” is not a server name: after the @ come letters, digits and hyphens, in parts separated by dots, like capulet.lit');
    expect(bareJidText.safeParse('juliet@capulet.lit').success).toBe(true);
  });
});

describe('an address whose domain ends in a dot (RFC 7622 §3.2: the dot is stripped before anything else)', () => {
  it.each([
    ['juliet@capulet.lit.', 'juliet@capulet.lit'],
    ['  juliet@capulet.lit.  ', 'juliet@capulet.lit'],
    ['juliet@localhost.', 'juliet@localhost'],
  ])('%j is taken as %j', (typed, address) => {
    expect(bareJidText.parse(typed)).toBe(address);
  });

  it('an add-contact link or address with the dot is read without it', () => {
    expect(contactAddressText.parse('romeo@montague.lit.')).toBe('romeo@montague.lit');
    expect(contactAddressText.parse('xmpp:romeo@montague.lit.?roster')).toBe('romeo@montague.lit');
  });

  it('only one dot is stripped, and a dot alone is no domain', () => {
    expect(bareJidText.safeParse('juliet@capulet.lit..').error?.issues[0]?.message).toContain('“capulet.lit..” is not a server name');
    expect(bareJidText.safeParse('juliet@.').error?.issues[0]?.message).toContain('“.” is not a server name');
    expect(bareJidText.safeParse('juliet@capulet..lit.').success).toBe(false);
    // As for Server host (hostWithoutFinalDot): a dot after an IP literal ends no DNS name.
    expect(withoutFinalDot('juliet@[::1].')).toBe('juliet@[::1].');
    expect(bareJidText.safeParse('juliet@[::1].').success).toBe(false);
  });

  it('a dot in the local part is left alone', () => {
    expect(withoutFinalDot('juliet.@capulet.lit')).toBe('juliet.@capulet.lit');
    expect(withoutFinalDot('no-at-sign.')).toBe('no-at-sign.');
  });
});

describe('a Server host written fully qualified, with a final dot (RFC 1034 §3.1: the root label)', () => {
  const hostOf = (host: string) => ConnectParams.safeParse({ jid: 'juliet@capulet.lit', password: 'x', host });

  it.each([
    ['xmpp.capulet.lit.', 'xmpp.capulet.lit'],
    [' localhost. ', 'localhost'],
    ['127.0.0.1.', '127.0.0.1'],
    ['xmpp.capulet.lit', 'xmpp.capulet.lit'],
  ])('%j is taken as %j', (typed, host) => {
    expect(hostOf(typed)).toMatchObject({ success: true, data: { host } });
  });

  it.each(['xmpp.capulet.lit..', '.', '[::1].'])('%j is still refused', (typed) => {
    expect(hostOf(typed).success).toBe(false);
  });
});
