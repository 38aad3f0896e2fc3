import { jid } from '@xmpp/client';
import { KeyringError } from '../errors.js';
import type { Logger } from '../logger.js';
import { cutAt, oneLine } from '../untrusted-text.js';

/**
 * An address already in the one form parsing would give back (lower-case ASCII local part and domain,
 * no resource, nothing XEP-0106 escapes): what roster items and stored contacts almost always are.
 * Parsing costs ~25 µs (@xmpp/jid unescapes the local part with ten replaceAll), once per contact of a
 * bulk fetch; this test costs well under one.
 */
const CANONICAL_BARE_JID = /^[a-z0-9._+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*$/;

/** A contact's address as typed or received, reduced to its bare JID; a clear error when it is not one. */
export function contactBareJid(text: string): string {
  if (CANONICAL_BARE_JID.test(text)) return text;
  try {
    const parsed = jid(text);
    if (!parsed.local || !parsed.domain) throw new Error('not a user address');
    return parsed.bare().toString();
  } catch {
    throw new KeyringError('invalid-argument', 'That is not a valid contact address.', 'jid');
  }
}

/**
 * The contacts' addresses among `texts` (as contactBareJid gives them, in order), and those it refuses.
 * A roster may hold an address that is no person's: a gateway or transport is a bare domain
 * (`irc.capulet.lit`, RFC 6121 §2.1.1 allows any JID), and it publishes no keys. A bulk read skips it
 * instead of letting the one address end the read of everyone else.
 */
export function contactBareJids(texts: readonly string[]): { jids: string[]; refused: string[] } {
  const jids: string[] = [];
  const refused: string[] = [];
  for (const text of texts) {
    try {
      jids.push(contactBareJid(text));
    } catch {
      refused.push(text);
    }
  }
  return { jids, refused };
}

/**
 * One log line for the addresses a bulk read skipped (contactBareJids), whatever their number: the
 * roster is the server's to fill, so the first address is shown cleaned and cut, never as sent.
 */
export function logSkippedAddresses(log: Logger, refused: readonly string[], what: string): void {
  const first = refused[0];
  if (first === undefined) return;
  const more = refused.length > 1 ? ` and ${refused.length - 1} more` : '';
  log.info(`${what}: skipped ${oneLine(cutAt(first, 256))}${more}, not a person's address (a gateway or a server)`);
}
