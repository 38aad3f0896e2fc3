/**
 * The account's own key node, as the account's other devices change it. PEP notifies every resource
 * of the account that announced interest (XEP-0163 §4.3.1), so a key published or withdrawn from
 * another device arrives here, from our own bare JID. It is news for My keys ("added to your account
 * from another device"), never a contact's key change: ContactKeys never sees the own JID.
 */
import type { OtherDeviceKeysView } from '../../contract/index.js';
import type { AppEvents } from '../events.js';
import type { Logger } from '../logger.js';
import { certificateFingerprint } from '../keys/fingerprint.js';
import type { PepNotification } from '../xmpp/pep-events.js';
import { readPubkeyItem } from '../xmpp/pubkey-items.js';
import type { OwnKeys } from './own-keys.js';
import type { OwnRevocations } from './own-revocations.js';

/** At most this many fingerprints are reported from one notification (a node holds 32: KEY_NODE_MAX_ITEMS). */
const MAX_REPORTED = 64;

export interface OwnDevicesDeps {
  events: AppEvents;
  log: Logger;
  /**
   * Whether this device's vault holds the key (has), or this device deleted it and it was not published
   * again since (deletedHere, publishedAgainElsewhere).
   */
  ownKeys: Pick<OwnKeys, 'has' | 'deletedHere' | 'publishedAgainElsewhere'>;
  /** Revocations published by another device apply here too. */
  revocations: Pick<OwnRevocations, 'apply'>;
}

export class OwnDevices {
  readonly #deps: OwnDevicesDeps;

  constructor(deps: OwnDevicesDeps) {
    this.#deps = deps;
  }

  /**
   * A notification for the own key node (XEP-0060 §7.1.2.1 items, §7.2.2.1 retract); the core routes it
   * here. Settles when it is handled, never rejecting (a failure is logged): drift watch waits for the
   * revocations among the items.
   */
  onNotification(n: PepNotification): Promise<void> {
    return this.#onNotification(n).catch((error: unknown) => this.#deps.log.warn(`own key node notification: ${String(error)}`));
  }

  async #onNotification(n: PepNotification): Promise<void> {
    const revoked = await this.#deps.revocations.apply(n.items);
    const added: string[] = [];
    for (const item of n.items.slice(0, MAX_REPORTED)) {
      const read = readPubkeyItem(item);
      if ('problem' in read) continue;
      const fingerprint = certificateFingerprint(read.der);
      // On the node again: a delete of it here is over, whoever published it (this vault may hold it again).
      this.#deps.ownKeys.publishedAgainElsewhere(fingerprint);
      // Published from this device: the publish itself already said so.
      if (!this.#deps.ownKeys.has(fingerprint)) added.push(fingerprint);
    }
    // Withdrawn here: a delete's retract, whose notification may come once the key left the vault.
    const { ownKeys } = this.#deps;
    const withdrawn = n.retracted.slice(0, MAX_REPORTED).filter((id) => /^[0-9a-f]{64}$/.test(id) && !ownKeys.has(id) && !ownKeys.deletedHere(id));
    if (added.length === 0 && withdrawn.length === 0 && revoked.length === 0) return;
    const view: OtherDeviceKeysView = { added, withdrawn, revoked, found: [], at: new Date().toISOString() };
    this.#deps.events.emit('keys:otherDevice', view);
  }
}
