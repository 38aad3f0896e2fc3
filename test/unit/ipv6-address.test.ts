/**
 * The IPv6 check the contract makes of a server name in brackets (RFC 7622 §3.2, RFC 4291 §2.2) answers
 * as Node's own (node:net isIPv6, which the connection stands on) does, on the forms people write and on
 * random strings of the characters an address is made of; "[::::]" or "[1:2:3]" are refused in words,
 * not passed to the connection.
 */
import { isIPv6 } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ConnectParams } from '../../contract/account.js';
import { bareJidText, isDomainName, isIpv6Address } from '../../contract/domain.js';
import { prng } from '../support/prng.js';

const FORMS = [
  '::', '::1', '1::', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7::', '::2:3:4:5:6:7:8', 'fe80::1', '2001:db8::1',
  '::ffff:127.0.0.1', '1:2:3:4:5:6:1.2.3.4', '::1.2.3.4', '1:2:3:4:5::1.2.3.4',
  // refused
  '1:2:3:4:5:6:7:8:9', '1:2:3', '::::', ':::', '1::2::3', '1:2:3:4:5:6:7:1.2.3.4', '1.2.3.4', '::01.2.3.4',
  '::256.1.1.1', '12345::', 'g::1', ':1::2', '1::2:', '::1.2.3', '1:2:3:4:5:6::1.2.3.4', '',
];

describe('an IPv6 address, as RFC 4291 §2.2 writes it', () => {
  it('answers as node:net does on the usual and the broken forms', () => {
    for (const form of FORMS) expect(isIpv6Address(form), form).toBe(isIPv6(form));
  });

  it('answers as node:net does on 200,000 random strings of hex digits, colons and dots', () => {
    const random = prng(7622);
    const alphabet = '0123456789abcdef:.';
    const differ: string[] = [];
    for (let i = 0; i < 200_000; i++) {
      let text = '';
      for (let n = 1 + random.int(20); n > 0; n--) text += alphabet[random.int(alphabet.length)];
      if (isIpv6Address(text) !== isIPv6(text)) differ.push(text);
    }
    expect(differ.slice(0, 10)).toEqual([]);
  });

  it('a server name in brackets that is no IPv6 address is refused before anything connects', () => {
    for (const name of ['[::::]', '[1:2:3]', '[:::]', '[1::2::3]']) {
      expect(isDomainName(name), name).toBe(false);
      expect(bareJidText.safeParse(`juliet@${name}`).success, name).toBe(false);
    }
    expect(isDomainName('[2001:db8::1]')).toBe(true);
    expect(bareJidText.safeParse('juliet@[::1]').success).toBe(true);
  });

  it('Server host: an IPv6 address typed without brackets is told to have them', () => {
    const host = (text: string) => ConnectParams.safeParse({ jid: 'juliet@capulet.lit', password: 'x', host: text }).error?.issues[0]?.message;
    expect(host('2001:db8::1')).toBe('Put an IPv6 address in brackets, like [2001:db8::1]');
    expect(host('[2001:db8::1]')).toBeUndefined();
    expect(host('[1:2:3]')).toContain('Enter a server name');
  });
});
