/**
 * OMEMO and OpenPGP fingerprints as the apps that made the keys print them (contract/fingerprint.ts
 * parseOtherKeyFingerprint, through the request schema): one stored form, anything else refused.
 */
import { describe, expect, it } from 'vitest';
import { otherKeyFingerprintText } from '../../contract/domain.js';
import { formatOtherKeyFingerprint, parseOtherKeyFingerprint } from '../../contract/format.js';
import { expected } from './protocols/fixtures.js';

const OMEMO = expected.profanityOmemoFingerprint.replace(/-/g, '');

describe('other apps’ fingerprints', () => {
  it('reads an OMEMO fingerprint as Profanity, Conversations, Gajim or a "05"-prefixed copy print it', () => {
    for (const text of [
      expected.profanityOmemoFingerprint,
      formatOtherKeyFingerprint('omemo', OMEMO),
      OMEMO.toUpperCase().match(/.{8}/g)?.join(' ') ?? '',
      `05${OMEMO}`,
      `05:${OMEMO.match(/.{2}/g)?.join(':') ?? ''}`,
    ]) {
      expect([text, parseOtherKeyFingerprint(text)]).toEqual([text, { family: 'omemo', fingerprint: OMEMO }]);
    }
  });

  it('reads an OpenPGP fingerprint as gpg and Profanity print it, in either case, with or without 0x', () => {
    for (const text of [expected.profanityOxFingerprint, expected.gpgFingerprint.toLowerCase(), `0x${expected.gpgFingerprint}`]) {
      expect(parseOtherKeyFingerprint(text)).toEqual({ family: 'openpgp', fingerprint: expected.gpgFingerprint });
    }
  });

  it('refuses what is neither, with a reason', () => {
    expect(parseOtherKeyFingerprint('6BA28AC9')).toEqual({ problem: expect.stringMatching(/64 .* 40/) as unknown });
    expect(parseOtherKeyFingerprint('z'.repeat(40))).toEqual({ problem: expect.stringMatching(/hexadecimal/) as unknown });
    expect(parseOtherKeyFingerprint(`06${OMEMO}`)).toHaveProperty('problem');
    expect(otherKeyFingerprintText.safeParse('').success).toBe(false);
    expect(otherKeyFingerprintText.parse(` ${expected.profanityOxFingerprint} `)).toBe(expected.gpgFingerprint);
  });
});
