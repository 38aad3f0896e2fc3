import { describe, expect, it } from 'vitest';
import { bareJidText, isDomainName } from '../../contract/domain.js';

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
