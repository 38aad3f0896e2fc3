/**
 * XEP-0222 on real servers: make a PEP node persistent (§2: persist_items=true,
 * send_last_published_item=never) with exactly the access the user chose, then publish to it.
 *
 * One strategy for every server (docs/servers.md):
 * 1. Read the node's configuration (XEP-0060 §8.2.1). Prosody and ejabberd both answer item-not-found
 *    for a node that does not exist yet.
 * 2. Missing → create-and-configure (§8.1.3) with the full XEP-0222 configuration. This works where
 *    publish-options cannot carry it (ejabberd 23.01 accepts only persist_items and access_model there).
 *    Present but different → owner configure (§8.2.4); changing who may read it (the access model, the
 *    roster groups, or the whitelist's members) needs the caller's explicit consent (`reconfigure`),
 *    never a silent change: the node has one audience for every item on it.
 * 3. Make the node's affiliations (XEP-0060 §8.9) match the access: the whitelist's members for
 *    whitelist, and nobody but the owner otherwise. Prosody 0.12 keeps the members of a former
 *    whitelist when the model changes, and they can still read (docs/servers.md): narrowing must revoke.
 *    Members changed by another client since step 2 read them are refused as in step 2, not undone.
 * 4. Read the configuration and the affiliations back and refuse to publish if the access the server
 *    applied is not the one asked for (an admin may pin node configs), or if anyone outside the chosen
 *    audience still holds an affiliation that lets them in, so nothing is ever published more widely
 *    than asked.
 * 5. Publish with publish-options (§7.1.5) as preconditions: only single-valued fields, since Prosody
 *    never matches list-valued ones and ejabberd knows only these two. If someone changed the node in
 *    between, the server answers precondition-not-met instead of publishing.
 *
 * Where the server offers them, the configuration also asks for configuration and deletion
 * notifications (notificationFields), so a change another client makes later can be noticed.
 */
import type { Element } from '@xmpp/xml';
import type { Iq } from './iq-requests.js';
import { ACCESS_MODELS, type AccessRequest, type EffectiveNodeConfig } from '../../contract/index.js';
import { KeyringError } from '../errors.js';
import { fieldBoolean, fieldValue, type FieldValue, type ParsedForm } from './data-form.js';
import {
  affiliationsGetRequest,
  affiliationsSetRequest,
  configureGetRequest,
  configureSetRequest,
  createAndConfigureRequest,
  defaultConfigRequest,
  parseAffiliations,
  parseConfigureAnswer,
  parseDefaultAnswer,
  publishRequest,
  readStanzaError,
  retractRequest,
} from './pubsub.js';
import { asClause, describeNodeFailure as describeError, failureCode } from './failure.js';
import { retryingWait } from './retry-wait.js';
import { describeAudience } from '../../contract/format.js';
import { nodeTitle, nodeTitleFirst, requestedAudience } from './node-words.js';
import { NS } from './namespaces.js';
import { bareJidKey } from '../keys/xmpp-addr.js';
import { endSubscriptionsOutside } from './node-subscriptions.js';
import { accessShift } from './access-breadth.js';

export interface PersistentNodeSpec {
  node: string;
  access: AccessRequest;
  /** How many items the node keeps: several keys must coexist (Prosody's default is 1). */
  maxItems: number;
  /** Allow changing the access of an existing node that was published with another one. */
  reconfigure?: boolean;
  /**
   * A whitelist with nobody on it: the owner alone reads (XEP-0223 §3, private data such as the
   * backup). Without it an empty whitelist is refused as a mistake.
   */
  ownerOnly?: boolean;
  /**
   * Called right before the first request that may change who reads the node (its creation, its
   * configuration, its affiliations): a publish refused or stopped before then changed no one's access,
   * and takes back the access it noted as asked (services/access-note.ts).
   */
  onAccessChange?: () => void;
}

export interface PublishOutcome {
  node: string;
  itemId: string;
  created: boolean;
  reconfigured: boolean;
  config: EffectiveNodeConfig;
}

/** The account's own PEP service, and how to ask it. */
export interface NodeContext {
  iq: Iq;
  /** The account's bare JID: its PEP service. */
  owner: string;
}

/** Ensures the node is configured as asked, then publishes the item. */
export async function publishPersistent(
  ctx: NodeContext,
  spec: PersistentNodeSpec,
  item: { id: string; payload: Element },
): Promise<PublishOutcome> {
  const ensured = await ensurePersistentNode(ctx, spec);
  return publishToEnsured(ctx, spec, item, ensured);
}

/**
 * Publishes the item to a node ensurePersistentNode made ready (`ensured` is its answer): for a change
 * that spans several nodes, each node is made ready first, so that one refused (an audience to confirm)
 * stops the change before any of its items is out.
 */
export async function publishToEnsured(
  ctx: NodeContext,
  spec: PersistentNodeSpec,
  item: { id: string; payload: Element },
  ensured: Awaited<ReturnType<typeof ensurePersistentNode>>,
): Promise<PublishOutcome> {
  try {
    // A server under load may answer wait/resource-constraint: sent again a few times (retry-wait.ts).
    await retryingWait(() =>
      ctx.iq.set(
        publishRequest(spec.node, item, {
          'pubsub#persist_items': true,
          'pubsub#access_model': spec.access.model,
        }),
        ctx.owner,
      ),
    );
  } catch (error) {
    throw publishError(error, spec);
  }
  return { node: spec.node, itemId: item.id, ...ensured };
}

/**
 * Publishes the item to the node as it is (`current`: its configuration as just read), without taking
 * over its access: a node another client changed (a stolen password, a server admin), where drift watch
 * must go on reporting who may read it now. One thing is put back first, when it is off: keeping items
 * (restorePersistence), or the publish-options' persist_items precondition is refused and nothing goes
 * out.
 */
export async function publishAsIs(
  ctx: NodeContext,
  spec: PersistentNodeSpec,
  item: { id: string; payload: Element },
  current: EffectiveNodeConfig,
): Promise<PublishOutcome> {
  const config = await restorePersistence(ctx, spec, current);
  return publishToEnsured(ctx, spec, item, { created: false, reconfigured: false, config });
}

/**
 * XEP-0222 §2 (item 1): a persistent node keeps what is published (pubsub#persist_items=true); a node
 * made to keep none (another client's change) takes no publish with that precondition (XEP-0060
 * §7.1.5: Prosody 0.12 and ejabberd 23.01 both answer conflict + precondition-not-met), and keeps
 * nothing published to it without. So when `current` says items are not persisted, the node is made to
 * keep them again (XEP-0060 §8.2.4). Likewise when it keeps fewer than spec.maxItems (pubsub#max_items
 * cut down, persistence left on): a publish would push the oldest items off, and the item pushed off may
 * be an earlier revocation, which contacts reading the node later would then never see. The form sent is
 * desiredConfig's, for the node's access as it is now, cut to those two settings: who may read the node
 * (access model, roster groups; members are affiliations, left alone) is not sent, so it stays exactly
 * as the server has it (not even set again to the value read, which another change could have
 * overtaken meanwhile), and so do the node's other settings: drift watch still reports each change to
 * who may read it. The two settings put back are not reported any more (they are as the app published
 * them again). Returns the configuration read back; refuses (nothing published) when the server still
 * keeps no items, or (having been asked for more) still too few.
 */
export async function restorePersistence(ctx: NodeContext, spec: PersistentNodeSpec, current: EffectiveNodeConfig): Promise<EffectiveNodeConfig> {
  const notKept = current.persistItems !== true;
  const tooFew = current.deviations.some((d) => d.code === 'too-few-items');
  if (!notKept && !tooFew) return current;
  const desired = desiredConfig(spec, () => false);
  const fields: Record<string, FieldValue> = Object.fromEntries(
    Object.entries(desired).filter(([field]) => (notKept && field === 'pubsub#persist_items') || (tooFew && field === 'pubsub#max_items')),
  );
  try {
    await ctx.iq.set(configureSetRequest(spec.node, fields), ctx.owner);
  } catch (error) {
    const info = readStanzaError(error);
    // persistItems undefined: the server does not say whether it keeps items, so nothing is said to be turned off.
    const what =
      current.persistItems === false
        ? `Storing ${nodeTitle(spec.node)} was turned off on the server (by another client, or its admin), and the server refused to turn it back on`
        : notKept
          ? `The server does not say that it stores ${nodeTitle(spec.node)}, and refused to be set to store them`
          : `${nodeTitleFirst(spec.node)} keeps fewer items on the server than your keys need (changed by another client, or its admin), and the server refused more room`;
    throw new KeyringError(info?.type === 'auth' ? 'forbidden' : failureCode(error, 'protocol-error'), `${what}: ${asClause(describeError(error))}. Nothing was published.`, undefined, { cause: error });
  }
  const applied = await readEffectiveConfig(ctx, spec.node, spec.maxItems);
  if (applied === undefined) throw new KeyringError('protocol-error', `Right after being configured, ${nodeTitle(spec.node)} disappeared from the server.`);
  if (applied.persistItems !== true) {
    throw new KeyringError(
      'protocol-error',
      `Storing ${nodeTitle(spec.node)} is turned off on the server and stayed off when the app turned it back on (the server's admin may have pinned it): ` +
        'what is published there would not stay for your contacts to read. Nothing was published.',
    );
  }
  // Answered success is not kept (an admin's pin, ejabberd's force_node_config): still too few, a new
  // item would push the oldest off, maybe an earlier revocation, which is what this put-back is for.
  // Only a number the server gives counts: one that says none was asked and answered as asked can
  // be held to nothing else, and refusing it would keep a revocation from ever going out.
  if (tooFew && applied.maxItems !== undefined && applied.deviations.some((d) => d.code === 'too-few-items')) {
    const kept = `${applied.maxItems} ${applied.maxItems === '1' ? 'item' : 'items'}`;
    throw new KeyringError(
      'protocol-error',
      `The server kept ${nodeTitle(spec.node)} at ${kept} when the app asked for room for ${spec.maxItems} (the server's admin may have pinned it): ` +
        'what is published there now would push an earlier item off, such as an earlier revocation your contacts must still see. Nothing was published.',
    );
  }
  return applied;
}

export async function ensurePersistentNode(
  ctx: NodeContext,
  spec: PersistentNodeSpec,
): Promise<{ created: boolean; reconfigured: boolean; config: EffectiveNodeConfig }> {
  validateAccess(spec);
  const current = await readNodeConfig(ctx, spec.node);
  let created = false;
  let reconfigured = false;
  /** The affiliations the consent check read (whitelistChange), which the members' change was judged on. */
  let consented: Affiliation[] | undefined;

  if (current === undefined) {
    spec.onAccessChange?.();
    await createNode(ctx, spec);
    created = true;
  } else {
    const desired = desiredConfig(spec, (field) => current.fields.has(field));
    const whitelist = await whitelistChange(ctx, spec, current);
    consented = whitelist?.affiliations;
    const members = whitelist?.change;
    const accessDiffers = !sameAccess(current, spec.access) || members !== undefined;
    if (accessDiffers && !spec.reconfigure) {
      throw new KeyringError(
        'access-model-conflict',
        `Who can read ${nodeTitle(spec.node)} is set on the server to ${describeAccess(current, members?.held)}. ` +
          `Changing it to ${requestedAudience(spec.access)} must be confirmed${members ? `: ${describeMemberChange(spec.node, members)}` : ''}.`,
      );
    }
    if (accessDiffers || !hasPersistenceSettings(current, spec.maxItems) || !hasNotificationSettings(current, spec.access)) {
      try {
        if (accessDiffers) spec.onAccessChange?.();
        await ctx.iq.set(configureSetRequest(spec.node, desired), ctx.owner);
      } catch (error) {
        throw await configureError(ctx, error, spec);
      }
      reconfigured = accessDiffers;
    }
  }

  // Subscriptions first, then affiliations (node-subscriptions.ts says why). A node just made has none.
  let takenOff: string[] = [];
  const subscriptions =
    current === undefined
      ? ({ listed: true } as const)
      : await endSubscriptionsOutside(
          ctx,
          spec.node,
          spec.access,
          async () => (takenOff = await affiliatesTakenOff(ctx, spec)),
          spec.onAccessChange,
        );
  await syncAffiliations(ctx, spec, consented);

  const applied = await readNodeConfig(ctx, spec.node);
  if (applied === undefined) throw new KeyringError('protocol-error', `Right after being configured, ${nodeTitle(spec.node)} disappeared from the server.`);
  const affiliations = await readAffiliations(ctx, spec.node).catch((error: unknown) => ({ error }));
  const config = effectiveConfig(ctx, spec, applied, affiliations);
  // Step 4: the applied access must be exactly what was asked, never wider.
  if (!sameAccess(applied, spec.access)) {
    throw new KeyringError(
      'access-model-unsupported',
      `The server kept who can read ${nodeTitle(spec.node)} at ${describeAccess(applied)} instead of ` +
        `${requestedAudience(spec.access)} (its settings may be pinned by the server's admin). Nothing was published.`,
    );
  }
  if ('error' in affiliations) {
    // Under "open" everyone may read anyway; under any other model, who else may is not known.
    if (spec.access.model !== 'open') throw cannotManageAffiliations(spec.node, affiliations.error);
  } else {
    const outsiders = outsideAudience(ctx, spec.access, affiliations);
    if (outsiders.length > 0) {
      throw new KeyringError(
        'access-not-revoked',
        `${describeOutsiders(outsiders)} can still read ${nodeTitle(spec.node)}, although who can read it is now ${requestedAudience(spec.access)}: ` +
          `the server kept ${outsiders.length === 1 ? 'that affiliation' : 'those affiliations'} when asked to remove ` +
          `${outsiders.length === 1 ? 'it' : 'them'}. Nothing was published.`,
      );
    }
  }
  // Unlisted subscriptions matter where this publish took someone off: they may still be sent new items.
  if (!subscriptions.listed && current !== undefined && (takenOff.length > 0 || modelNarrows(current, spec.access))) {
    config.deviations.push({ code: 'subscriptions-unknown', detail: subscriptions.detail });
  }
  return { created, reconfigured, config };
}

/**
 * Whether the access model (or its roster groups) asked leaves out someone the node's model as it was
 * let read (access-breadth.ts): open to anything else, presence to roster groups or a whitelist, roster
 * groups to fewer groups or a whitelist. A whitelist's members are its affiliations, which
 * affiliatesTakenOff names; to open, nobody is left out.
 */
function modelNarrows(before: ParsedForm, access: AccessRequest): boolean {
  if (access.model === 'open') return false;
  const model = fieldValue(before, 'pubsub#access_model') ?? '';
  const groups = before.fields.get('pubsub#roster_groups_allowed')?.values ?? [];
  return accessShift({ model, groups }, { model: access.model, groups: access.model === 'roster' ? (access.groups ?? []) : [] })?.narrowed ?? false;
}

/** Those with an affiliation on the node that the access takes off (what syncAffiliations will set to 'none'). */
async function affiliatesTakenOff(ctx: NodeContext, spec: PersistentNodeSpec): Promise<string[]> {
  const current = await readAffiliations(ctx, spec.node).catch(() => []);
  return affiliatesLeftOut(ctx, spec.access, current).map((a) => a.jid);
}

/** Whoever holds an affiliation that grants something and is not among those `access` allows. */
function affiliatesLeftOut(ctx: NodeContext, access: AccessRequest, affiliations: readonly Affiliation[]): Affiliation[] {
  const wanted = allowedOthers(ctx, access);
  return othersWithAccess(ctx, affiliations).filter((a) => !wanted.has(bareJidKey(a.jid)));
}

/** The node's configuration form, or undefined when the node does not exist. */
export async function readNodeConfig(ctx: NodeContext, node: string): Promise<ParsedForm | undefined> {
  try {
    return parseConfigureAnswer(await ctx.iq.get(configureGetRequest(node), ctx.owner));
  } catch (error) {
    const info = readStanzaError(error);
    if (info?.condition === 'item-not-found') return undefined;
    throw new KeyringError(failureCode(error, 'protocol-error'), `Could not read the settings of ${nodeTitle(node)}: ${describeError(error)}`, undefined, {
      cause: error,
    });
  }
}

/**
 * A node's configuration as the server reports it now, in the same terms (and with the same XEP-0222
 * deviations) as after publishing; undefined when the node does not exist.
 */
export async function readEffectiveConfig(ctx: NodeContext, node: string, maxItems: number): Promise<EffectiveNodeConfig | undefined> {
  const form = await readNodeConfig(ctx, node);
  if (form === undefined) return undefined;
  const model = fieldValue(form, 'pubsub#access_model');
  const access: AccessRequest = { model: ACCESS_MODELS.find((m) => m === model) ?? 'open' };
  const affiliations = await readAffiliations(ctx, node).catch((error: unknown) => ({ error }));
  const config = effectiveConfig(ctx, { node, maxItems, access }, form, affiliations);
  if (!('error' in affiliations)) {
    // Publishing refuses this state (ensurePersistentNode); a node left so by another client is shown.
    // A whitelist's plain members are its audience, not outsiders: read here, the node's chosen members
    // are those it holds (a member another client added is drift watch's to report, by the whitelist).
    const audience: AccessRequest =
      access.model === 'whitelist' ? { model: 'whitelist', allow: affiliations.filter((a) => a.affiliation === 'member').map((a) => a.jid) } : access;
    const outsiders = outsideAudience(ctx, audience, affiliations);
    if (outsiders.length > 0) config.deviations.push({ code: 'outsiders', members: outsiders.map((a) => ({ jid: a.jid, affiliation: a.affiliation })) });
  }
  return config;
}

/** XEP-0060 §7.2: retract one item; subscribers are told (notify='true'). */
export async function retractItem(ctx: NodeContext, node: string, itemId: string): Promise<void> {
  try {
    await retryingWait(() => ctx.iq.set(retractRequest(node, itemId), ctx.owner));
  } catch (error) {
    const info = readStanzaError(error);
    if (info?.condition === 'item-not-found') {
      throw new KeyringError('not-found', `${itemId} is not published in ${nodeTitle(node)}.`);
    }
    throw new KeyringError(failureCode(error, 'protocol-error'), `Withdrawing from ${nodeTitle(node)} failed: ${describeError(error)}`, undefined, { cause: error });
  }
}

/**
 * §8.1.3 create-and-configure. A new node has no form to say which fields the server knows, so the
 * notification fields go in; a server that refuses a configuration with fields it does not know gets
 * the request again without them: asking for notifications must never keep a key from being published.
 * Prosody 0.12 ignores unknown fields, ejabberd 23.01 knows both.
 */
async function createNode(ctx: NodeContext, spec: PersistentNodeSpec): Promise<void> {
  try {
    await ctx.iq.set(createAndConfigureRequest(spec.node, desiredConfig(spec, () => true)), ctx.owner);
    return;
  } catch (error) {
    const info = readStanzaError(error);
    if (!info || !REFUSED_CONFIG.has(info.condition)) throw await configureError(ctx, error, spec);
  }
  try {
    await ctx.iq.set(createAndConfigureRequest(spec.node, desiredConfig(spec, () => false)), ctx.owner);
  } catch (error) {
    throw await configureError(ctx, error, spec);
  }
}

function desiredConfig(spec: PersistentNodeSpec, offered: (field: string) => boolean): Record<string, FieldValue> {
  const config: Record<string, FieldValue> = {
    // XEP-0222 §2, items 1 and 2.
    'pubsub#persist_items': true,
    'pubsub#send_last_published_item': 'never',
    'pubsub#access_model': spec.access.model,
    'pubsub#max_items': spec.maxItems,
    // Contacts must hear when a key is withdrawn (XEP-0060 §7.2.2.1); ejabberd's default is not to tell.
    'pubsub#notify_retract': true,
  };
  if (spec.access.model === 'roster') config['pubsub#roster_groups_allowed'] = spec.access.groups ?? [];
  for (const [field, value] of Object.entries(notificationFields(spec.access))) if (offered(field)) config[field] = value;
  return config;
}

/**
 * XEP-0060 §8.2.5.3 and §8.4.2: tell subscribers when the node's configuration changes or the node is
 * deleted, so the app hears of another client's change (docs/drift.md; the owner subscribes her bare
 * JID for it, node-state.ts). Prosody 0.12 offers neither field (it never sends configuration
 * notifications, and tells the owner's resources of a deletion anyway); ejabberd 23.01 offers both,
 * off by default. Configuration notifications stay off on a roster node: they carry the whole form,
 * roster_groups_allowed included, to every subscriber, and any contact in the audience may subscribe,
 * so they would name the account's roster groups to its contacts.
 */
function notificationFields(access: AccessRequest): Record<string, boolean> {
  return { 'pubsub#notify_config': access.model !== 'roster', 'pubsub#notify_delete': true };
}

/** The notification fields the node's form offers hold what notificationFields asks. */
function hasNotificationSettings(form: ParsedForm, access: AccessRequest): boolean {
  return Object.entries(notificationFields(access)).every(([field, value]) => !form.fields.has(field) || fieldBoolean(form, field) === value);
}

function validateAccess({ access, ownerOnly }: PersistentNodeSpec): void {
  if (ownerOnly && (access.model !== 'whitelist' || (access.allow ?? []).length > 0)) {
    throw new KeyringError('invalid-argument', 'A node for the owner alone is a whitelist with nobody on it.', 'access');
  }
  if (access.model === 'roster' && (access.groups ?? []).length === 0) {
    throw new KeyringError('invalid-argument', 'Choose at least one roster group for roster access.', 'groups');
  }
  if (access.model === 'whitelist' && (access.allow ?? []).length === 0 && !ownerOnly) {
    throw new KeyringError('invalid-argument', 'Choose at least one contact for whitelist access.', 'allow');
  }
}

/**
 * The account's own address on a whitelist it asks for. The owner reads its own nodes as their owner
 * (XEP-0060 §4.1), so naming it adds nobody; yet the member affiliation it would be sent takes the
 * ownership away on Prosody 0.12, which then refuses the owner every publish, withdrawal and
 * configuration of its own node (auth/forbidden), until the server's admin repairs it. Refused before
 * anything is sent, for every front end (main/ipc/handlers.ts), in words a person can act on.
 */
export function refuseOwnAddressOnWhitelist(access: AccessRequest, account: string | undefined, node: string): void {
  if (account === undefined || access.model !== 'whitelist') return;
  const self = bareJidKey(account);
  if (!(access.allow ?? []).some((jid) => bareJidKey(jid) === self)) return;
  const words =
    node === NS.pubkey
      ? 'You can always read your own keys: leave yourself off the list of who may read them.'
      : 'You can always read your own profile: leave yourself off the list of who may read it.';
  throw new KeyringError('invalid-argument', words, 'allow');
}

/**
 * The whitelist's JIDs, but never the account's own: it stays the owner whatever it asks (see
 * refuseOwnAddressOnWhitelist), so no member affiliation is ever sent for it or compared with one.
 */
export function allowedOthers(ctx: Pick<NodeContext, 'owner'>, access: AccessRequest): Set<string> {
  const self = bareJidKey(ctx.owner);
  const allow = access.model === 'whitelist' ? (access.allow ?? []) : [];
  return new Set(allow.map(bareJidKey).filter((jid) => jid !== self));
}

/** Who reads a whitelist node now besides the owner: its members (and any other reading affiliation). */
function whitelistReaders(ctx: NodeContext, affiliations: readonly Affiliation[]): Affiliation[] {
  return othersWithAccess(ctx, affiliations).filter((a) => READING_AFFILIATIONS.has(a.affiliation));
}

interface MemberChange {
  /** Who reads the node now (as the server lists them). */
  held: string[];
  added: string[];
  removed: string[];
}

/**
 * Between two whitelists, who would be added and who taken off: a change of members is a change of who
 * reads every item on the node (one audience per node, XEP-0060 §4.5), as a change of roster groups
 * is, so it needs the same consent. Undefined when the node is not a whitelist or none is asked;
 * otherwise the affiliations read, and `change` undefined when the members are the ones asked for. A
 * node whose affiliations cannot be read cannot be published to as a whitelist anyway
 * (syncAffiliations): refused the same way here, before anything is changed.
 */
async function whitelistChange(
  ctx: NodeContext,
  spec: PersistentNodeSpec,
  current: ParsedForm,
): Promise<{ affiliations: Affiliation[]; change: MemberChange | undefined } | undefined> {
  if (spec.access.model !== 'whitelist' || fieldValue(current, 'pubsub#access_model') !== 'whitelist') return undefined;
  let affiliations: Affiliation[];
  try {
    affiliations = await readAffiliations(ctx, spec.node);
  } catch (error) {
    throw cannotManageAffiliations(spec.node, error);
  }
  return { affiliations, change: memberChange(ctx, spec, affiliations) };
}

/** Who the whitelist asked for would add to and take off the readers `affiliations` name; undefined: none. */
function memberChange(ctx: NodeContext, spec: PersistentNodeSpec, affiliations: readonly Affiliation[]): MemberChange | undefined {
  const readers = whitelistReaders(ctx, affiliations);
  const held = new Set(readers.map((a) => bareJidKey(a.jid)));
  const wanted = allowedOthers(ctx, spec.access);
  const added = [...wanted].filter((jid) => !held.has(jid));
  const removed = readers.filter((a) => !wanted.has(bareJidKey(a.jid))).map((a) => a.jid);
  if (added.length === 0 && removed.length === 0) return undefined;
  return { held: readers.map((a) => a.jid), added, removed };
}

/** "juliet@capulet.lit would no longer read them; mallory@… would read them too." */
function describeMemberChange(node: string, change: MemberChange): string {
  const them = node === NS.pubkey ? 'them' : 'it';
  return [
    ...(change.removed.length > 0 ? [`${change.removed.join(', ')} would no longer be able to read ${them}`] : []),
    ...(change.added.length > 0 ? [`${change.added.join(', ')} would be able to read ${them} too`] : []),
  ].join('; ');
}

function sameAccess(form: ParsedForm, access: AccessRequest): boolean {
  if (fieldValue(form, 'pubsub#access_model') !== access.model) return false;
  if (access.model !== 'roster') return true;
  const applied = new Set(form.fields.get('pubsub#roster_groups_allowed')?.values ?? []);
  const wanted = new Set(access.groups ?? []);
  return applied.size === wanted.size && [...wanted].every((g) => applied.has(g));
}

function hasPersistenceSettings(form: ParsedForm, maxItems: number): boolean {
  const max = fieldValue(form, 'pubsub#max_items');
  return (
    fieldBoolean(form, 'pubsub#persist_items') === true &&
    fieldValue(form, 'pubsub#send_last_published_item') === 'never' &&
    fieldBoolean(form, 'pubsub#notify_retract') !== false &&
    (max === 'max' || (max !== undefined && Number(max) >= maxItems))
  );
}

function effectiveConfig(
  ctx: NodeContext,
  spec: PersistentNodeSpec,
  form: ParsedForm,
  affiliations: Affiliation[] | { error: unknown },
): EffectiveNodeConfig {
  const others = 'error' in affiliations ? [] : othersWithAccess(ctx, affiliations);
  const config: EffectiveNodeConfig = {
    node: spec.node,
    accessModel: fieldValue(form, 'pubsub#access_model') ?? 'unknown',
    persistItems: fieldBoolean(form, 'pubsub#persist_items'),
    sendLastPublishedItem: fieldValue(form, 'pubsub#send_last_published_item'),
    maxItems: fieldValue(form, 'pubsub#max_items'),
    rosterGroupsAllowed: form.fields.get('pubsub#roster_groups_allowed')?.values ?? [],
    members: others.map((a) => a.jid),
    deviations: [],
  };
  if (config.persistItems !== true) config.deviations.push({ code: 'items-not-persisted' });
  if (config.sendLastPublishedItem !== 'never') {
    config.deviations.push(config.sendLastPublishedItem ? { code: 'last-item-sent', value: config.sendLastPublishedItem } : { code: 'last-item-sent' });
  }
  const max = config.maxItems;
  if (!(max === 'max' || (max !== undefined && Number(max) >= spec.maxItems))) {
    config.deviations.push(max === undefined ? { code: 'too-few-items', asked: spec.maxItems } : { code: 'too-few-items', value: max, asked: spec.maxItems });
  }
  if ('error' in affiliations) {
    config.deviations.push({ code: 'affiliations-unknown', detail: describeError(affiliations.error) });
  } else if (spec.access.model === 'whitelist') {
    config.whitelist = others.filter((a) => READING_AFFILIATIONS.has(a.affiliation)).map((a) => a.jid);
  }
  return config;
}

export interface Affiliation {
  jid: string;
  affiliation: string;
}

/** XEP-0060 §4.1: the affiliations that may retrieve items (an owner may also configure, a publisher publish). */
export const READING_AFFILIATIONS: ReadonlySet<string> = new Set(['owner', 'publisher', 'member']);

/** XEP-0060 §8.9.1: everyone affiliated with the node, as the server lists them. */
export async function readAffiliations(ctx: NodeContext, node: string): Promise<Affiliation[]> {
  return parseAffiliations(await ctx.iq.get(affiliationsGetRequest(node), ctx.owner));
}

/**
 * Everyone but the account itself who holds an affiliation that gives them something: to read
 * (member, publisher, another owner: Prosody accepts one) or to write (publish-only). Outcasts are
 * shut out, so they count as nobody.
 */
export function othersWithAccess(ctx: NodeContext, affiliations: readonly Affiliation[]): Affiliation[] {
  const self = bareJidKey(ctx.owner);
  return affiliations.filter((a) => bareJidKey(a.jid) !== self && a.affiliation !== 'outcast' && a.affiliation !== 'none');
}

/**
 * Who holds an affiliation the chosen access does not give them. Under whitelist: anyone but the allowed
 * JIDs as plain members. Under any other model nobody: the access model alone decides who reads, and
 * a member affiliation would let in someone it leaves out (Prosody 0.12 honours it). Under "open"
 * everyone may read, so only a way to write counts.
 */
function outsideAudience(ctx: NodeContext, access: AccessRequest, affiliations: readonly Affiliation[]): Affiliation[] {
  const allowed = new Set(access.model === 'whitelist' ? (access.allow ?? []).map(bareJidKey) : []);
  return othersWithAccess(ctx, affiliations).filter((a) => {
    if (a.affiliation === 'member' && allowed.has(bareJidKey(a.jid))) return false;
    if (access.model === 'open' && a.affiliation === 'member') return false;
    return true;
  });
}

/**
 * XEP-0060 §8.9: make the affiliations exactly what the access says. The allowed JIDs of a whitelist
 * become members (the owner stays owner); every other affiliation that grants anything is set to
 * 'none', whatever the model: switching a node away from whitelist does not remove its members on
 * Prosody 0.12, and they keep reading.
 *
 * `consented`: the affiliations the consent check read (whitelistChange), when it read them. Another
 * client may change the members between that read and this one; what this one would then send would
 * undo that change without anyone having agreed to it (the person consented to, or was never asked
 * about, a change from what was read first). So when there is something to send and the affiliations
 * that grant anything are no longer the ones first read, it is refused as the consent check refuses,
 * naming who would be added or taken off now, and nothing is changed.
 */
async function syncAffiliations(ctx: NodeContext, spec: PersistentNodeSpec, consented?: readonly Affiliation[]): Promise<void> {
  let current: Affiliation[];
  try {
    current = await readAffiliations(ctx, spec.node);
  } catch (error) {
    if (spec.access.model === 'open') return; // everyone may read; the read-back notes what is unknown
    throw cannotManageAffiliations(spec.node, error);
  }
  const others = othersWithAccess(ctx, current);
  const held = new Map(others.map((a) => [bareJidKey(a.jid), a.affiliation]));
  // Never the owner's own address (allowedOthers): `others` leaves it out, so it would read as not yet
  // a member, and Prosody 0.12 demotes the owner to member when asked, locking it out of its own node.
  const wanted = allowedOthers(ctx, spec.access);
  const changes = [
    ...[...wanted].filter((jid) => held.get(jid) !== 'member').map((jid) => ({ jid, affiliation: 'member' })),
    ...affiliatesLeftOut(ctx, spec.access, current).map((a) => ({ jid: a.jid, affiliation: 'none' })),
  ];
  if (changes.length === 0) return;
  if (consented !== undefined && !sameGrants(othersWithAccess(ctx, consented), others)) {
    const now = memberChange(ctx, spec, current);
    throw new KeyringError(
      'access-model-conflict',
      `Who can read ${nodeTitle(spec.node)} changed on the server while the app was setting it (another client of your account, or the server's admin): ` +
        `it is now ${requestedAudience({ model: 'whitelist', allow: whitelistReaders(ctx, current).map((a) => a.jid) })}. ` +
        `Changing it to ${requestedAudience(spec.access)} must be confirmed${now ? `: ${describeMemberChange(spec.node, now)}` : ''}. Nothing was published.`,
    );
  }
  try {
    spec.onAccessChange?.();
    await ctx.iq.set(affiliationsSetRequest(spec.node, changes), ctx.owner);
  } catch (error) {
    throw new KeyringError(
      'access-model-unsupported',
      `The server refused to change who may read ${nodeTitle(spec.node)}: ${asClause(describeError(error))}. Nothing was published.`,
      undefined,
      { cause: error },
    );
  }
}

/** The same people hold the same affiliations in both (addresses compared by bareJidKey). */
function sameGrants(before: readonly Affiliation[], after: readonly Affiliation[]): boolean {
  const held = new Map(before.map((a) => [bareJidKey(a.jid), a.affiliation]));
  return before.length === after.length && after.every((a) => held.get(bareJidKey(a.jid)) === a.affiliation);
}

function cannotManageAffiliations(node: string, error: unknown): KeyringError {
  return new KeyringError(
    'access-model-unsupported',
    `The server cannot say who else may read ${nodeTitle(node)} (${asClause(describeError(error))}), so who may read it cannot be guaranteed. Nothing was published.`,
    undefined,
    { cause: error },
  );
}

function describeOutsiders(outsiders: readonly Affiliation[]): string {
  return outsiders.map((a) => `${a.jid} (${a.affiliation})`).join(', ');
}

async function configureError(ctx: NodeContext, error: unknown, spec: PersistentNodeSpec): Promise<KeyringError> {
  const info = readStanzaError(error);
  if (info?.type === 'auth') {
    return new KeyringError('forbidden', `The server does not let this account change who may read ${nodeTitle(spec.node)}.`, undefined, { cause: error });
  }
  if (info && REFUSED_CONFIG.has(info.condition)) {
    const offered = await offeredAccessModels(ctx, spec.node, spec.access.model);
    return new KeyringError(
      'access-model-unsupported',
      `The server cannot set who can read ${nodeTitle(spec.node)} to ${requestedAudience(spec.access)} ` +
        `(${info.condition}${info.text ? `: ${info.text}` : ''}). ` +
        (offered.length > 0 ? `It can do: ${offered.map((model) => describeAudience({ model })).join('; ')}.` : 'It names no alternative.'),
      undefined,
      { cause: error },
    );
  }
  return new KeyringError(failureCode(error, 'protocol-error'), `Changing the settings of ${nodeTitle(spec.node)} failed: ${describeError(error)}`, undefined, { cause: error });
}

/** Conditions with which servers refuse a configuration they cannot apply (docs/servers.md). */
const REFUSED_CONFIG = new Set(['not-acceptable', 'bad-request', 'feature-not-implemented', 'resource-constraint', 'policy-violation']);

/**
 * The access models a server can really apply: the options its configuration form offers, minus the
 * one it just refused. Prosody 0.12 offers "roster" in the form yet refuses it, and has no
 * roster_groups_allowed field: a form without that field cannot do roster access either.
 */
async function offeredAccessModels(ctx: NodeContext, node: string, refused: string): Promise<string[]> {
  let form: ParsedForm | undefined;
  try {
    form = await readNodeConfig(ctx, node);
    form ??= parseDefaultAnswer(await ctx.iq.get(defaultConfigRequest(), ctx.owner));
  } catch {
    return [];
  }
  const options = form.fields.get('pubsub#access_model')?.options ?? [];
  const canRoster = form.fields.has('pubsub#roster_groups_allowed');
  return ACCESS_MODELS.filter((m) => options.includes(m) && m !== refused && (m !== 'roster' || canRoster));
}

function publishError(error: unknown, spec: PersistentNodeSpec): KeyringError {
  const info = readStanzaError(error);
  if (info?.pubsubCondition === 'precondition-not-met') {
    return new KeyringError(
      'precondition-not-met',
      `${nodeTitleFirst(spec.node)} changed on the server while publishing (${info.text || 'precondition not met'}); nothing was published.`,
      undefined,
      { cause: error },
    );
  }
  if (info?.type === 'auth') {
    return new KeyringError('forbidden', `The server does not let this account publish ${nodeTitle(spec.node)}.`, undefined, { cause: error });
  }
  return new KeyringError(failureCode(error, 'protocol-error'), `Publishing ${nodeTitle(spec.node)} failed: ${describeError(error)}`, undefined, { cause: error });
}

/**
 * Who a node's form says may read it, in drift watch's words (contract/format.ts describeAudience);
 * `members`: a whitelist's, when they were read.
 */
function describeAccess(form: ParsedForm, members?: readonly string[]): string {
  return describeAudience({
    model: fieldValue(form, 'pubsub#access_model') ?? '',
    groups: form.fields.get('pubsub#roster_groups_allowed')?.values ?? [],
    ...(members ? { allow: members } : {}),
  });
}

