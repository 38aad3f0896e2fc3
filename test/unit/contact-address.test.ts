/**
 * "Add contact…" takes an address as people paste it: plainly, or as an xmpp: link (this app's own
 * verification link, other apps' "add me" links). The link is read as its address; a link that names
 * no single contact is refused in words, before anything reaches the server.
 */
import { describe, expect, it } from 'vitest';
import { roster } from '../../contract/roster.js';
import { readContactAddress } from '../../contract/contact-address.js';

const addParams = (jid: string) => roster.requests.add.params.safeParse({ jid, groups: [] });
const FINGERPRINT = 'ab'.repeat(32);

describe('an address pasted into Add contact', () => {
  it('as an xmpp: link, with or without a query, is read as its address', () => {
    for (const link of [
      'xmpp:benvolio@capulet.lit',
      ' XMPP:benvolio@capulet.lit?roster ',
      'xmpp:benvolio@capulet.lit?subscribe',
      `xmpp:benvolio@capulet.lit?x509-sha256=${FINGERPRINT}`,
      'xmpp:benvolio%40capulet.lit#top',
    ]) {
      const parsed = addParams(link);
      expect(parsed.success, link).toBe(true);
      expect(parsed.data?.jid, link).toBe('benvolio@capulet.lit');
    }
  });

  it('plain, is left as typed (main puts it in its one form)', () => {
    expect(addParams('  JULIET@CAPULET.LIT ').data?.jid).toBe('JULIET@CAPULET.LIT');
  });

  it('as a link that names no single contact, is refused in words', () => {
    const refusals: [string, string][] = [
      ['xmpp://juliet@capulet.lit/benvolio@capulet.lit', 'names an account to sign in with'],
      ['xmpp:chorus@rooms.verona.lit?join', 'group chat'],
      ['xmpp:benvolio@capulet.lit/balcony', 'one device'],
      ['xmpp:capulet.lit', 'does not name a contact’s address'],
      ['xmpp:', 'does not name a contact’s address'],
      ['xmpp:benvolio%E0%A4%A@capulet.lit', 'damaged'],
    ];
    for (const [link, words] of refusals) {
      const parsed = addParams(link);
      expect(parsed.success, link).toBe(false);
      expect(parsed.error?.issues[0]?.message, link).toContain(words);
      expect(readContactAddress(link)).toHaveProperty('problem');
    }
  });
});
