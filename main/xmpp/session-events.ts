import { EventEmitter } from 'node:events';
import type { OwnNodeChange, PepNotification } from './pep-events.js';
import type { RosterPush } from './roster.js';

/** What the XMPP session hears from the network, for the services built on it. */
export interface SessionEventMap {
  /** A PEP notification for one of our +notify nodes (deduplicated). */
  pep: [PepNotification];
  /** The account's own PEP service announced a change to one of the nodes the app publishes to (not deduplicated). */
  ownNodeChanged: [OwnNodeChange];
  /** The server changed our roster (RFC 6121 §2.1.6). */
  roster: [RosterPush];
  /** A contact's resource came online or went offline. */
  presence: [{ from: string; bare: string; available: boolean }];
  /** Someone (`from`, bare) asks `account`, whose stream heard it, to see its presence (RFC 6121 §3.1.2). */
  subscriptionRequest: [{ from: string; account: string }];
  /** The connection came (back) online. */
  online: [];
  /** The connection that was online is gone (disconnected, signed out, or lost: reconnecting or not). */
  offline: [];
}

export class SessionEvents {
  readonly #emitter = new EventEmitter();

  emit<K extends keyof SessionEventMap>(event: K, ...args: SessionEventMap[K]): void {
    this.#emitter.emit(event, ...args);
  }

  on<K extends keyof SessionEventMap>(event: K, listener: (...args: SessionEventMap[K]) => void): () => void {
    this.#emitter.on(event, listener as (...a: unknown[]) => void);
    return () => this.#emitter.off(event, listener as (...a: unknown[]) => void);
  }
}
