/**
 * XEP-0172 User Nickname over PEP (§4.3 Nickname Management): `<nick xmlns='http://jabber.org/protocol/nick'>`
 * on node http://jabber.org/protocol/nick. A contact's nickname is asserted, not verified (§7: never
 * identify anyone by it), and untrusted text: cut and cleaned. The user's own goes out as typed but for
 * what could act in a contact's app (contract/own-text.ts).
 */
import { xml } from '@xmpp/client';
import type { Element } from '@xmpp/xml';
import { PROFILE_LIMITS } from '../../contract/limits.js';
import { NS } from '../xmpp/namespaces.js';
import type { RawItem } from '../xmpp/pubsub.js';
import { ownText } from '../../contract/own-text.js';
import { cleanText } from '../untrusted-text.js';
import type { TextCleaner } from './vcard4.js';

/** One nickname at a time: a singleton node, so XEP-0060 §13.21's recommended item id. */
export const NICK_ITEM_ID = 'current';

export function nickPayload(nickname: string): Element {
  return xml('nick', { xmlns: NS.nick }, ownText(nickname, PROFILE_LIMITS.fieldChars) ?? '');
}

export type NickRead = { nickname: string | undefined } | { problem: string };

/** §3: the nickname is the character data of <nick/>; an empty one means none. A contact's unless `clean` says. */
export function readNickItem(item: RawItem, clean: TextCleaner = cleanText): NickRead {
  const nick = item.payload;
  if (!nick || !nick.is('nick', NS.nick)) return { problem: `no <nick xmlns="${NS.nick}"/> payload` };
  return { nickname: clean(nick.text(), PROFILE_LIMITS.fieldChars) };
}
