/**
 * After a profile publish: the item read back (XEP-0060 §6.5.8, by its id: one small request per node)
 * must say what was sent, compared as contacts read it (main/profile/profile-content.ts), else a KeyringError
 * 'read-back-mismatch' with field 'profile' (the renderer's words say "profile", not "key"): another
 * app of the account published over it at the same moment, or the server stored something else. As
 * for keys (held-certificate.ts), a server that will not show the owner her own item
 * (ejabberd 23.01 under roster access, docs/drift.md) leaves it unverified, not failed.
 */
import type { Element } from '@xmpp/xml';
import { KeyringError } from '../errors.js';
import type { ReadBack } from './held-certificate.js';
import { fetchItem } from '../xmpp/fetch-items.js';
import { nodeTitle } from '../xmpp/node-words.js';
import type { NodeContext } from '../xmpp/persistent-node.js';
import { asItem, profileContent } from '../profile/profile-content.js';

export async function verifyPublishedProfileItem(ctx: NodeContext, node: string, item: { id: string; payload: Element }): Promise<ReadBack> {
  const sent = profileContent(node, asItem(item));
  if (sent === undefined) return { status: 'unreadable', detail: 'the payload sent is not one the profile readers read' };
  const read = await fetchItem(ctx.iq, ctx.owner, node, item.id);
  if (read.status === 'refused' || read.status === 'unreachable' || read.status === 'failed') return { status: 'unreadable', detail: read.detail };
  const back = read.status === 'ok' ? read.items[0] : undefined;
  const found = back === undefined ? undefined : profileContent(node, back);
  if (found?.digest === sent.digest) return { status: 'verified' };
  // The picture is named by its id (a SHA-1), not its bytes; the other parts by what they say.
  const quoted = (content: { says: string }) => (content.says === '' ? 'nothing' : `“${content.says}”`);
  const holds = back === undefined ? 'is not there' : found === undefined ? 'holds nothing your contacts can read' : `says ${quoted(found)}`;
  throw new KeyringError(
    'read-back-mismatch',
    `Your server answered the publish, but ${nodeTitle(node)} read back ${holds}, not what was sent (${quoted(sent)}). ` +
      'Another app of your account, or the server, may have changed it: contacts may see that instead.',
    'profile',
  );
}
