import { jid } from '@xmpp/client';
import { KeyringError } from '../errors.js';

/** A contact's address as typed or received, reduced to its bare JID; a clear error when it is not one. */
export function contactBareJid(text: string): string {
  try {
    const parsed = jid(text);
    if (!parsed.local || !parsed.domain) throw new Error('not a user address');
    return parsed.bare().toString();
  } catch {
    throw new KeyringError('invalid-argument', 'That is not a valid contact address.', 'jid');
  }
}
