/**
 * Revocations of the account's own keys that this device did not make: another device of the account
 * revoked a key, or this device got the key back from a backup made before it was revoked. The
 * statement stays on the account's key node as its own item (docs/key-lifecycle.md, "Revocation
 * statement"), and contacts honour it; this device must too, or it would show the key as usable and
 * could publish it again. So the key node's revocation items are read at sign-in, after a restore, and
 * from every notification of the own node, and each one that verifies (signed by the key it names, a
 * certificate for this account) marks that key revoked here, as `keys:revoke` would have: the key's
 * own item, withdrawn with the revocation, is then no longer expected on the node (revoked-here.ts), so
 * drift watch does not take its removal for another client's doing. A removal with no revocation that
 * verifies still is.
 *
 * Only the account itself can publish to its own PEP node (XEP-0163 §4.1), and the statement must be
 * signed by the revoked key, so an item there cannot revoke a key by itself being present.
 *
 * A revoked key's own item still on the node is a revoke cut off between its two steps (the statement
 * published, the key's item not yet withdrawn: OwnKeys.revoke, here or on another device). Each reading
 * withdraws it, finishing what that revoke asked for: contacts honour the revocation beside it already,
 * but the account should not go on listing a key its owner revoked. Nothing else is withdrawn here.
 * With no revocation beside it (a revoke that decided from the vault's record alone, in an earlier
 * version, of a key the record did not know was published), the key's item is the only thing contacts
 * hold: withdrawn alone, it would leave them a key they were never told is revoked. The statement the
 * vault keeps is published first, and the item withdrawn only once it is there.
 */
import { markNow, stillMarked } from './session-mark.js';
import { unverifiedNote } from '../../contract/format.js';
import { verifyPublishedCertificate } from '../drift/held-certificate.js';
import { withReadBack } from '../drift/read-back.js';
import { KeyringError } from '../errors.js';
import type { AppEvents } from '../events.js';
import { verifyRevocation, type RevocationStatement } from '../keys/revocation.js';
import type { Logger } from '../logger.js';
import type { OwnKeysStore } from '../vault/stores/own-keys-store.js';
import type { PublishedNodesStore } from '../vault/stores/published-nodes-store.js';
import { fetchItems, type FetchOutcome } from '../xmpp/fetch-items.js';
import { readRevocationItem, revocationItemId, revocationPayload } from '../xmpp/key-statements.js';
import { NS } from '../xmpp/namespaces.js';
import { publishAsIs, publishPersistent, retractItem } from '../xmpp/persistent-node.js';
import type { RawItem } from '../xmpp/pubsub.js';
import { KEY_NODE_MAX_ITEMS, readKeyNodeAudience } from './own-keys.js';
import { recordRevokedHere, sameKeyToRevoke, statementFor } from './revoked-here.js';
import type { SessionPort } from './session-port.js';

/** The node holds at most 32 items (own-keys.ts KEY_NODE_MAX_ITEMS); more than this is not ours. */
const MAX_ITEMS_READ = 64;

export interface OwnRevocationsDeps {
  store: OwnKeysStore;
  /** What the key node should hold, for drift watch (docs/drift.md). */
  published: Pick<PublishedNodesStore, 'list' | 'expects' | 'recordRetract' | 'recordFound'>;
  session: SessionPort;
  log: Logger;
  /** Where a reading that failed is told (Activity): main/core.ts gives it; tests may leave it out. */
  events?: Pick<AppEvents, 'emit'>;
  /**
   * The revoke of the key under way on this device, if one is (OwnKeys.revokeUnderWay), settled once it
   * ended. Its own revocation reaches the node, and is notified here, before it is recorded.
   */
  revokeUnderWay?: (account: string, fingerprint: string) => Promise<void> | undefined;
}

export class OwnRevocations {
  readonly #deps: OwnRevocationsDeps;
  /**
   * Accounts whose key node could not be read, already told (keys:keyNodeUnread) in this run of the app:
   * a server that never lets its owner read it (ejabberd 23.01, roster access) would otherwise add the
   * same line to Activity at every sign-in and reconnect. A reading that works makes it told again next time.
   */
  readonly #toldUnread = new Set<string>();

  constructor(deps: OwnRevocationsDeps) {
    this.#deps = deps;
  }

  /** The own key node's items, read whole now (XEP-0060 §6.5.2): the revocations are among them. */
  async fetchNode(): Promise<FetchOutcome> {
    return fetchItems(this.#deps.session.iq, this.#deps.session.ownJid, NS.pubkey);
  }

  /**
   * Applies what the own key node says: read now, or `read`, a fetchNode() already under way (sign-in
   * shares it with drift watch). The fingerprints newly revoked here.
   */
  async readNode(read: Promise<FetchOutcome> = this.fetchNode()): Promise<string[]> {
    const mark = markNow(this.#deps.session);
    const outcome = await read;
    // Read for the account signed in when it was asked: once another is (or that stream is gone), what
    // it says, or that it failed, is not the new account's news (session-mark.ts).
    if (!stillMarked(this.#deps.session, mark)) return [];
    const account = this.#deps.session.ownJid;
    if (outcome.status !== 'ok') {
      if (outcome.status !== 'none') {
        this.#deps.log.warn(`reading the own key node for revocations: ${outcome.status} (${outcome.detail})`);
        // Not silent: what waits for this reading (revocations from other devices, a revoked key's item
        // left to withdraw) waits for the next one that works, and the person should know, once.
        if (!this.#toldUnread.has(account)) this.#deps.events?.emit('keys:keyNodeUnread', { reason: outcome.status, at: new Date().toISOString() });
        this.#toldUnread.add(account);
      }
      return [];
    }
    this.#toldUnread.delete(account);
    return this.apply(outcome.items);
  }

  /**
   * Marks revoked each key of this vault that a verified revocation among `items` names and that is not
   * revoked here yet; returns their fingerprints. Anything else among the items is left to others.
   *
   * A key revoked here already whose item the published record still expects (revoked at a sign-in
   * before the record was kept in step) stops being expected there too, and is not news again.
   */
  async apply(items: readonly RawItem[]): Promise<string[]> {
    const account = this.#deps.session.ownJid;
    const revoked: string[] = [];
    for (const item of items.slice(0, MAX_ITEMS_READ)) {
      const read = readRevocationItem(item);
      if (read.kind !== 'revocation') continue;
      // A revocation this device is publishing now is not another device's: the revoke records the key
      // revoked once it is done, after the server has notified us of its statement (OwnKeys #revoking).
      // Waited for, the key is then revoked here already and is no news. A revoke that failed after its
      // statement reached the node (its answer cut off, a full disk) left the key unrevoked here: that
      // statement is applied below and told, as a revoke here whose answer the connection cut off.
      const underWay = this.#deps.revokeUnderWay?.(account, read.statement.fingerprint);
      if (underWay) await underWay;
      const key = this.#deps.store.find(account, read.statement.fingerprint);
      // A compromised key's revocation covers its other certificates in this vault too (a renewal
      // keeps the key), even one whose named certificate this vault does not hold (revoked-here.ts).
      const sameKey = sameKeyToRevoke(this.#deps.store.list(account), read.statement, read.statement.reason);
      const stale = key?.revoked !== undefined && this.#deps.published.expects(account, NS.pubkey, key.fingerprint);
      if ((!key || (key.revoked && !stale)) && sameKey.length === 0) continue;
      const check = verifyRevocation(read.statement, { publisherJid: account });
      if (!check.valid || check.fingerprint !== read.statement.fingerprint) {
        this.#deps.log.warn(`a revocation on the own key node does not hold: ${check.valid ? 'it names another key' : check.reason}`);
        continue;
      }
      if (key && stale) {
        await this.#deps.published.recordRetract(account, NS.pubkey, key.fingerprint);
      } else if (key && !key.revoked) {
        await recordRevokedHere(this.#deps, account, key.fingerprint, read.statement);
        revoked.push(key.fingerprint);
      }
      for (const record of sameKey) {
        // Its own statement, dated as the one found: the item left over on the node, if any, is then
        // withdrawn below with a revocation of its own beside it (#withdrawRevokedLeftOver).
        const statement = await statementFor(this.#deps.store, account, record, read.statement.reason, new Date(read.statement.date));
        if (!statement) continue;
        await recordRevokedHere(this.#deps, account, record.fingerprint, statement);
        revoked.push(record.fingerprint);
      }
    }
    const publishedNow = await this.#withdrawRevokedLeftOver(items);
    await this.#publishOwedRevocations(items, publishedNow);
    return revoked;
  }

  /**
   * Publishes the revocation of each key revoked here whose statement could not go out then (schema.ts
   * `revocationOwed`: the node was set to a model the app cannot publish to), when `items` (read now)
   * do not hold it, whether or not the key's own item is still there: contacts may have kept the key.
   * One found there, or published now (`publishedNow` too), is owed no more; one that fails is tried at
   * the next reading.
   */
  async #publishOwedRevocations(items: readonly RawItem[], publishedNow: ReadonlySet<string>): Promise<void> {
    const account = this.#deps.session.ownJid;
    for (const key of this.#deps.store.list(account)) {
      if (!key.revoked || key.revocationOwed !== true) continue;
      const onNode = publishedNow.has(key.fingerprint) || items.some((i) => i.id === revocationItemId(key.fingerprint));
      if (!onNode) {
        try {
          const unverified = await this.#publishRevocation(account, key.fingerprint, key.revoked);
          this.#said(`published the revocation of key ${key.fingerprint}, held back when it was revoked`, unverified);
        } catch (error) {
          this.#deps.log.warn(`publishing the revocation of key ${key.fingerprint}, held back when it was revoked: ${error instanceof Error ? error.message : String(error)}; tried again at the next sign-in`);
          continue;
        }
      }
      await this.#deps.store.setRevocationOwed(account, key.fingerprint, false);
    }
  }

  /**
   * Withdraws the own item of each key revoked here that `items` still holds (a revoke cut off before
   * its withdrawal; see the file's comment). Its revocation item is never touched. A withdrawal that
   * fails now is tried again at the next reading.
   */
  async #withdrawRevokedLeftOver(items: readonly RawItem[]): Promise<Set<string>> {
    const account = this.#deps.session.ownJid;
    const read = items.slice(0, MAX_ITEMS_READ);
    /** The keys whose revocation went out here. */
    const published = new Set<string>();
    for (const item of read) {
      const key = this.#deps.store.find(account, item.id);
      // The key's own item is published under its fingerprint; its revocation under another id.
      if (!key?.revoked || item.id !== key.fingerprint || item.id === revocationItemId(key.fingerprint)) continue;
      if (!read.some((i) => i.id === revocationItemId(key.fingerprint))) {
        try {
          const unverified = await this.#publishRevocation(account, key.fingerprint, key.revoked);
          published.add(key.fingerprint);
          this.#said(`published the revocation of key ${key.fingerprint}: it was on the key node without one`, unverified);
        } catch (error) {
          // Never withdrawn without its revocation beside it: tried again at the next reading.
          this.#deps.log.warn(`publishing the revocation of key ${key.fingerprint}, still on the key node without one: ${error instanceof Error ? error.message : String(error)}; tried again at the next sign-in`);
          continue;
        }
      }
      try {
        await retractItem({ iq: this.#deps.session.iq, owner: account }, NS.pubkey, key.fingerprint);
        this.#deps.log.info(`withdrew revoked key ${key.fingerprint} from the key node: its revoke had been cut off before the withdrawal`);
      } catch (error) {
        // Gone meanwhile (another device finished it): as good as withdrawn.
        if (error instanceof KeyringError && error.code === 'not-found') continue;
        this.#deps.log.warn(`withdrawing revoked key ${key.fingerprint} from the key node: ${error instanceof Error ? error.message : String(error)}; tried again at the next sign-in`);
      }
    }
    return published;
  }

  /**
   * Publishes the revocation statement this vault keeps for `fingerprint` on the key node, to the
   * audience the node has now (the server's word: the key's item is there for that audience), read back
   * as OwnKeys.revoke does, and recorded for drift watch.
   *
   * The state that leads here may be another client's doing (a stolen password, a server admin): the
   * node's access widened, then the revoked key's item put back. The revocation still goes to whoever
   * may read the node now (a public statement: more readers are harmless), but a node already recorded
   * is published to as it is, its access never reconfigured (no outsider's affiliation removed, no
   * access setting put back), and its record keeps the access the person chose: the revocation is added
   * to it as an item found (recordFound). Copied from the server, the record would silence drift
   * watch's alarm. One setting alone is put back first, when that client also made the node keep no
   * items (persist_items=false): both Prosody and ejabberd refuse a publish asking for persistence
   * there, so the revocation would never reach the contacts (publishAsIs, restorePersistence: XEP-0222
   * §2). A server that keeps persistence off refuses it in words, and the key's item is not withdrawn.
   */
  /**
   * Logs a revocation published at sign-in, with ", unverified: …" (the words every success line uses)
   * when the server would not show it back: no screen hears of it, so the log must not read as checked.
   */
  #said(done: string, unverified: string): void {
    if (unverified) this.#deps.log.warn(`${done}${unverified}`);
    else this.#deps.log.info(done);
  }

  /** ('' when read back and checked, else unverifiedNote's words.) */
  async #publishRevocation(account: string, fingerprint: string, statement: RevocationStatement): Promise<string> {
    const ctx = { iq: this.#deps.session.iq, owner: account };
    const read = await readKeyNodeAudience(ctx);
    if (!read) throw new KeyringError('not-found', 'the key node is gone');
    const { config, access } = read;
    if (!access) throw new KeyringError('access-model-unsupported', `the key node has access "${config.accessModel}", which the app cannot publish to`);
    const item = { id: revocationItemId(fingerprint), payload: revocationPayload(statement) };
    const spec = { node: NS.pubkey, access, maxItems: KEY_NODE_MAX_ITEMS };
    const recorded = this.#deps.published.list(account)[NS.pubkey] !== undefined;
    const outcome = recorded ? await publishAsIs(ctx, spec, item, config) : await publishPersistent(ctx, spec, item);
    const readBack = await verifyPublishedCertificate(ctx, NS.pubkey, item);
    await this.#deps.published.recordFound(account, NS.pubkey, { id: item.id, certificate: fingerprint }, { access, maxItems: KEY_NODE_MAX_ITEMS, config: outcome.config });
    return unverifiedNote(withReadBack(outcome.config, item.id, readBack).deviations);
  }
}

/** What readOwnKeyNode needs: the two readers of the own key node, and where My keys hears of them. */
export interface OwnKeyNodeReadDeps {
  revocations: Pick<OwnRevocations, 'fetchNode' | 'readNode'>;
  found: { readNode(read: Promise<FetchOutcome>): Promise<string[]> };
  session: Pick<SessionPort, 'state' | 'sessionGeneration'>;
  events: Pick<AppEvents, 'emit'>;
  log: Logger;
}

/**
 * The own key node read at sign-in and after a restore (main/core.ts): own keys revoked elsewhere are
 * revoked here, then keys the server holds that the vault records as not published are recorded
 * (found-publications.ts); revocations first, a key revoked is never recorded as published. My keys is
 * told which. `read`: a reading already under way (sign-in shares it with drift watch). The
 * fingerprints newly revoked.
 */
export async function readOwnKeyNode(deps: OwnKeyNodeReadDeps, read?: Promise<FetchOutcome>): Promise<string[]> {
  const mark = markNow(deps.session);
  const items = read ?? deps.revocations.fetchNode();
  const revoked = await deps.revocations.readNode(items);
  const found = await deps.found.readNode(items).catch((error: unknown) => {
    deps.log.warn(`recording own keys found on the key node: ${String(error)}`);
    return [];
  });
  // Each reader checked its mark before writing, but their writes and the second reading take a while:
  // another account signed in meanwhile has its windows showing its own keys, and romeo's news is not
  // theirs (it stays recorded for romeo, and My keys shows it when he is signed in again).
  if (!stillMarked(deps.session, mark)) return revoked;
  if (revoked.length > 0 || found.length > 0) deps.events.emit('keys:otherDevice', { added: [], withdrawn: [], revoked, found, at: new Date().toISOString() });
  return revoked;
}
