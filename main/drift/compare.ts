/**
 * Drift: how one of the account's own nodes differs now from what the app published there, as data
 * (codes and values, no words: the renderer and the CLI choose those). Pure: the recorded state comes
 * from the vault, the current one from main/xmpp/node-state.ts.
 *
 * Who may read is compared along two lines that add up to the audience:
 * - the access model (XEP-0060 §4.5), ordered by how many it admits: open ⊃ presence ⊃ roster (groups)
 *   ⊃ whitelist (nobody by the model alone). A roster group's people are taken to be contacts, as the
 *   app's roster puts them there, so presence admits everyone roster does. Between two roster
 *   accesses, a group gained admits more and a group lost admits fewer; both at once is both.
 *   A model the app does not know (authorize, or none named) is taken as the widest.
 * - affiliations (XEP-0060 §4.1): whoever else holds one that grants something can get in whatever the
 *   model says (Prosody 0.12 lets a member read a presence node), and a publisher or owner can write.
 *   The whitelist's members are the expected ones; anyone else is added, a member gone is removed.
 * - explicit subscriptions (XEP-0060 §6.1): both servers send each new item to every subscriber
 *   whatever the access model (node-subscriptions.ts), so anyone subscribed whom the access leaves out
 *   is sent what is published: an alarm. Judged as publishing judges them (subscriptionsOutside): the
 *   account's own never, presence and roster access by the roster as the server has it now.
 * A change that lets anyone read who could not is an alarm; one that only shuts people out is a
 * notice. Items gone are an alarm too: contacts then take a key as withdrawn; so is an item that holds
 * another certificate than the one the app published under its id: contacts then take another key as
 * the one named; and a profile item that says something else than the app published there (another
 * nickname, another card): contacts then read that as the person's.
 */
import type { AccessChange, AccessRequest, AccessSnapshot, DriftCode, DriftFinding, DriftSeverity, PersistenceChange, ReplacedItem } from '../../contract/index.js';
import { allowedOthers, READING_AFFILIATIONS, type Affiliation } from '../xmpp/persistent-node.js';
import { bareJidKey } from '../keys/xmpp-addr.js';
import type { NodeState } from '../xmpp/node-state.js';
import type { Element } from '@xmpp/xml';
import { asItem, profileContent, replacedFields } from '../profile/profile-content.js';
import { accessShift } from '../xmpp/access-breadth.js';
import { heldCertificate } from './held-certificate.js';
import { subscriptionsOutside, type NodeSubscription } from '../xmpp/node-subscriptions.js';

export type Severity = DriftSeverity;
export type { AccessSnapshot, DriftCode, DriftFinding, PersistenceChange };

/** What the app published to a node, as recorded in the vault when it did. */
export interface RecordedNode {
  node: string;
  /** The access the person chose: model, roster groups, whitelist members. */
  access: AccessRequest;
  /** How many items the node must keep (KEY_NODE_MAX_ITEMS, PROFILE_NODE_MAX_ITEMS). */
  maxItems: number;
  /** The items the app published there and has not withdrawn, oldest first. */
  itemIds: readonly string[];
  /**
   * By item id, the fingerprint of the certificate the item must carry (the key node). Compared only
   * when the items were read whole (readNodeState `whole`); an item without one (a record from before
   * they were kept) is compared by id alone.
   */
  certificates?: Readonly<Record<string, string>>;
  /**
   * By item id, the digest of what a profile item must say (main/profile/profile-content.ts), compared
   * like `certificates`: only when read whole, and an item without one (a record from before they were
   * kept) by id alone.
   */
  contents?: Readonly<Record<string, string>>;
  /**
   * By item id, a vCard's or nickname's item as the app published it (the vault keeps its XML for
   * Restore): a replaced item is then compared with it field by field (ReplacedItem.fields). Absent
   * for a record from before the XML was kept.
   */
  published?: Readonly<Record<string, Element>>;
  /**
   * By item id, the digest of a profile item the app was sending when its record was last written
   * (schema.ts `publishing`): the item saying that is the app's own publish, which a full disk kept
   * from being recorded, not a change by another app.
   */
  publishing?: Readonly<Record<string, string>>;
  /**
   * The access the app asked the server for when the record was last written, where it differs from
   * `access` (schema.ts `accessAsked`): the node holding it is the app's own change, which a full disk
   * kept from being recorded, not another app's.
   */
  accessAsked?: AccessRequest;
  /**
   * The XEP-0222 settings as read back after publishing (EffectiveNodeConfig). A setting the server
   * never applied is not drift; without them, XEP-0222's own values are expected.
   */
  applied?: { persistItems?: boolean | undefined; sendLastPublishedItem?: string | undefined; maxItems?: string | undefined };
}

export interface NodeDrift {
  node: string;
  findings: DriftFinding[];
  /** The highest severity among the findings; undefined when nothing drifted. */
  severity: Severity | undefined;
  /**
   * What the server would not show the owner, so was not compared (and is never reported as drift):
   * 'subscriptions' also when the roster that judges them could not be read.
   */
  unchecked: ('items' | 'affiliations' | 'subscriptions')[];
  /**
   * The change of who reads the node that the app had asked for and not seen through (`accessAsked`),
   * when the node stands part of the way there: its model is the one asked, and only members asked for
   * are missing (a publish cut off between configuring the node and adding its members). What differs
   * from the record may be that, not another app's doing: the front ends say both.
   */
  unfinishedChange?: AccessRequest;
}

/**
 * Whether a node differing from the access asked (`differences`, accessFindings against it) stands part of
 * the way from the recorded access to it: the model asked is set, and the only members it lacks or has
 * beyond the ones asked are the ones asked for and the recorded ones not yet taken off (affiliations
 * are set one by one after the configuration, persistent-node.ts syncAffiliations).
 */
function partWayTo(asked: AccessRequest, was: AccessRequest, model: string, differences: readonly DriftFinding[], outsideBefore: ReadonlySet<string>): boolean {
  if (model !== asked.model) return false;
  const before = new Set((was.model === 'whitelist' ? (was.allow ?? []) : []).map(bareJidKey));
  // Subscriptions are ended after the configuration too (persistent-node.ts ensurePersistentNode): one
  // the recorded access allowed is still there part of the way; one it left out too is not the change.
  return differences.every(
    (f) =>
      f.code === 'members-removed' ||
      (f.code === 'members-added' && f.members.every((m) => m.affiliation === 'member' && before.has(bareJidKey(m.jid)))) ||
      (f.code === 'subscribers-outside' && f.jids.every((jid) => !outsideBefore.has(bareJidKey(jid)))),
  );
}

export function compareNode(recorded: RecordedNode, current: NodeState | undefined): NodeDrift {
  if (current === undefined) return withSeverity(recorded.node, [{ code: 'node-deleted', severity: 'alarm' }], []);
  const unchecked: NodeDrift['unchecked'] = [];
  if (current.affiliations.status !== 'listed') unchecked.push('affiliations');

  // Who may read, against the access recorded; where that differs, against the one the app asked for
  // last (`accessAsked`): a node that holds exactly that is the app's own change, whose record a full
  // disk refused. Anything else, even partly the one asked, is compared with the record.
  let findings = accessFindings(recorded.access, current);
  let judgedBy = recorded.access;
  let unfinishedChange: AccessRequest | undefined;
  if (findings.length > 0 && recorded.accessAsked !== undefined) {
    const asked = accessFindings(recorded.accessAsked, current);
    const outsideBefore = new Set(findings.flatMap((f) => (f.code === 'subscribers-outside' ? f.jids.map(bareJidKey) : [])));
    if (asked.length === 0) {
      findings = asked;
      judgedBy = recorded.accessAsked;
    } else if (partWayTo(recorded.accessAsked, recorded.access, current.accessModel, asked, outsideBefore)) {
      unfinishedChange = recorded.accessAsked;
      // Half done, yet those the change was to shut out and who are still subscribed are sent what any
      // client of the account publishes: named, as an alarm (review 5), not left inside the notice.
      for (const finding of asked) if (finding.code === 'subscribers-outside' && !findings.some((f) => f.code === 'subscribers-outside')) findings.push(finding);
    }
  }
  if (subscribersOutside(judgedBy, current) === undefined) unchecked.push('subscriptions');

  if (current.items.status === 'listed') {
    const present = new Set(current.items.ids);
    const pushedOut = pushedOutByOwn(recorded, current.items);
    const missing = recorded.itemIds.filter((id) => !present.has(id) && !pushedOut.has(id));
    if (missing.length > 0) findings.push({ code: 'items-removed', severity: 'alarm', itemIds: missing });
    const replaced = replacedItems(recorded, current);
    if (replaced.length > 0) findings.push({ code: 'items-replaced', severity: 'alarm', items: replaced });
  } else {
    unchecked.push('items');
  }

  const changes = comparePersistence(recorded, current);
  if (changes.length > 0) findings.push({ code: 'persistence-changed', severity: 'notice', changes });

  const drift = withSeverity(recorded.node, findings, unchecked);
  return unfinishedChange !== undefined && findings.length > 0 ? { ...drift, unfinishedChange } : drift;
}

/** How who may read the node now differs from `access`: its model and roster groups, then its affiliations where listed. */
function accessFindings(access: AccessRequest, current: NodeState): DriftFinding[] {
  const findings: DriftFinding[] = [];
  const change = compareAccess(access, current);
  if (change?.widened) findings.push({ code: 'access-widened', severity: 'alarm', ...change.change });
  else if (change?.narrowed) findings.push({ code: 'access-narrowed', severity: 'notice', ...change.change });
  if (current.affiliations.status === 'listed') {
    const { added, removed } = compareMembers(access, current.accessModel, current.affiliations.others, current.owner);
    if (added.length > 0) findings.push({ code: 'members-added', severity: 'alarm', members: added });
    if (removed.length > 0) findings.push({ code: 'members-removed', severity: 'notice', jids: removed });
  }
  const outside = subscribersOutside(access, current);
  if (outside !== undefined && outside.length > 0) {
    findings.push({ code: 'subscribers-outside', severity: 'alarm', jids: [...new Set(outside.map((s) => s.jid))], audience: access });
  }
  return findings;
}

/**
 * The subscriptions to the node that `access` leaves out (subscriptionsOutside, the rule publishing
 * ends them by), or undefined when that is not known: the server did not list them, or presence or
 * roster access judges someone subscribed and the roster was not read. A pending subscription (§6.1.4,
 * awaiting approval) is sent nothing, and is left aside.
 */
export function subscribersOutside(access: AccessRequest, current: Pick<NodeState, 'owner' | 'subscriptions'>): NodeSubscription[] | undefined {
  // Open access: whoever is subscribed may read anyway.
  if (access.model === 'open') return [];
  const subscriptions = current.subscriptions;
  if (subscriptions.status !== 'listed') return undefined;
  const sent = subscriptions.others.filter((s) => s.subscription !== 'pending');
  const roster = subscriptions.roster?.status === 'listed' ? subscriptions.roster.items : undefined;
  const byRoster = access.model === 'presence' || access.model === 'roster';
  // Without the roster, subscriptionsOutside would take every such subscriber for an outsider.
  if (byRoster && sent.length > 0 && roster === undefined) return undefined;
  return subscriptionsOutside(current.owner, access, sent, roster);
}

/**
 * The accesses a node's subscriptions are judged by (compareNode): the recorded one, and the one the
 * app asked last where it differs. readNodeState reads the roster for them where they need it.
 */
export function subscriptionAudiences(recorded: Pick<RecordedNode, 'access' | 'accessAsked'>): AccessRequest[] {
  return recorded.accessAsked === undefined ? [recorded.access] : [recorded.access, recorded.accessAsked];
}

/**
 * The recorded items still there under their id but no longer holding what was recorded for them (the
 * certificate a key's item carries, what a profile item says), in the order published: contacts who
 * fetch the item get another key (or none) under the name of the one the app published, or another
 * nickname or card as the person's. Only items read whole are judged.
 */
export function replacedItems(recorded: Pick<RecordedNode, 'node' | 'itemIds' | 'certificates' | 'contents' | 'publishing' | 'published'>, current: NodeState): ReplacedItem[] {
  const payloads = current.items.status === 'listed' ? current.items.payloads : undefined;
  if (!payloads) return [];
  const replaced: ReplacedItem[] = [];
  for (const itemId of recorded.itemIds) {
    if (!payloads.has(itemId)) continue;
    const certificate = recorded.certificates?.[itemId];
    const content = recorded.contents?.[itemId];
    if (certificate !== undefined) {
      const found = heldCertificate(payloads.get(itemId));
      if (found !== certificate) replaced.push(found === undefined ? { itemId, expected: certificate } : { itemId, expected: certificate, found });
    } else if (content !== undefined) {
      const found = profileContent(recorded.node, asItem({ id: itemId, payload: payloads.get(itemId) }));
      const ownUnrecorded = found !== undefined && recorded.publishing?.[itemId] === found.digest;
      if (found?.digest !== content && !ownUnrecorded) {
        if (found === undefined) {
          replaced.push({ itemId, expected: content });
          continue;
        }
        // What changed, against what the app published there, when the vault still has that.
        const was = recorded.published?.[itemId];
        const fields = was === undefined ? undefined : replacedFields(recorded.node, asItem({ id: itemId, payload: was }), asItem({ id: itemId, payload: payloads.get(itemId) }));
        replaced.push({ itemId, expected: content, found: found.digest, now: found.says, ...(fields ? { fields } : {}) });
      }
    }
  }
  return replaced;
}

/**
 * The recorded items that the app's own publishes, not yet recorded, pushed out of the node. A new
 * avatar goes out under a new id (its image's SHA-1), and a node that keeps `maxItems` items drops its
 * oldest when one more comes (pubsub#max_items). When a full disk kept the vault from recording that
 * publish, the node holds the item noted as going out (`publishing`: by what it says where the items
 * were read whole, else by its id, which for the avatar's data is the image's SHA-1 that contacts'
 * readers check) and no longer the oldest recorded one: the app's own doing, not another app's.
 */
function pushedOutByOwn(recorded: Pick<RecordedNode, 'node' | 'itemIds' | 'maxItems' | 'publishing'>, items: Extract<NodeState['items'], { status: 'listed' }>): Set<string> {
  const notes = recorded.publishing;
  if (notes === undefined || items.ids.length < recorded.maxItems) return new Set();
  const payloads = items.payloads;
  const own = items.ids.filter((id) => {
    const noted = notes[id];
    if (noted === undefined || recorded.itemIds.includes(id)) return false;
    return payloads === undefined || profileContent(recorded.node, asItem({ id, payload: payloads.get(id) }))?.digest === noted;
  });
  return new Set(recorded.itemIds.slice(0, own.length));
}

/**
 * Whether the node's items must be read whole (readNodeState `whole`): a certificate, or what a profile
 * item says, is recorded for one of them.
 */
export function comparesContents(recorded: Pick<RecordedNode, 'itemIds' | 'certificates' | 'contents'>): boolean {
  const { certificates, contents } = recorded;
  return recorded.itemIds.some((id) => certificates?.[id] !== undefined || contents?.[id] !== undefined);
}

/** The highest severity of any finding in `drifts`; undefined when none drifted. */
export function highestSeverity(drifts: readonly Pick<NodeDrift, 'severity'>[]): Severity | undefined {
  if (drifts.some((d) => d.severity === 'alarm')) return 'alarm';
  return drifts.some((d) => d.severity === 'notice') ? 'notice' : undefined;
}

function withSeverity(node: string, findings: DriftFinding[], unchecked: NodeDrift['unchecked']): NodeDrift {
  return { node, findings, severity: highestSeverity(findings), unchecked };
}

/** Undefined when the model (and for roster, the groups) is the one recorded. */
function compareAccess(recorded: AccessRequest, current: NodeState): { widened: boolean; narrowed: boolean; change: AccessChange } | undefined {
  const recordedGroups = recorded.model === 'roster' ? [...new Set(recorded.groups ?? [])] : [];
  const currentGroups = current.accessModel === 'roster' ? [...new Set(current.rosterGroups)] : [];
  const shift = accessShift({ model: recorded.model, groups: recordedGroups }, { model: current.accessModel, groups: currentGroups });
  if (shift === undefined) return undefined;
  const change: AccessChange = {
    recorded: snapshot(recorded.model, recordedGroups),
    current: snapshot(current.accessModel, currentGroups),
    groupsAdded: shift.groupsAdded,
    groupsRemoved: shift.groupsRemoved,
  };
  return { widened: shift.widened, narrowed: shift.narrowed, change };
}

function snapshot(model: string, groups: string[]): AccessSnapshot {
  return model === 'roster' ? { model, groups } : { model };
}

/**
 * Added: every affiliation but a recorded whitelist member's own 'member' one, and but a plain member
 * of an open node (everyone reads it anyway; a publisher or owner there can still write). Removed:
 * a recorded whitelist member who no longer holds an affiliation that lets them read, unless the node
 * is open now. Addresses compare as persistent-node.ts compares them (bareJidKey).
 *
 * The account's own address on a recorded whitelist (a record from before the app refused it,
 * refuseOwnAddressOnWhitelist, or from ejabberd, which ignored the member affiliation asked for it) is
 * nobody to lose: the owner reads its own node as owner, the server never lists it among `others`,
 * and publishing never sends it an affiliation (allowedOthers), so Restore could never put it back.
 */
function compareMembers(recorded: AccessRequest, currentModel: string, others: readonly Affiliation[], owner: string): { added: Affiliation[]; removed: string[] } {
  // The whitelist's addresses as publishing sends them: never the owner's own.
  const allowed = allowedOthers({ owner }, recorded);
  const added = others.filter((a) => !(a.affiliation === 'member' && (allowed.has(bareJidKey(a.jid)) || currentModel === 'open')));
  const reading = new Set(others.filter((a) => READING_AFFILIATIONS.has(a.affiliation)).map((a) => bareJidKey(a.jid)));
  const removed = currentModel === 'open' ? [] : [...allowed].filter((jid) => !reading.has(jid));
  return { added, removed };
}

/** XEP-0222 §2 asks persist_items and send_last_published_item=never; the app also needs room for its items. */
function comparePersistence(recorded: RecordedNode, current: NodeState): PersistenceChange[] {
  const applied = recorded.applied;
  const changes: PersistenceChange[] = [];
  if (current.persistItems !== true && (applied === undefined || current.persistItems !== applied.persistItems)) {
    changes.push({ setting: 'persist_items', expected: true, current: current.persistItems });
  }
  if (current.sendLastPublishedItem !== 'never' && (applied === undefined || current.sendLastPublishedItem !== applied.sendLastPublishedItem)) {
    changes.push({ setting: 'send_last_published_item', expected: 'never', current: current.sendLastPublishedItem });
  }
  if (!keepsEnough(current.maxItems, recorded.maxItems) && (applied === undefined || current.maxItems !== applied.maxItems)) {
    changes.push({ setting: 'max_items', expected: recorded.maxItems, current: current.maxItems });
  }
  return changes;
}

function keepsEnough(maxItems: string | undefined, needed: number): boolean {
  if (maxItems === 'max') return true;
  const kept = Number(maxItems);
  return maxItems !== undefined && maxItems.trim() !== '' && Number.isFinite(kept) && kept >= needed;
}
