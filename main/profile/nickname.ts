/**
 * XEP-0172 User Nickname over PEP (§4.3 Nickname Management): `<nick xmlns='http://jabber.org/protocol/nick'>`
 * on node http://jabber.org/protocol/nick. A contact's nickname is asserted, not verified (§7: never
 * identify anyone by it), and untrusted text: cut and cleaned.
 */
import { xml } from '@xmpp/client';
import type { Element } from '@xmpp/xml';
import { PROFILE_LIMITS } from '../../contract/limits.js';
import { NS } from '../xmpp/namespaces.js';
import type { RawItem } from '../xmpp/pubsub.js';
import { cleanText } from '../untrusted-text.js';

/** One nickname at a time: a singleton node, so XEP-0060 §13.21's recommended item id. */
export const NICK_ITEM_ID = 'current';

export function nickPayload(nickname: string): Element {
  return xml('nick', { xmlns: NS.nick }, cleanText(nickname, PROFILE_LIMITS.fieldChars) ?? '');
}

export type NickRead = { nickname: string | undefined } | { problem: string };

/** §3: the nickname is the character data of <nick/>; an empty one means none. */
export function readNickItem(item: RawItem): NickRead {
  const nick = item.payload;
  if (!nick || !nick.is('nick', NS.nick)) return { problem: `no <nick xmlns="${NS.nick}"/> payload` };
  return { nickname: cleanText(nick.text(), PROFILE_LIMITS.fieldChars) };
}
