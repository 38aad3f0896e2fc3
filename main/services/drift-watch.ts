/**
 * Drift watch (docs/drift.md): every node the app published (keys, vCard4, nickname, avatar data and
 * metadata) is read back and compared with what the vault recorded when the app published it, so the
 * audience the app shows stays true when another client of the account changes a node.
 *
 * When it reads: at sign-in, shortly after the account's own PEP service announces a change to one of
 * those nodes (XEP-0060 §4.3 events; ejabberd sends configuration changes to the bare JID's
 * subscription, which the watch makes at sign-in), and on a slow timer, because Prosody 0.12 announces
 * no configuration change at all and no server announces affiliation changes. A notification is only a
 * reason to read again: what is compared is what the read says.
 *
 * Restore puts a node back (access, members, settings, then the items the vault still holds) and
 * reads back; Accept records what is there now as intended. Both are the person's choice; nothing here
 * changes a node by itself.
 *
 * A report is one account's: the last one of each account is kept, and the status, the news and
 * Restore and Accept are the account's the session names now (signed in, being tried, or refused).
 * Another account's report is never the answer, so a banner about romeo's keys never shows under
 * mercutio, nor can its buttons act on mercutio's nodes.
 */
import type { Element } from '@xmpp/xml';
import type { AccessRequest, DriftReport, DriftRepairAnswer, NodeDriftView, NodeRepair, WatchedNodeKind } from '../../contract/index.js';
import { ACCESS_MODELS } from '../../contract/index.js';
import { highestSeverity, compareNode, comparesContents, subscriptionAudiences, type NodeDrift, type RecordedNode } from '../drift/compare.js';
import { applyRestorePlan } from '../drift/restore.js';
import { acceptCurrent, deletionAcceptable, planRestore } from '../drift/restore-plan.js';
import { parsePayload } from '../profile/profile-content.js';
import { BoundedMap } from '../bounded-map.js';
import { KeyringError, toIpcError } from '../errors.js';
import { bareJidKey } from '../keys/xmpp-addr.js';
import { diskTroubleWords } from '../vault/disk-trouble.js';
import type { AppEvents } from '../events.js';
import type { Logger } from '../logger.js';
import type { PublishedNodeRecord } from '../vault/schema.js';
import type { OwnKeysStore } from '../vault/stores/own-keys-store.js';
import type { PublishedNodesStore } from '../vault/stores/published-nodes-store.js';
import { appliedSettings } from '../vault/stores/published-nodes-store.js';
import type { FetchOutcome } from '../xmpp/fetch-items.js';
import { NS } from '../xmpp/namespaces.js';
import { KIND_OF_NODE } from '../xmpp/node-words.js';
import { readNodeState, sharedRosterRead, watchOwnNode, type NodeState } from '../xmpp/node-state.js';
import type { OwnNodeChange } from '../xmpp/pep-events.js';
import type { NodeContext } from '../xmpp/persistent-node.js';
import { KEY_NODE_MAX_ITEMS, keyNodePayload } from './own-keys.js';
import { markedIq, requireMarked, type AccountMark } from './session-mark.js';
import type { SessionPort } from './session-port.js';

/** The slow timer: a change no server announces is noticed within this long. */
export const DRIFT_CHECK_INTERVAL_MS = 10 * 60 * 1000;
/** After a notification, wait this long for the rest of the burst (one change can arrive three times). */
export const DRIFT_SETTLE_MS = 1000;

/** How many accounts' last reports are kept: the accounts one person signs in to, with room to spare. */
const REPORTS_KEPT = 16;

/** The order nodes are listed in: keys first, they are what the app is for. */
const NODE_ORDER = Object.keys(KIND_OF_NODE);

export interface DriftWatchDeps {
  published: PublishedNodesStore;
  ownKeys: OwnKeysStore;
  session: SessionPort;
  events: AppEvents;
  log: Logger;
  /** The slow timer (tests make it short). */
  intervalMs?: number;
  /** How long to let a burst of notifications settle before reading. */
  settleMs?: number;
  /** Each reading of the key node (undefined: it does not exist), for My keys' audience (OwnKeys.noteKeyNode). */
  onKeyNodeRead?: (state: NodeState | undefined) => void;
}

interface Recorded extends RecordedNode {
  kind: WatchedNodeKind;
  record: PublishedNodeRecord | undefined;
}

/**
 * Whose check, Restore or Accept it is: the account, and the connection it began on (session-mark.ts).
 * The account's name alone is not enough: signed out, then another account, then this one again, the
 * name matches while what was read in between came over the other's.
 */
type Owner = AccountMark;

interface Read {
  recorded: Recorded;
  state: NodeState | undefined;
  drift: NodeDrift;
}

export class DriftWatch {
  readonly #deps: DriftWatchDeps;
  /** The last report of each account, by its bare JID (bareJidKey); one account's is never another's. */
  readonly #reports = new BoundedMap<string, DriftReport>(REPORTS_KEPT);
  #timer: ReturnType<typeof setInterval> | undefined;
  #settle: ReturnType<typeof setTimeout> | undefined;
  /** One check at a time: a request for another while one runs gets a read of its own after it. */
  #running: Promise<DriftReport> | undefined;
  /** The app's own publishes under way, and whether a check waits for them to end. */
  #publishing = 0;
  #deferred = false;
  /** Counts the app's own publishes begun, so a read made before one is known to be older. */
  #writes = 0;
  /**
   * The key node's items as sign-in read them (own-revocations.ts), for the first check to take
   * instead of listing them again; forgotten once taken, and never taken after the app wrote anything
   * since or the server announced a change to the node.
   */
  #keyNodeRead: { items: Promise<FetchOutcome>; writes: number } | undefined;
  /**
   * Revocations of own keys found on the key node and being applied (own-revocations.ts): each stops the
   * record expecting its key's item, so a check reads the record only once they are done, or the removal
   * that came with a revocation would be reported as another client's.
   */
  #revocations: Promise<unknown> = Promise.resolve();
  /**
   * The nodes subscribed to in this session (watchOwnNode): once each. The subscription outlives
   * checks, sign-outs and access changes (docs/drift.md, measured on ejabberd 23.01); only a node
   * deleted loses it, so a node read as gone, or announced deleted, is subscribed to again once it is
   * back. Subscribing at every check cost ejabberd a subscribe per watched node every few minutes.
   */
  readonly #watched = new Set<string>();

  constructor(deps: DriftWatchDeps) {
    this.#deps = deps;
  }

  /**
   * The last report of the account the session names now (signed in, being tried, refused, or signed
   * out), as it stood; nothing is asked of the server. An account not read yet has an empty one.
   */
  status(): DriftReport {
    const account = this.#session.state.account;
    return (account === undefined ? undefined : this.#reports.get(bareJidKey(account))) ?? emptyReport(account);
  }

  /**
   * The account is online (first sign-in or reconnect): subscribe where the server notifies, read
   * everything, and keep reading on the timer. `drain` runs first what waited for the connection (the
   * offline queue): the checks wait for it (docs/drift.md).
   *
   * `keyNodeItems`: the key node's items, read whole as the account came online (a §6.5.2 read, for the
   * revocations among them), for the first check to take instead of listing them again. The caller
   * passes it only when `drain` has nothing to write; it is dropped here if a write of the app's was
   * still under way as it was read.
   *
   * `revocations`: the own revocations found at sign-in being applied; the checks wait for them.
   */
  onOnline(signIn: { drain?: () => Promise<unknown>; keyNodeItems?: Promise<FetchOutcome>; revocations?: Promise<unknown> } = {}): void {
    if (signIn.revocations) this.afterRevocations(signIn.revocations);
    // A new session: each node is subscribed to again once (a node deleted while away lost it).
    this.#watched.clear();
    const writing = this.#publishing > 0;
    if (signIn.drain) void this.whilePublishing(signIn.drain);
    this.#keyNodeRead = signIn.keyNodeItems && !writing ? { items: signIn.keyNodeItems, writes: this.#writes } : undefined;
    this.#timer ??= setInterval(() => this.#background(), this.#deps.intervalMs ?? DRIFT_CHECK_INTERVAL_MS);
    // The CLI and the tests end when their work is done: the timer keeps nothing alive.
    this.#timer.unref?.();
    this.#background();
  }

  /** The account's own PEP service announced a change to one of the watched nodes: read again once the burst settles. */
  onOwnNodeChange(change: OwnNodeChange): void {
    if (!(change.node in KIND_OF_NODE)) return;
    if (change.node === NS.pubkey) this.#keyNodeRead = undefined;
    // Deleted: its subscription went with it; the node made again is subscribed to again.
    if (change.kind === 'delete') this.#watched.delete(change.node);
    if (this.#settle !== undefined) clearTimeout(this.#settle);
    this.#settle = setTimeout(() => {
      this.#settle = undefined;
      this.#background();
    }, this.#deps.settleMs ?? DRIFT_SETTLE_MS);
    this.#settle.unref?.();
  }

  /** Own revocations being applied (a notification of the key node): the next check reads the record after them. */
  afterRevocations(applied: Promise<unknown>): void {
    // Their failure is theirs to report: the check only waits.
    this.#revocations = Promise.all([this.#revocations, applied.catch(() => undefined)]);
  }

  /**
   * Runs one of the app's own publishes or retracts. A node is reconfigured, then published to, then
   * recorded: read in between, it would look changed by someone else (and the server announces each
   * step). The checks the app makes by itself wait until it ends, then read once.
   */
  async whilePublishing<T>(work: () => Promise<T>): Promise<T> {
    this.#publishing++;
    this.#writes++;
    try {
      return await work();
    } finally {
      this.#publishing--;
      if (this.#publishing === 0 && this.#deferred) {
        this.#deferred = false;
        this.#background();
      }
    }
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    if (this.#settle !== undefined) clearTimeout(this.#settle);
    this.#timer = undefined;
    this.#settle = undefined;
    this.#keyNodeRead = undefined;
    this.#watched.clear();
  }

  /** Reads every recorded node now and compares (a request: the answer, no event). */
  async check(): Promise<DriftReport> {
    this.#owner();
    return this.#serialized();
  }

  /**
   * Puts the drifted nodes (or `node` alone) back as recorded, then reads everything back. Asked from
   * a window that still showed another account's report, it never gets here: the dispatcher refuses
   * it ('account-changed', main/ipc/dispatcher.ts).
   */
  async restore(node?: string): Promise<DriftRepairAnswer> {
    const owner = this.#owner();
    // A revoked key's item must not be published again from a record read too early.
    await this.#revocations;
    const repaired: NodeRepair[] = [];
    for (const read of await this.#readAll(owner, this.#selected(owner.account, node))) {
      const plan = read.state === undefined || read.drift.findings.length > 0 ? planRestore(read.recorded, read.drift) : undefined;
      if (!plan) continue;
      // Nothing is written once another account is signed in: its connection is not this account's.
      this.#requireStill(owner);
      const outcome = await applyRestorePlan(this.#ctx(owner), read.recorded, plan, (id) => this.#payloadOf(owner.account, read.recorded, id));
      // A node made again has lost its subscription (node-state.ts watchOwnNode).
      if (outcome.state && read.recorded.kind !== 'avatar-data') await this.#watch(owner, outcome.state, { again: read.state === undefined });
      repaired.push({
        node: read.recorded.node,
        kind: read.recorded.kind,
        republished: outcome.republished,
        withoutPayload: outcome.withoutPayload,
        ...(outcome.config ? { config: outcome.config } : {}),
      });
    }
    // Read back for the account repaired, never for whichever is signed in by then.
    const report = await this.#serialized(owner);
    this.#requireStill(owner);
    return { repaired, report };
  }

  /**
   * Records the drifted nodes' (or `node`'s) current state as intended. A state the app could not
   * publish again (an access model it does not offer, members it cannot express) is refused: only
   * Restore fits it. Asked for another account than the one signed in: refused, as for restore.
   */
  async accept(node?: string): Promise<DriftReport> {
    const owner = this.#owner();
    await this.#revocations;
    // Set once any write of Accept is on disk: a node's record, or the key node's keys' audience
    // (written before its record). From then on the vault's "nothing was changed" is false.
    const progress = { recorded: false };
    try {
      for (const read of await this.#readAll(owner, this.#selected(owner.account, node))) {
        this.#requireStill(owner);
        await this.#acceptOne(owner.account, read, progress);
      }
    } catch (error) {
      if (!(progress.recorded && error instanceof KeyringError && error.code === 'storage-failed')) throw error;
      throw new KeyringError(
        'storage-failed',
        `Part of what your server holds now was recorded as intended, but the app could not record the rest (${diskTroubleWords(error.cause)}). Free some space, then accept again.`,
        undefined,
        { cause: error.cause ?? error },
      );
    }
    // The account's own report after it, as for Restore.
    const report = await this.#serialized(owner);
    this.#requireStill(owner);
    return report;
  }

  /** Accept for one node read (a node that has not drifted is left); `progress` is set as each write is on disk. */
  async #acceptOne(account: string, read: Read, progress: { recorded: boolean }): Promise<void> {
    if (read.drift.findings.length === 0) return;
    if (read.state === undefined) {
      await this.#acceptDeletion(account, read.recorded, progress);
      return;
    }
    const accepted = acceptCurrent(read.recorded, read.state);
    if (!accepted.ok) {
      const why = accepted.reason === 'revocation-removed' ? REVOCATION_AT_STAKE : `The access now set on ${read.recorded.node} is not one this app can keep (${accepted.reason}): only Restore fits.`;
      throw new KeyringError('invalid-argument', why, 'node');
    }
    const kept = new Set(accepted.recorded.itemIds);
    // The keys' audience first: a disk full before the node's record is replaced leaves it drifted,
    // so accepting again does both (the other way round, the node would no longer be drifted, and My
    // keys would keep showing the old audience).
    if (read.recorded.kind === 'keys' && (await this.#acceptKeyPublications(account, accepted.recorded.access, kept)) > 0) progress.recorded = true;
    await this.#deps.published.replace(account, read.recorded.node, {
      access: accepted.recorded.access,
      maxItems: accepted.recorded.maxItems,
      items: (read.recorded.record?.items ?? read.recorded.itemIds.map((id) => ({ id }))).filter((i) => kept.has(i.id)),
      applied: appliedSettings({
        persistItems: read.state.persistItems,
        sendLastPublishedItem: read.state.sendLastPublishedItem,
        maxItems: read.state.maxItems,
      }),
    });
    progress.recorded = true;
  }

  /** Whether a revoked key's revocation is still to go out on `node` (the key node): held back when it was revoked. */
  #revocationOwed(account: string, node: string): boolean {
    return node === NS.pubkey && this.#deps.ownKeys.list(account).some((k) => k.revoked !== undefined && k.revocationOwed === true);
  }

  /**
   * Accept of a node another app deleted: recorded as not published. Its keys stay in the vault and show
   * as not published (their audience first, as for any Accept: a full disk before the node's record goes
   * leaves it drifted, and accepting again does both). One that held a revocation is refused.
   */
  async #acceptDeletion(account: string, recorded: Recorded, progress: { recorded: boolean }): Promise<void> {
    if (!deletionAcceptable(recorded, this.#revocationOwed(account, recorded.node))) throw new KeyringError('invalid-argument', REVOCATION_AT_STAKE, 'node');
    if (recorded.kind === 'keys' && (await this.#acceptKeyPublications(account, recorded.access, new Set())) > 0) progress.recorded = true;
    await this.#deps.published.forget(account, recorded.node);
    progress.recorded = true;
  }

  /** Subscribes to the node unless done in this session already (`again`: it was made anew, and lost it). */
  async #watch(owner: Owner, state: NodeState, { again = false }: { again?: boolean } = {}): Promise<void> {
    if (this.#watched.has(state.node) && !again) return;
    this.#watched.add(state.node);
    const watch = await watchOwnNode(this.#ctx(owner), state);
    if (watch.configuration) return;
    if (watch.reason === 'refused') this.#deps.log.warn(`subscribing to ${state.node} was refused: ${watch.detail ?? 'no reason given'}`);
    // A subscribe that timed out or was told to wait is tried again at the next check: until one is
    // taken, ejabberd announces no change of the node's settings to this session. One refused for good
    // is not asked again before the next session (it would only be refused again).
    if (watch.reason === 'failed') this.#watched.delete(state.node);
  }

  get #session(): SessionPort {
    return this.#deps.session;
  }

  /**
   * The PEP service read and written: the account's whose check or answer it is, named once at its
   * start. Each request goes out only while the connection it began on is still the live one: after a
   * switch, a request addressed to this account would go over another account's connection.
   */
  #ctx(owner: Owner): NodeContext {
    return { iq: markedIq(this.#session, owner, () => this.#stoppedWords(owner)), owner: owner.account };
  }

  /** Whether `account` is the one the session names now. */
  #isCurrent(account: string): boolean {
    const current = this.#session.state.account;
    return current !== undefined && bareJidKey(current) === bareJidKey(account);
  }

  /** The account a check, Restore or Accept acts on: the one signed in now, on the connection live now. */
  #owner(): Owner {
    const current = this.#session.state.account;
    if (this.#session.state.status !== 'online' || current === undefined) {
      throw new KeyringError('not-connected', 'Sign in first: what your server holds can only be read online.');
    }
    return { account: current, generation: this.#session.sessionGeneration };
  }

  /**
   * Stops a check, Restore or Accept whose connection is no longer the live one (nothing more is read
   * or written): another account was signed in, or this one again since, or it reconnected. Its reads
   * may have gone over another connection; a fresh check follows every sign-in.
   */
  #requireStill(owner: Owner): void {
    requireMarked(this.#session, owner, () => this.#stoppedWords(owner));
  }

  #stoppedWords(owner: Owner): string {
    return this.#isCurrent(owner.account)
      ? `The connection to the server changed while ${owner.account}'s published nodes were read: nothing more was read or changed.`
      : `Another account was signed in while ${owner.account}'s published nodes were read: nothing more was read or changed.`;
  }

  /**
   * A check the app makes by itself: the screens hear of it when its outcome differs from the account's
   * last one, and only while that account is still the one signed in (the screens show its report).
   */
  #background(): void {
    const account = this.#session.state.account;
    if (this.#session.state.status !== 'online' || account === undefined) return;
    if (this.#publishing > 0) {
      this.#deferred = true;
      return;
    }
    const before = JSON.stringify(this.status().nodes);
    this.#serialized()
      .then((report) => {
        const same = report.account !== undefined && bareJidKey(report.account) === bareJidKey(account) && this.#isCurrent(account);
        if (same && JSON.stringify(report.nodes) !== before) this.#deps.events.emit('drift:changed', report);
      })
      .catch((error: unknown) => this.#deps.log.warn(`drift check failed: ${String(error)}`));
  }

  /** One check at a time; `owner`: for that account and connection only (else whichever the session names as it starts). */
  async #serialized(owner?: Owner): Promise<DriftReport> {
    while (this.#running) await this.#running.catch(() => undefined);
    this.#running = this.#checkNow(owner);
    try {
      return await this.#running;
    } finally {
      this.#running = undefined;
    }
  }

  /**
   * Reads the nodes of the account the session names as it starts (or `asked`'s, refused unless its
   * connection is still the live one), and keeps the report as that account's. Once another account is signed in or tried, it stops: what it read is not kept, never
   * shown as the new account's, and a read answered late is not handed on (My keys is the new one's).
   */
  async #checkNow(asked?: Owner): Promise<DriftReport> {
    await this.#revocations;
    if (asked) this.#requireStill(asked);
    const account = asked?.account ?? this.#session.state.account;
    if (account === undefined) return emptyReport(undefined);
    const owner: Owner = asked ?? { account, generation: this.#session.sessionGeneration };
    const recorded = this.#recordedNodes(account);
    const keyNodeRead = this.#takeKeyNodeRead();
    const nodes: NodeDriftView[] = [];
    // The roster judges subscribers under presence or roster access: read once for the whole check, if at all.
    const roster = sharedRosterRead(this.#ctx(owner));
    for (const r of recorded) {
      this.#requireStill(owner);
      try {
        const state = await readNodeState(this.#ctx(owner), r.node, r.itemIds, {
          itemsRead: r.node === NS.pubkey ? keyNodeRead : undefined,
          whole: comparesContents(r),
          audiences: subscriptionAudiences(r),
          roster,
        });
        this.#requireStill(owner);
        if (r.node === NS.pubkey) this.#deps.onKeyNodeRead?.(state);
        // ejabberd announces configuration changes to subscribers only: subscribed once per session,
        // and again once a node gone comes back. Not on the avatar's data node, whose every item would
        // come whole: its metadata node announces the same changes.
        if (state === undefined) this.#watched.delete(r.node);
        else if (r.kind !== 'avatar-data') await this.#watch(owner, state);
        nodes.push(view(r, state, compareNode(r, state), this.#revocationOwed(account, r.node)));
      } catch (error) {
        this.#requireStill(owner);
        nodes.push({ ...view(r, undefined, { node: r.node, findings: [], severity: undefined, unchecked: [] }, false), error: toIpcError(error) });
      }
    }
    this.#requireStill(owner);
    const report: DriftReport = { account, checkedAt: new Date().toISOString(), ...withSeverity(nodes), nodes };
    this.#reports.set(bareJidKey(account), report);
    return report;
  }

  /** Sign-in's read of the key node's items, once, while nothing since can have made it older. */
  #takeKeyNodeRead(): Promise<FetchOutcome> | undefined {
    const read = this.#keyNodeRead;
    this.#keyNodeRead = undefined;
    return read && read.writes === this.#writes ? read.items : undefined;
  }

  async #readAll(owner: Owner, recorded: Recorded[]): Promise<Read[]> {
    const reads: Read[] = [];
    const roster = sharedRosterRead(this.#ctx(owner));
    for (const r of recorded) {
      this.#requireStill(owner);
      const state = await readNodeState(this.#ctx(owner), r.node, r.itemIds, { whole: comparesContents(r), audiences: subscriptionAudiences(r), roster });
      reads.push({ recorded: r, state, drift: compareNode(r, state) });
    }
    return reads;
  }

  #selected(account: string, node: string | undefined): Recorded[] {
    const all = this.#recordedNodes(account);
    if (node === undefined) return all;
    const one = all.filter((r) => r.node === node);
    if (one.length === 0) throw new KeyringError('not-found', `This app has published nothing on ${node}.`, 'node');
    return one;
  }

  /**
   * What the vault recorded, node by node. A vault from before drift watch recorded only each key's
   * publication: the key node is then taken from those (the newest publication's access), so keys
   * published earlier are watched too.
   */
  #recordedNodes(account: string): Recorded[] {
    const published = this.#deps.published.list(account);
    const recorded: Recorded[] = NODE_ORDER.flatMap((node) => {
      const record = published[node];
      if (!record) return [];
      return [
        {
          node,
          kind: KIND_OF_NODE[node] ?? 'keys',
          record,
          access: record.access,
          maxItems: record.maxItems,
          itemIds: record.items.map((i) => i.id),
          certificates: Object.fromEntries(record.items.flatMap((i) => (i.certificate === undefined ? [] : [[i.id, i.certificate]]))),
          contents: Object.fromEntries(record.items.flatMap((i) => (i.content === undefined ? [] : [[i.id, i.content]]))),
          published: publishedProfileItems(node, record),
          // Only the newest notes, as many as the node keeps items: an older one is a publish that a later
          // one replaced, and an item matching it now is another app's putting it back, not the app's own.
          ...(record.publishing ? { publishing: Object.fromEntries(record.publishing.slice(-record.maxItems).map((p) => [p.id, p.content])) } : {}),
          ...(record.accessAsked ? { accessAsked: record.accessAsked } : {}),
          ...(record.applied ? { applied: record.applied } : {}),
        },
      ];
    });
    if (!published[NS.pubkey]) {
      const legacy = this.#keyNodeFromPublications(account);
      if (legacy) recorded.unshift(legacy);
    }
    return recorded;
  }

  #keyNodeFromPublications(account: string): Recorded | undefined {
    const publications = this.#deps.ownKeys
      .list(account)
      .flatMap((key) => key.publications.filter((p) => p.node === NS.pubkey).map((p) => ({ id: key.fingerprint, ...p })))
      .sort((a, b) => a.publishedAt.localeCompare(b.publishedAt));
    const newest = publications.at(-1);
    const model = ACCESS_MODELS.find((m) => m === newest?.accessModel);
    if (!newest || !model) return undefined;
    const access: AccessRequest = { model };
    if (model === 'roster') access.groups = newest.groups ?? [];
    if (model === 'whitelist') access.allow = newest.allow ?? [];
    return { node: NS.pubkey, kind: 'keys', record: undefined, access, maxItems: KEY_NODE_MAX_ITEMS, itemIds: publications.map((p) => p.id) };
  }

  /** What to publish again: a key's certificate from the vault, a profile item as it was published. */
  #payloadOf(account: string, recorded: Recorded, itemId: string): Element | undefined {
    if (recorded.kind === 'keys') {
      return keyNodePayload(this.#deps.ownKeys.list(account), itemId);
    }
    const payload = recorded.record?.items.find((i) => i.id === itemId)?.payload;
    return payload === undefined ? undefined : parsePayload(payload);
  }

  /**
   * The keys screen shows each key's audience: after Accept it shows the accepted one, and keys gone as
   * withdrawn. One write for every key (OwnKeysStore.acceptAudience); how many keys it changed.
   */
  #acceptKeyPublications(account: string, access: AccessRequest, kept: ReadonlySet<string>): Promise<number> {
    return this.#deps.ownKeys.acceptAudience(
      account,
      NS.pubkey,
      { accessModel: access.model, ...(access.groups ? { groups: access.groups } : {}), ...(access.allow ? { allow: access.allow } : {}) },
      kept,
    );
  }
}

/** An account's report before its nodes were read (or no account's, before anyone signed in). */
/** Why Accept is refused where a revocation would go with it (acceptCurrent 'revocation-removed', deletionAcceptable). */
const REVOCATION_AT_STAKE = 'The revocation of one of your keys belongs on your keys’ node, where contacts must still be able to read it: only Restore fits, which publishes them again.';

function emptyReport(account: string | undefined): DriftReport {
  return account === undefined ? { nodes: [] } : { account, nodes: [] };
}

function view(recorded: Recorded, state: NodeState | undefined, drift: NodeDrift, revocationOwed: boolean): NodeDriftView {
  // A node deleted can be kept deleted (recorded as not published) unless it held a revocation, or one is still to go out there.
  const outcome = drift.findings.length === 0 || !state ? undefined : acceptCurrent(recorded, state);
  const deletionOk = deletionAcceptable(recorded, revocationOwed);
  const accepted = drift.findings.length === 0 ? undefined : outcome ? outcome.ok : deletionOk;
  const revocationAtStake = drift.findings.length > 0 && (outcome ? !outcome.ok && outcome.reason === 'revocation-removed' : !deletionOk);
  return {
    node: recorded.node,
    kind: recorded.kind,
    recorded: { access: recorded.access, items: recorded.itemIds.length },
    ...(state
      ? {
          current: {
            access: state.accessModel === 'roster' ? { model: state.accessModel, groups: state.rosterGroups } : { model: state.accessModel },
            ...(state.items.status === 'listed' ? { items: state.items.ids.length } : {}),
          },
        }
      : {}),
    findings: drift.findings,
    ...(drift.severity ? { severity: drift.severity } : {}),
    unchecked: drift.unchecked,
    acceptable: accepted === true,
    ...(revocationAtStake ? { revocationAtStake: true as const } : {}),
    ...(drift.unfinishedChange ? { unfinishedChange: drift.unfinishedChange } : {}),
  };
}

function withSeverity(nodes: readonly NodeDriftView[]): Pick<DriftReport, 'severity'> {
  const severity = highestSeverity(nodes.map((n) => ({ severity: n.severity })));
  return severity ? { severity } : {};
}

/**
 * The vCard's and the nickname's items as the app published them, parsed, by id: drift names the fields
 * another app changed in them, with what they said before (compare.ts `published`). The avatar's
 * sentences quote no value.
 */
function publishedProfileItems(node: string, record: PublishedNodeRecord): Record<string, Element> {
  if (node !== NS.vcard4 && node !== NS.nick) return {};
  return Object.fromEntries(
    record.items.flatMap((i) => {
      const payload = i.payload === undefined ? undefined : parsePayload(i.payload);
      return payload === undefined ? [] : [[i.id, payload]];
    }),
  );
}

