import { jid } from '@xmpp/client';
import { KeyringError } from '../errors.js';

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
