/**
 * After a profile publish: the item read back (XEP-0060 §6.5.8, by its id: one small request per node)
 * must say what was sent, compared as contacts read it (main/profile/profile-content.ts), else a KeyringError
 * 'read-back-mismatch' with field 'profile' (the renderer's words say "profile", not "key"): another
 * app of the account published over it at the same moment, or the server stored something else. As
 * for keys, a server that will not show the owner her own item leaves it unverified (read-back.ts).
 */
import type { Element } from '@xmpp/xml';
import { KeyringError } from '../errors.js';
import { readBackItem, type ReadBack } from './read-back.js';
import { nodeTitle } from '../xmpp/node-words.js';
import type { NodeContext } from '../xmpp/persistent-node.js';
import { asItem, profileContent } from '../profile/profile-content.js';

export async function verifyPublishedProfileItem(ctx: NodeContext, node: string, item: { id: string; payload: Element }): Promise<ReadBack> {
  const sent = profileContent(node, asItem(item));
  if (sent === undefined) return { status: 'unreadable', detail: 'the payload sent is not one the profile readers read' };
  const back = await readBackItem(ctx, node, item.id, (held) => profileContent(node, held));
  if (back.status === 'unreadable') return back;
  if (back.status === 'held' && back.found?.digest === sent.digest && back.found.whole === sent.whole) return { status: 'verified' };
  // The picture is named by its id (a SHA-1), not its bytes; the other parts by what they say.
  const quoted = (content: { says: string }) => (content.says === '' ? 'nothing' : `“${content.says}”`);
  const holds =
    back.status === 'absent'
      ? 'is not there'
      : back.found === undefined
        ? 'holds nothing your contacts can read'
        : back.found.digest === sent.digest
          ? // The fields shown here came back; what the card kept without showing it (its birthday…) did not.
            'has other details than those kept from your card (such as a birthday or a job title)'
          : `says ${quoted(back.found)}`;
  throw new KeyringError(
    'read-back-mismatch',
    `Your server answered the publish, but ${nodeTitle(node)} read back ${holds}, not what was sent (${quoted(sent)}). ` +
      'Another app of your account, or the server, may have changed it: contacts may see that instead.',
    'profile',
  );
}
