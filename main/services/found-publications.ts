/**
 * Own keys the server holds that this vault records as not published: the server's word wins.
 *
 * A publish is recorded only once the server took it and it was read back (OwnKeys.publish). Cut off in
 * between (the app killed, the machine off, the connection lost before the answer came), the key is on
 * the account's key node for its audience to fetch while My keys says "Not published", and Delete would
 * erase the private half without withdrawing it. A restored key is the same: the backup does not say
 * where it is published. So at sign-in and after a restore, the key node's items (read whole for the
 * revocations already: own-revocations.ts, no request more) are compared with the vault, and each item
 * that carries one of this account's keys, under the id contacts accept (its fingerprint), is recorded
 * as published, to the node's audience as the server reports it (one more request, only then).
 *
 * Why this and not an "in flight" mark written before the publish and settled at sign-in: a mark is
 * one more write on every publish and says only that a publish may have gone out; settling it needs this
 * same reading of the node. The reading alone is always true, whatever the cut: before the send, after
 * the server took it, between the read-back and the record, or a publish this device never made (a
 * restored key, another device with the same key).
 *
 * What is not adopted, and why:
 * - a revoked key's item (a revoke cut off before its withdrawal): a revoked key is never published
 *   again (revoked-here.ts); contacts already read its revocation beside it, and the same reading
 *   withdraws the item (own-revocations.ts);
 * - an item under another id than its certificate's fingerprint: contacts refuse it (validate.ts
 *   'fingerprint-mismatch'), and Delete, which withdraws by fingerprint, could not withdraw it; it is
 *   logged, and left to whoever published it;
 * - an item whose certificate is not this vault's: not ours to record (own-devices.ts reports those).
 */
import { configAudience, publicationAudience } from './own-keys.js';
import { markNow, stillMarked } from './session-mark.js';
import { certificateFingerprint } from '../keys/fingerprint.js';
import type { Logger } from '../logger.js';
import { oneLine } from '../untrusted-text.js';
import type { OwnKeysStore } from '../vault/stores/own-keys-store.js';
import type { PublishedNodesStore } from '../vault/stores/published-nodes-store.js';
import type { FetchOutcome } from '../xmpp/fetch-items.js';
import { NS } from '../xmpp/namespaces.js';
import { readEffectiveConfig } from '../xmpp/persistent-node.js';
import { readPubkeyItem } from '../xmpp/pubkey-items.js';
import type { RawItem } from '../xmpp/pubsub.js';
import { KEY_NODE_MAX_ITEMS } from './own-keys.js';
import { revocationOfItsKey } from './revoked-here.js';
import type { SessionPort } from './session-port.js';

/** The node holds at most 32 items (KEY_NODE_MAX_ITEMS); more than this is not ours to read. */
const MAX_ITEMS_READ = 64;

export interface FoundPublicationsDeps {
  store: Pick<OwnKeysStore, 'find' | 'list' | 'setPublication' | 'setAudience'>;
  published: Pick<PublishedNodesStore, 'list' | 'recordFound' | 'expectItem' | 'settleAccessAsked'>;
  session: SessionPort;
  log: Logger;
}

export class FoundPublications {
  readonly #deps: FoundPublicationsDeps;

  constructor(deps: FoundPublicationsDeps) {
    this.#deps = deps;
  }

  /** Records what the key node's items (`read`) show published that the vault does not; the fingerprints recorded. */
  async readNode(read: Promise<FetchOutcome>): Promise<string[]> {
    const mark = markNow(this.#deps.session);
    const outcome = await read;
    // Another account's key node (signed in meanwhile, session-mark.ts) says nothing of this one's keys.
    if (!stillMarked(this.#deps.session, mark)) return [];
    return outcome.status === 'ok' ? this.adopt(outcome.items) : [];
  }

  /** The keys among `items` recorded as published now (see the file's comment for what is left out). */
  async adopt(items: readonly RawItem[]): Promise<string[]> {
    const account = this.#deps.session.ownJid;
    const records = this.#deps.store.list(account);
    const found = items.slice(0, MAX_ITEMS_READ).flatMap((item) => {
      const read = readPubkeyItem(item);
      if ('problem' in read) return [];
      const fingerprint = certificateFingerprint(read.der);
      const key = this.#deps.store.find(account, fingerprint);
      // A certificate whose key was revoked under another of its certificates is as revoked (revoked-here.ts).
      if (!key || key.revoked || revocationOfItsKey(records, key) || key.publications.some((p) => p.node === NS.pubkey)) return [];
      if (item.id !== fingerprint) {
        this.#deps.log.warn(`own key ${fingerprint} is on the key node under another id (${oneLine(item.id.slice(0, 80))}): contacts refuse it there; not recorded as published`);
        return [];
      }
      return [fingerprint];
    });
    // A change of the node's audience the app asked for, which a full disk kept from being recorded
    // (PublishedNodesStore.noteAccess): recorded here if the server holds it, keys found or not.
    const asked = this.#deps.published.list(account)[NS.pubkey]?.accessAsked;
    if (found.length === 0 && asked === undefined) return [];
    // Who may read it is the node's configuration, as the server reports it now (XEP-0060 §8.2).
    const config = await readEffectiveConfig({ iq: this.#deps.session.iq, owner: account }, NS.pubkey, KEY_NODE_MAX_ITEMS);
    if (!config) return []; // the node went away since its items were read
    const access = configAudience(config);
    if (access && asked !== undefined && (await this.#deps.published.settleAccessAsked(account, NS.pubkey, { access, config }))) {
      // One audience per node (XEP-0060 §4.5): every key recorded as published there has the new one.
      await this.#deps.store.setAudience(account, NS.pubkey, publicationAudience(config));
      this.#deps.log.info('the key node holds the access this app asked for, which a full disk had kept from being recorded: recorded');
    }
    const foundAt = new Date().toISOString();
    for (const fingerprint of found) {
      // The drift record first: stopped in between, the key is found again at the next sign-in. A node
      // never recorded, with an access the app cannot publish with, stays unrecorded: drift watch
      // could only ever call it changed.
      if (access) await this.#deps.published.recordFound(account, NS.pubkey, { id: fingerprint, certificate: fingerprint }, { access, maxItems: KEY_NODE_MAX_ITEMS, config });
      else await this.#deps.published.expectItem(account, NS.pubkey, { id: fingerprint, certificate: fingerprint });
      // When it was published is not known: when it was found is.
      await this.#deps.store.setPublication(account, fingerprint, NS.pubkey, { ...publicationAudience(config), publishedAt: foundAt });
    }
    this.#deps.log.info(`found ${found.length} own key(s) published on the key node that this vault had not recorded: recorded`);
    return found;
  }
}

