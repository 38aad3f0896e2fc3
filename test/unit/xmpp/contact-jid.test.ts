/** contactBareJid's quick path for addresses already in canonical form gives what parsing gives. */
import { jid } from '@xmpp/client';
import { describe, expect, it } from 'vitest';
import { contactBareJid } from '../../../main/xmpp/contact-jid.js';
import { prng } from '../../support/prng.js';

/** What contactBareJid answered before the quick path: parse, then the bare JID's text, or 'refused'. */
function parsed(text: string): string {
  try {
    const address = jid(text);
    return address.local && address.domain ? address.bare().toString() : 'refused';
  } catch {
    return 'refused';
  }
}

function answered(text: string): string {
  try {
    return contactBareJid(text);
  } catch {
    return 'refused';
  }
}

describe('contactBareJid', () => {
  it('answers as parsing does, for addresses of every form (seeded: replayable)', () => {
    const random = prng(0x6a1d);
    const alphabet = [...'abcXYZ019._+-@/\\ ë'];
    const part = () => Array.from({ length: random.int(12) }, () => alphabet[random.int(alphabet.length)]).join('');
    for (let i = 0; i < 5000; i++) {
      const [local, domain, resource] = [part(), part(), part()];
      for (const text of [`${local}@${domain}`, `${local}@${domain}/${resource}`, local]) expect(answered(text), text).toBe(parsed(text));
    }
  });

  it('keeps the usual cases', () => {
    expect(contactBareJid('juliet@capulet.lit')).toBe('juliet@capulet.lit');
    expect(contactBareJid('Juliet@Capulet.LIT/balcony')).toBe(parsed('Juliet@Capulet.LIT/balcony'));
    expect(() => contactBareJid('capulet.lit')).toThrow('That is not a valid contact address.');
  });
});
