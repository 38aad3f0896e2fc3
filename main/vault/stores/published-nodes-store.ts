/**
 * What the app published to each of the account's own nodes (schema.ts PublishedNode), kept so that
 * drift watch can tell when another client changed a node since (docs/drift.md). Written by the
 * publish paths (own keys, profile) and by Accept; read by the drift watch.
 */
import type { AccessRequest, EffectiveNodeConfig } from '../../../contract/index.js';
import { PublishedNodeSchema, type PublishedNodeRecord } from '../schema.js';
import type { VaultHolder } from '../vault-holder.js';
import { accountIn } from './account-record.js';

export interface PublishedItem {
  id: string;
  /** The item's payload as published (XML), where ownKeys does not already hold it. */
  payload?: string;
  /** The fingerprint of the certificate the item carries (the key node's items): what drift compares it by. */
  certificate?: string;
  /** The SHA-256 of what a profile item says (main/profile/profile-content.ts): what drift compares it by. */
  content?: string;
}

/** How many items being sent a node's record notes at most (schema.ts `publishing`). */
const PUBLISHING_KEPT = 8;

export class PublishedNodesStore {
  readonly #vaults: VaultHolder;

  constructor(vaults: VaultHolder) {
    this.#vaults = vaults;
  }

  /** By node; none while the vault is locked. */
  list(account: string): Readonly<Record<string, PublishedNodeRecord>> {
    if (!this.#vaults.isOpen) return {};
    return this.#vaults.vault.account(account)?.published ?? {};
  }

  /**
   * A publish to `node` succeeded: the node's access and settings are now those asked and read back
   * (a publish configures the whole node, every item's audience with it), and `item` is the newest.
   * Only the newest `maxItems` are kept: the server keeps no more. Its note (notePublishing) goes, and
   * so does every note older than it: a publish noted before this one either went out before it or
   * never did, and a note left would let drift take that item, put back later by another app, for the
   * app's own (a new avatar has a new id each time, so nothing else would ever drop such a note).
   */
  async recordPublish(account: string, node: string, publish: { access: AccessRequest; maxItems: number; config: EffectiveNodeConfig; item: PublishedItem }): Promise<void> {
    const { access, maxItems, config, item } = publish;
    const next = (before: PublishedNodeRecord | undefined): PublishedNodeRecord => {
      const notes = before?.publishing ?? [];
      const own = notes.findIndex((p) => p.id === item.id);
      const publishing = own === -1 ? notes : notes.slice(own + 1);
      return {
        access: recordedAccess(access, config),
        maxItems,
        items: [...(before?.items ?? []).filter((i) => i.id !== item.id), item].slice(-maxItems),
        applied: appliedSettings(config),
        ...(publishing.length > 0 ? { publishing } : {}),
        recordedAt: new Date().toISOString(),
      };
    };
    await this.#setNode(account, node, next);
  }

  /**
   * A profile item about to go out to a node already recorded (schema.ts `publishing`), written before
   * it goes: a disk that is full refuses this write, and nothing goes out ("nothing was changed" is
   * true); one that fills after it leaves drift knowing the item for the app's own. A node with no
   * record is not watched, so there is nothing to note.
   */
  async notePublishing(account: string, node: string, item: { id: string; content: string }): Promise<void> {
    if (!this.list(account)[node]) return;
    await this.#setNode(account, node, (before) => {
      // The record exists (checked above); `before` is only undefined for a node never recorded.
      const record = before as PublishedNodeRecord;
      return { ...record, publishing: [...(record.publishing ?? []).filter((p) => p.id !== item.id), item].slice(-PUBLISHING_KEPT) };
    });
  }

  /**
   * The access about to be asked of the server for `node` (schema.ts `accessAsked`), written before the
   * node is touched. A publish reconfigures the whole node (every item's audience with it), and the
   * record of that comes only after the server answered: a disk that fills in between would leave the
   * record with the old access, and drift watch would report the app's own change as another app's
   * ("access widened"). Refusing the change when this note cannot be written is not enough alone: the
   * disk can fill after it. So drift takes the node holding the noted access as the app's own, and
   * the next sign-in records it (settleAccessAsked). A full disk refuses this write, and nothing goes
   * out ("nothing was changed" is true). Nothing is written for a node with no record (not watched;
   * found-publications records it as found), nor when the record already says this.
   */
  async noteAccess(account: string, node: string, access: AccessRequest): Promise<void> {
    const record = this.list(account)[node];
    if (!record) return;
    const asked = sameAccess(record.access, access) ? undefined : copyAccess(access);
    const noted = record.accessAsked;
    if (asked === undefined ? noted === undefined : noted !== undefined && sameAccess(noted, asked)) return;
    await this.#setNode(account, node, (before) => {
      // The record exists (checked above); `before` is only undefined for a node never recorded.
      const { accessAsked: _earlier, ...rest } = before as PublishedNodeRecord;
      // Asked for the recorded access again: an earlier note, of a change never recorded, is no longer
      // the person's choice.
      return asked === undefined ? rest : { ...rest, accessAsked: asked };
    });
  }

  /**
   * Takes back a note of noteAccess whose change the server was never asked for (services/access-note.ts):
   * the note before it (`previous`, or none) is put back, but only while the record is as it was then
   * (`wrote.recorded`) and still holds what that note wrote: another publish that recorded or noted
   * meanwhile is left as it is.
   */
  async takeBackAccessNote(account: string, node: string, wrote: { recorded: AccessRequest; asked: AccessRequest }, previous: AccessRequest | undefined): Promise<void> {
    const record = this.list(account)[node];
    if (!record || !sameAccess(record.access, wrote.recorded)) return;
    const written = sameAccess(wrote.recorded, wrote.asked) ? undefined : wrote.asked;
    const now = record.accessAsked;
    if (!(written === undefined ? now === undefined : now !== undefined && sameAccess(now, written))) return;
    const restore = previous === undefined || sameAccess(previous, record.access) ? undefined : copyAccess(previous);
    if (restore === undefined && now === undefined) return;
    await this.#setNode(account, node, (before) => {
      const { accessAsked: _written, ...rest } = before as PublishedNodeRecord;
      return restore === undefined ? rest : { ...rest, accessAsked: restore };
    });
  }

  /**
   * The access of `node` was changed, with nothing published to it (the avatar's nodes following a change
   * of the profile's audience): its record takes the access and settings read back, keeps its items, and
   * drops the note of that change (noteAccess), done now. A node with no record is not watched: nothing
   * is written.
   */
  async recordAccess(account: string, node: string, changed: { access: AccessRequest; config: EffectiveNodeConfig }): Promise<void> {
    if (!this.list(account)[node]) return;
    await this.#setNode(account, node, (before) => {
      const { accessAsked: _done, ...rest } = before as PublishedNodeRecord;
      return { ...rest, access: recordedAccess(changed.access, changed.config), applied: appliedSettings(changed.config), recordedAt: new Date().toISOString() };
    });
  }

  /**
   * The server's access on `node` (`found`, read at sign-in) is the one noted as asked (noteAccess): the
   * app's own change, which a full disk kept from being recorded, is recorded now. Answers whether it
   * was; a node whose access is anything else keeps its record, so another app's change is reported.
   */
  async settleAccessAsked(account: string, node: string, found: { access: AccessRequest; config: EffectiveNodeConfig }): Promise<boolean> {
    const noted = this.list(account)[node]?.accessAsked;
    if (noted === undefined || !sameAccess(noted, found.access)) return false;
    await this.#setNode(account, node, (before) => {
      const { accessAsked: _settled, ...rest } = before as PublishedNodeRecord;
      return { ...rest, access: recordedAccess(found.access, found.config), recordedAt: new Date().toISOString() };
    });
    return true;
  }

  /**
   * An item of the app's found on `node` that this record does not list (a publish cut off after the
   * server took it, before it was recorded): expected there from now on. A node already recorded keeps
   * its recorded access, so a change another client made to it is still reported; a node never
   * recorded is recorded as found (`found`: its access as the server reports it).
   */
  async recordFound(account: string, node: string, item: PublishedItem, found: { access: AccessRequest; maxItems: number; config: EffectiveNodeConfig }): Promise<void> {
    if (this.expects(account, node, item.id)) return;
    await this.#setNode(account, node, (before) =>
      before
        ? { ...before, items: [...before.items.filter((i) => i.id !== item.id), item].slice(-before.maxItems) }
        : {
            access: recordedAccess(found.access, found.config),
            maxItems: found.maxItems,
            items: [item],
            applied: appliedSettings(found.config),
            recordedAt: new Date().toISOString(),
          },
    );
  }

  /** recordFound for a node whose access the app cannot record: the item is added to its record, if it has one. */
  async expectItem(account: string, node: string, item: PublishedItem): Promise<void> {
    if (this.expects(account, node, item.id) || !this.list(account)[node]) return;
    await this.#vaults.vault.update((draft) => {
      const record = accountIn(draft, account).published?.[node];
      if (record) record.items = [...record.items.filter((i) => i.id !== item.id), item].slice(-record.maxItems);
    });
  }

  /**
   * An item no longer expected on the node: the app withdrew it, or its key was revoked here
   * (revoked-here.ts). Nothing is written when the record does not list it.
   */
  async recordRetract(account: string, node: string, itemId: string): Promise<void> {
    if (!this.expects(account, node, itemId)) return;
    await this.#vaults.vault.update((draft) => {
      const record = accountIn(draft, account).published?.[node];
      if (record) record.items = record.items.filter((i) => i.id !== itemId);
    });
  }

  /**
   * Nothing is recorded as published on `node` any more (Accept of a node another app deleted): drift
   * watch stops watching it until the app publishes there again. Nothing is written when there is no record.
   */
  async forget(account: string, node: string): Promise<void> {
    if (!this.list(account)[node]) return;
    await this.#vaults.vault.update((draft) => {
      const record = accountIn(draft, account);
      if (!record.published?.[node]) return;
      record.published = Object.fromEntries(Object.entries(record.published).filter(([name]) => name !== node));
    });
  }

  /** Whether the record of `node` still expects the item `itemId` there. */
  expects(account: string, node: string, itemId: string): boolean {
    return this.list(account)[node]?.items.some((i) => i.id === itemId) ?? false;
  }

  /** Replaces what is recorded for `node` (Accept: the node's current state is the intended one). */
  async replace(account: string, node: string, recorded: Omit<PublishedNodeRecord, 'recordedAt'>): Promise<void> {
    await this.#setNode(account, node, () => ({ ...recorded, recordedAt: new Date().toISOString() }));
  }

  /**
   * Sets what is recorded for `node` to what `next` makes of the record before. Only that record is
   * copied and checked (the whole document until the account has any): a whole-document change copies
   * every contact's certificates, ~200 ms of the event loop with 5,000 contacts, at every publish.
   */
  async #setNode(account: string, node: string, next: (before: PublishedNodeRecord | undefined) => PublishedNodeRecord): Promise<void> {
    await this.#vaults.vault.updatePart(
      { parent: ['accounts', account, 'published'], key: node, schema: PublishedNodeSchema, change: (current) => ({ value: next(current), result: undefined }) },
      (draft) => {
        const record = accountIn(draft, account);
        record.published = { ...record.published, [node]: next(record.published?.[node]) };
      },
    );
  }
}

/** The access chosen, with roster groups and whitelist members as the server read them back. */
function recordedAccess(access: AccessRequest, config: EffectiveNodeConfig): AccessRequest {
  if (access.model === 'roster') return { model: 'roster', groups: [...config.rosterGroupsAllowed] };
  if (access.model === 'whitelist') return { model: 'whitelist', allow: [...(config.whitelist ?? access.allow ?? [])] };
  return { model: access.model };
}

/**
 * Whether two accesses admit the same people: the same model, and for roster the same groups, for
 * whitelist the same members (addresses compared without case, as drift compares members).
 */
function sameAccess(a: AccessRequest, b: AccessRequest): boolean {
  if (a.model !== b.model) return false;
  if (a.model === 'roster') return sameSet(a.groups ?? [], b.groups ?? []);
  if (a.model === 'whitelist') return sameSet((a.allow ?? []).map((j) => j.toLowerCase()), (b.allow ?? []).map((j) => j.toLowerCase()));
  return true;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((x) => right.has(x));
}

/** The access as the record keeps it: only the model's own list. */
function copyAccess(access: AccessRequest): AccessRequest {
  if (access.model === 'roster') return { model: 'roster', groups: [...(access.groups ?? [])] };
  if (access.model === 'whitelist') return { model: 'whitelist', allow: [...(access.allow ?? [])] };
  return { model: access.model };
}

/** The XEP-0222 settings read back: one the server never applied is then not reported as drift. */
export function appliedSettings(config: Pick<EffectiveNodeConfig, 'persistItems' | 'sendLastPublishedItem' | 'maxItems'>): NonNullable<PublishedNodeRecord['applied']> {
  return {
    ...(config.persistItems !== undefined ? { persistItems: config.persistItems } : {}),
    ...(config.sendLastPublishedItem !== undefined ? { sendLastPublishedItem: config.sendLastPublishedItem } : {}),
    ...(config.maxItems !== undefined ? { maxItems: config.maxItems } : {}),
  };
}
