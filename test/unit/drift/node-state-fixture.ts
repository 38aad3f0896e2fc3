/** The key node as the app published it (presence, three keys), read back unchanged: each test changes one thing. */
import type { NodeState } from '../../../main/xmpp/node-state.js';

export const NODE = 'urn:xmpp:tmp:pubkey';
/** The account whose node it is. */
export const OWNER = 'juliet@capulet.lit';

export function state(extra: Partial<NodeState> = {}): NodeState {
  return {
    node: NODE,
    owner: OWNER,
    accessModel: 'presence',
    rosterGroups: [],
    persistItems: true,
    sendLastPublishedItem: 'never',
    maxItems: '32',
    notifyConfig: undefined,
    affiliations: { status: 'listed', others: [] },
    items: { status: 'listed', ids: ['k1', 'k2', 'k3'] },
    // Listed, nobody but the account subscribed (Prosody 0.12 lists them; ejabberd 23.01 would not).
    subscriptions: { status: 'listed', others: [] },
    ...extra,
  };
}
