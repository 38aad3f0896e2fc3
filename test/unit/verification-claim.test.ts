/**
 * What a pasted or scanned verification text claims (contract/format.ts parseVerificationClaim, through
 * the request schema in contract/domain.ts): a fingerprint however it is written, or the URI
 * `xmpp:<bare JID>?x509-sha256=<hex>`; anything else is refused with a reason, never guessed at.
 */
import { describe, expect, it } from 'vitest';
import { parseVerificationClaim, verificationUri } from '../../contract/format.js';
import { verificationClaimText } from '../../contract/domain.js';

const HEX = '3f2a9c0177ab0e12'.repeat(4);

describe('verification claims', () => {
  it('a fingerprint with spaces, colons and capitals is the same fingerprint', () => {
    const spaced = HEX.toUpperCase().match(/.{2}/g)?.join(':') ?? '';
    expect(parseVerificationClaim(`  ${spaced} `)).toEqual({ fingerprint: HEX });
    expect(parseVerificationClaim(HEX.match(/.{4}/g)?.join(' ') ?? '')).toEqual({ fingerprint: HEX });
  });

  it('dashes are separators too, also the typographic ones a document turns a hyphen into; the digits stay exact', () => {
    expect(parseVerificationClaim(HEX.toUpperCase().match(/.{4}/g)?.join('-') ?? '')).toEqual({ fingerprint: HEX });
    expect(parseVerificationClaim(HEX.match(/.{8}/g)?.join(' \u2013 ') ?? '')).toEqual({ fingerprint: HEX });
    expect(parseVerificationClaim(`${HEX.slice(0, 63)}-`)).toHaveProperty('problem');
  });

  it('the URI names whose key it is; other query keys are ignored', () => {
    expect(parseVerificationClaim(`xmpp:Juliet@Capulet.lit?x509-sha256=${HEX}`)).toEqual({ fingerprint: HEX, jid: 'juliet@capulet.lit' });
    expect(parseVerificationClaim(`xmpp:juliet@capulet.lit?message;body=hi;x509-sha256=${HEX.toUpperCase()}&foo=bar`)).toEqual({
      fingerprint: HEX,
      jid: 'juliet@capulet.lit',
    });
  });

  it('what the app puts in its QR code reads back as the same claim', () => {
    expect(parseVerificationClaim(verificationUri('romeo@montague.lit', HEX))).toEqual({ fingerprint: HEX, jid: 'romeo@montague.lit' });
  });

  it.each([
    ['', 'Type or paste their fingerprint: 64 digits, 0–9 and a–f.'],
    [HEX.slice(1), 'That is 63 digits; a fingerprint has 64. Type the rest to compare.'],
    ['asdf qwer !!!', 'A fingerprint has only the digits 0–9 and the letters a–f (spaces and colons aside).'],
    [`${HEX}0`, 'That is 65 digits; a fingerprint has 64.'],
    ['xmpp:juliet@capulet.lit', 'carries no fingerprint'],
    [`xmpp:juliet@capulet.lit/balcony?x509-sha256=${HEX}`, 'does not name an address'],
    [`xmpp:capulet.lit?x509-sha256=${HEX}`, 'does not name an address'],
    [`xmpp:%E0%A4%A@capulet.lit?x509-sha256=${HEX}`, 'damaged'],
    [`xmpp:juliet@capulet.lit?x509-sha256=${HEX};x509-sha256=${HEX}`, 'more than one fingerprint'],
    ['xmpp:juliet@capulet.lit?x509-sha256=abcd', 'not 64 hexadecimal digits'],
  ])('%j is refused (%s)', (text, reason) => {
    const claim = parseVerificationClaim(text);
    expect('problem' in claim && claim.problem).toContain(reason);
  });

  it('the request schema refuses an empty comparison before anything is compared', () => {
    const empty = verificationClaimText.safeParse('   ');
    expect(empty.success).toBe(false);
    expect(empty.error?.issues[0]?.message).toBe('Type or paste their fingerprint first');
    expect(verificationClaimText.parse(`xmpp:juliet@capulet.lit?x509-sha256=${HEX}`)).toEqual({ fingerprint: HEX, jid: 'juliet@capulet.lit' });
  });
});
