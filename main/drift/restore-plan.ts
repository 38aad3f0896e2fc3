/**
 * What Restore would do to put a drifted node back as the app published it, as data: shown to the
 * person before it runs, then carried out by restore.ts with the XEP-0222 publishing strategy
 * (main/xmpp/persistent-node.ts). And what Accept would record instead.
 */
import type { AccessRequest } from '../../contract/index.js';
import { ACCESS_MODELS } from '../../contract/index.js';
import { bareJidKey } from '../keys/xmpp-addr.js';
import { isRevocationItemId } from '../xmpp/key-statements.js';
import type { NodeState } from '../xmpp/node-state.js';
import { replacedItems, subscribersOutside, type NodeDrift, type RecordedNode } from './compare.js';

export interface RestorePlan {
  node: string;
  /**
   * Make the node's configuration and affiliations the recorded ones again: ensurePersistentNode with
   * the recorded access, the change consented to (the person chose Restore). It creates a deleted node,
   * configures (XEP-0060 §8.2.4), ends the subscriptions the access leaves out (§8.8.2,
   * node-subscriptions.ts) and sets affiliations (§8.9.2), then reads them back.
   */
  reconfigure?: {
    access: AccessRequest;
    maxItems: number;
    /** What it puts back. */
    restores: ('node' | 'access' | 'members' | 'subscriptions' | 'persistence')[];
    /** The affiliation changes it will make: extra ones removed ('none'), whitelist members put back. */
    affiliations: { jid: string; affiliation: 'none' | 'member' }[];
  };
  /** Items to publish again from the vault's records, in the order they were first published. */
  republish: string[];
}

/** Undefined when there is nothing to restore. */
export function planRestore(recorded: RecordedNode, drift: NodeDrift): RestorePlan | undefined {
  if (drift.findings.length === 0) return undefined;
  const restores = new Set<NonNullable<RestorePlan['reconfigure']>['restores'][number]>();
  const affiliations: NonNullable<RestorePlan['reconfigure']>['affiliations'] = [];
  // Removed and replaced items alike are published again from the vault's records (a publish under
  // the same id replaces the item, XEP-0060 §7.1.2), in the order first published.
  const republish = new Set<string>();
  const members = recorded.access.model === 'whitelist' ? (recorded.access.allow ?? []) : [];

  for (const finding of drift.findings) {
    switch (finding.code) {
      case 'node-deleted':
        restores.add('node');
        affiliations.push(...members.map((jid) => ({ jid, affiliation: 'member' as const })));
        for (const id of recorded.itemIds) republish.add(id);
        break;
      case 'access-widened':
      case 'access-narrowed':
        restores.add('access');
        break;
      case 'members-added':
        restores.add('members');
        affiliations.push(...finding.members.map((m) => ({ jid: m.jid, affiliation: 'none' as const })));
        break;
      case 'members-removed':
        restores.add('members');
        affiliations.push(...finding.jids.map((jid) => ({ jid, affiliation: 'member' as const })));
        break;
      case 'subscribers-outside':
        // ensurePersistentNode ends every subscription the recorded access leaves out, and reads them again.
        restores.add('subscriptions');
        break;
      case 'persistence-changed':
        restores.add('persistence');
        break;
      case 'items-removed':
        for (const id of finding.itemIds) republish.add(id);
        break;
      case 'items-replaced':
        for (const item of finding.items) republish.add(item.itemId);
        break;
    }
  }
  // A whitelist member who became publisher or owner is put back to member, not removed.
  const put = new Map<string, 'none' | 'member'>();
  for (const change of affiliations) {
    const jid = bareJidKey(change.jid);
    const member = members.some((m) => bareJidKey(m) === jid);
    put.set(jid, member ? 'member' : change.affiliation);
  }
  const plan: RestorePlan = { node: recorded.node, republish: recorded.itemIds.filter((id) => republish.has(id)) };
  if (restores.size > 0) {
    plan.reconfigure = {
      access: recorded.access,
      maxItems: recorded.maxItems,
      restores: [...restores],
      affiliations: [...put].map(([jid, affiliation]) => ({ jid, affiliation })),
    };
  }
  return plan;
}

export type AcceptOutcome =
  | { ok: true; recorded: RecordedNode }
  /**
   * The current state is not a choice the app can publish again: an access model it does not offer
   * ('unknown-access-model': authorize, or none named), or one it cannot express
   * ('not-representable'): affiliations beyond a whitelist's members (a member of a presence node, a
   * publisher), which the app's next publish would remove; a whitelist without members, or whose
   * members the server would not list; roster access without a group; subscribers the access accepted
   * leaves out, whom the next publish would unsubscribe. Or ('revocation-removed') a revocation of one
   * of the account's keys is no longer there as published: accepted, contacts would never again be told
   * the key was revoked (XEP-0222 §2). Only Restore fits then.
   */
  | { ok: false; reason: 'unknown-access-model' | 'not-representable' | 'revocation-removed' };

/** Accept: the node's current state as the new intended one (what the vault records instead). */
export function acceptCurrent(recorded: RecordedNode, current: NodeState): AcceptOutcome {
  const model = ACCESS_MODELS.find((m) => m === current.accessModel);
  if (model === undefined) return { ok: false, reason: 'unknown-access-model' };
  const notRepresentable = { ok: false, reason: 'not-representable' } as const;
  const others = current.affiliations.status === 'listed' ? current.affiliations.others : [];
  if (!others.every((a) => a.affiliation === 'member' && (model === 'whitelist' || model === 'open'))) return notRepresentable;
  const access: AccessRequest = { model };
  if (model === 'roster') {
    if (current.rosterGroups.length === 0) return notRepresentable;
    access.groups = [...current.rosterGroups];
  }
  if (model === 'whitelist') {
    if (current.affiliations.status !== 'listed' || others.length === 0) return notRepresentable;
    access.allow = others.map((a) => a.jid);
  }
  // Accepted, the node would still be sending its items to them, and drift would report it again.
  // Listed but not judged (the roster was not read for the access accepted) is not none: Restore alone
  // then (review 5). Not listed at all (ejabberd) says nothing either way, as before.
  const outside = subscribersOutside(access, current);
  if (outside === undefined ? current.subscriptions.status === 'listed' : outside.length > 0) return notRepresentable;
  // An item that no longer holds what the app published there is not the app's any more: accepted,
  // it is no longer expected (a key's publication shows as withdrawn), as an item removed is.
  const replaced = new Set(replacedItems(recorded, current).map((r) => r.itemId));
  const present = current.items.status === 'listed' ? new Set(current.items.ids.filter((id) => !replaced.has(id))) : undefined;
  if (present !== undefined && recorded.itemIds.some((id) => isRevocationItemId(id) && !present.has(id))) return { ok: false, reason: 'revocation-removed' };
  return {
    ok: true,
    recorded: {
      node: recorded.node,
      access,
      maxItems: recorded.maxItems,
      itemIds: present ? recorded.itemIds.filter((id) => present.has(id)) : [...recorded.itemIds],
      ...(recorded.certificates ? { certificates: recorded.certificates } : {}),
      ...(recorded.contents ? { contents: recorded.contents } : {}),
      applied: { persistItems: current.persistItems, sendLastPublishedItem: current.sendLastPublishedItem, maxItems: current.maxItems },
    },
  };
}

/**
 * Accept of a node another app deleted ("Keep it deleted"): the app then records the node as not
 * published, with nothing recorded there (the keys stay in the vault, shown as not published; the
 * profile stays in the vault's copy). Refused while the node held one of the app's revocations:
 * contacts must still be able to read that a key was revoked (XEP-0222 §2), so only Restore fits then.
 * `revocationOwed`: a key's revocation is still to go out on this node (held back when the key was
 * revoked, own-revocations.ts): kept deleted, it never would (a sign-in publishes it only where the node
 * is), so that is refused too.
 */
export function deletionAcceptable(recorded: Pick<RecordedNode, 'itemIds'>, revocationOwed = false): boolean {
  return !revocationOwed && !recorded.itemIds.some(isRevocationItemId);
}
